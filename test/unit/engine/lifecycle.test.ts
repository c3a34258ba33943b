import { describe, expect, it } from 'vitest';
import {
  Code,
  Engine,
  type EngineSnapshot,
  MatchMode,
  SessionState,
  Side,
  Stp,
  Tif,
} from '../../../src/engine/index.ts';
import { open, StringSink } from './harness.ts';

const { Buy, Sell } = Side;
const { GFD, GTC, IOC } = Tif;
const N = Stp.None;

describe('end of day', () => {
  it('expires day orders, cancels GTC orders outside the new band, resets the statistics and moves the band', () => {
    const { e, sink } = open({ bandBps: 1000, refPriceFen: 10_000 });
    e.placeLimit(2, 1, 1, Buy, 9_500, 10, GTC, N);
    e.placeLimit(2, 2, 1, Buy, 9_500, 10, GFD, N);
    e.placeLimit(2, 3, 2, Buy, 9_000, 10, GTC, N); // outside the next band
    e.placeLimit(2, 4, 3, Sell, 10_500, 10, GTC, N);
    e.placeLimit(2, 5, 4, Sell, 10_000, 5, GFD, N);
    e.placeLimit(3, 6, 5, Buy, 10_000, 5, IOC, N);
    expect(e.endOfDay(4, 10_500)).toBe(Code.SessionNotClosed);
    e.setSession(5, SessionState.Closed);
    sink.take();
    expect(e.dayStats.volumeT).toBe(5);
    expect(e.endOfDay(6, 10_200)).toBe(Code.Ok);
    expect(sink.take()).toEqual([
      'expired 2 10',
      'level buy 9500 10/1',
      'cancelled 3 10 left 0 OutOfBand',
      'level buy 9000 0/0',
      'dayEnded 10200 9180-11220',
    ]);
    expect(e.liveOrders().map((o) => o.orderId)).toEqual([1, 4]);
    expect(e.dayStats).toMatchObject({ openFen: 0, volumeT: 0, turnoverFen: 0, tradeCount: 0 });
    expect([e.refPriceFen, e.bandLowFen, e.bandHighFen]).toEqual([10_200, 9_180, 11_220]);
    expect(e.endOfDay(7, 10_200.5)).toBe(Code.BadPrice);
    expect(e.checkInvariants()).toBeNull();
  });

  it('0 as the next reference switches the band off', () => {
    const { e } = open({ bandBps: 1000, refPriceFen: 10_000 });
    e.setSession(2, SessionState.Closed);
    e.endOfDay(3, 0);
    e.setSession(4, SessionState.Open);
    expect(e.placeLimit(5, 1, 1, Buy, 50_000, 1, GFD, N)).toBe(Code.Ok);
  });
});

describe('snapshot and restore', () => {
  /** A mid-session book with both sides, several accounts, partial fills, an amend and statistics. */
  function midSession(mode: MatchMode, sink = new StringSink()) {
    const e = new Engine(
      { mode, listedDepth: 3, tickFen: 1, lotT: 1, minQtyT: 1, maxQtyT: 1000, bandBps: 1000, refPriceFen: 100 },
      sink,
    );
    e.setSession(1, SessionState.Open);
    let id = 1;
    for (let i = 0; i < 8; i++) {
      e.placeLimit(2 + i, id++, 1 + (i % 3), Sell, 101 + (i % 4), 5 + i, i % 2 ? GTC : GFD, Stp.CancelOldest);
      e.placeLimit(2 + i, id++, 1 + ((i + 1) % 3), Buy, 99 - (i % 4), 5 + i, GFD, Stp.Decrement);
    }
    e.placeLimit(20, id++, 2, Buy, 102, 12, IOC, Stp.CancelBoth);
    e.amend(21, 4, 2, 99, 3);
    return e;
  }
  const more = (e: Engine) => {
    e.placeLimit(30, 100, 3, Sell, 98, 40, GFD, Stp.CancelNewest);
    e.amend(31, 1, 1, 103, 20);
    e.take(32, 101, 1, 3, 1);
    e.cancelAll(33, 2);
    e.setSession(34, SessionState.Closed);
    e.endOfDay(35, 101);
    e.setSession(36, SessionState.Open);
    e.placeMarket(37, 102, 1, Buy, 30, IOC, Stp.None);
  };

  for (const mode of [MatchMode.PriceTime, MatchMode.Listed]) {
    it(`a restored engine continues exactly like the original (mode ${mode})`, () => {
      const a = new StringSink();
      const orig = midSession(mode, a);
      const snap = JSON.parse(JSON.stringify(orig.snapshot())) as EngineSnapshot;
      const b = new StringSink();
      const copy = Engine.restore(snap, b);
      expect(copy.checkInvariants()).toBeNull();
      expect(copy.liveOrders()).toEqual(orig.liveOrders());
      expect(copy.dayStats).toEqual(orig.dayStats);
      a.take();
      more(orig);
      more(copy);
      expect(b.events).toEqual(a.events);
      expect(b.seqs).toEqual(a.seqs);
      expect(copy.snapshot()).toEqual(orig.snapshot());
    });
  }

  it('refuses a malformed snapshot with a clear message', () => {
    const snap = midSession(MatchMode.PriceTime).snapshot();
    const bad1 = { ...snap, orders: [...snap.orders, [...snap.orders[0]!]] } as EngineSnapshot;
    expect(() => Engine.restore(bad1)).toThrow(/repeated/);
    const crossed = structuredClone(snap);
    crossed.orders.push([999, 1, Buy, 200, 1, GFD, 0, snap.seq]);
    expect(() => Engine.restore(crossed)).toThrow(/crossed/);
    expect(() => Engine.restore({ ...snap, version: 2 } as unknown as EngineSnapshot)).toThrow(/version/);
  });
});

describe('events', () => {
  it('numbers book events once, in order; a rejection carries the next number without taking it', () => {
    const sink = new StringSink();
    const e = new Engine(
      { mode: 0, listedDepth: 5, tickFen: 1, lotT: 1, minQtyT: 1, maxQtyT: 100, bandBps: null, refPriceFen: null },
      sink,
    );
    e.setSession(1, SessionState.Open);
    e.placeLimit(2, 1, 1, Buy, 10, 5, GFD, N);
    e.placeLimit(2, 1, 1, Buy, 10, 5, GFD, N);
    e.placeLimit(2, 2, 2, Sell, 10, 7, GFD, N);
    // session, accepted, level, rejected (4, not taken), accepted, trade, level, level
    expect(sink.seqs).toEqual([1, 2, 3, 4, 4, 5, 6, 7]);
    expect(e.seq).toBe(7);
    // A refused command changes nothing, its number included.
    const before = JSON.stringify(e.snapshot());
    e.placeLimit(3, 9, 1, Buy, 10, 1_000, GFD, N);
    expect(JSON.stringify(e.snapshot())).toBe(before);
  });
});
