import { describe, expect, it } from 'vitest';
import {
  bandEdges,
  Code,
  codeMessage,
  codeName,
  Engine,
  MatchMode,
  SessionState,
  Side,
  Stp,
  Tif,
} from '../../../src/engine/index.ts';
import { open, state } from './harness.ts';

const { Buy, Sell } = Side;
const { GFD, GTC, IOC, FOK } = Tif;
const N = Stp.None;

describe('price band', () => {
  it('rounds each edge to the tick toward the reference (README example: 90.48 ±10%)', () => {
    expect(bandEdges(9048, 1000, 1)).toEqual([8144, 9952]);
  });
  it('rounds to coarser ticks toward the reference', () => {
    // 10000 ±7.77%: 9223 .. 10777 -> tick 5: 9225 .. 10775; tick 100: 9300 .. 10700
    expect(bandEdges(10000, 777, 5)).toEqual([9225, 10775]);
    expect(bandEdges(10000, 777, 100)).toEqual([9300, 10700]);
  });
  it('keeps an exact edge and never goes below one tick', () => {
    expect(bandEdges(10000, 1000, 1)).toEqual([9000, 11000]);
    expect(bandEdges(10000, 0, 1)).toEqual([10000, 10000]);
    expect(bandEdges(100, 10_000, 5)).toEqual([5, 200]);
  });
  it('accepts orders exactly at both edges and rejects one tick beyond', () => {
    const { e, sink } = open({ bandBps: 1000, refPriceFen: 9048 });
    expect(e.placeLimit(2, 1, 1, Buy, 8144, 10, GFD, N)).toBe(Code.Ok);
    expect(e.placeLimit(2, 2, 2, Sell, 9952, 10, GFD, N)).toBe(Code.Ok);
    const before = state(e);
    expect(e.placeLimit(2, 3, 1, Buy, 8143, 10, GFD, N)).toBe(Code.PriceBelowBand);
    expect(e.lastRejectMessage()).toBe('the price 8143 fen is below the lower price limit of 8144 fen');
    expect(e.placeLimit(2, 4, 2, Sell, 9953, 10, GFD, N)).toBe(Code.PriceAboveBand);
    expect(e.lastRejectMessage()).toBe('the price 9953 fen is above the upper price limit of 9952 fen');
    expect(state(e)).toBe(before);
    expect(sink.take().slice(-2)).toEqual(['rejected 3 ENG_PRICE_BELOW_BAND', 'rejected 4 ENG_PRICE_ABOVE_BAND']);
  });
  it('has no band without a reference or without bandBps', () => {
    const { e } = open({ bandBps: 1000, refPriceFen: null });
    expect(e.placeLimit(2, 1, 1, Buy, 1, 10, GFD, N)).toBe(Code.Ok);
    expect(e.placeLimit(2, 2, 1, Sell, 10 ** 9, 10, GFD, N)).toBe(Code.Ok);
    expect(e.bandLowFen).toBe(0);
    expect(e.bandHighFen).toBe(0);
  });
});

describe('order rules: each rejection has its own code and changes nothing', () => {
  const cfg = { tickFen: 5, lotT: 10, minQtyT: 100, maxQtyT: 99_990, bandBps: 1000, refPriceFen: 10_000 };
  const cases: [string, (e: Engine) => number, number][] = [
    ['price off tick', (e) => e.placeLimit(2, 9, 1, Buy, 10_001, 100, GFD, N), Code.PriceOffTick],
    ['qty off lot', (e) => e.placeLimit(2, 9, 1, Buy, 10_000, 105, GFD, N), Code.QtyOffLot],
    ['qty below min', (e) => e.placeLimit(2, 9, 1, Buy, 10_000, 90, GFD, N), Code.QtyBelowMin],
    ['qty above max', (e) => e.placeLimit(2, 9, 1, Buy, 10_000, 100_000, GFD, N), Code.QtyAboveMax],
    ['qty at max is fine', (e) => e.placeLimit(2, 9, 1, Buy, 10_000, 99_990, GFD, N), Code.Ok],
    ['zero price', (e) => e.placeLimit(2, 9, 1, Buy, 0, 100, GFD, N), Code.BadPrice],
    ['NaN price', (e) => e.placeLimit(2, 9, 1, Buy, Number.NaN, 100, GFD, N), Code.BadPrice],
    ['fractional qty', (e) => e.placeLimit(2, 9, 1, Buy, 10_000, 100.5, GFD, N), Code.BadQty],
    ['negative qty', (e) => e.placeLimit(2, 9, 1, Buy, 10_000, -100, GFD, N), Code.BadQty],
    ['unsafe qty', (e) => e.placeLimit(2, 9, 1, Buy, 10_000, 2 ** 53, GFD, N), Code.BadQty],
    ['infinite price', (e) => e.placeLimit(2, 9, 1, Buy, Number.POSITIVE_INFINITY, 100, GFD, N), Code.BadPrice],
    ['string price', (e) => e.placeLimit(2, 9, 1, Buy, '10000' as unknown as number, 100, GFD, N), Code.BadPrice],
    ['bad side', (e) => e.placeLimit(2, 9, 1, 2 as Side, 10_000, 100, GFD, N), Code.BadSide],
    ['bad tif', (e) => e.placeLimit(2, 9, 1, Buy, 10_000, 100, 7 as Tif, N), Code.BadTif],
    ['bad stp', (e) => e.placeLimit(2, 9, 1, Buy, 10_000, 100, GFD, 9 as Stp), Code.BadStp],
    ['bad order id', (e) => e.placeLimit(2, 0, 1, Buy, 10_000, 100, GFD, N), Code.BadOrderId],
    ['bad account', (e) => e.placeLimit(2, 9, -3, Buy, 10_000, 100, GFD, N), Code.BadAccount],
    ['duplicate id', (e) => e.placeLimit(2, 1, 1, Buy, 10_000, 100, GFD, N), Code.DuplicateOrderId],
    ['bad time', (e) => e.placeLimit(Number.NaN, 9, 1, Buy, 10_000, 100, GFD, N), Code.BadTime],
    ['time backwards', (e) => e.placeLimit(1, 9, 1, Buy, 10_000, 100, GFD, N), Code.TimeBackwards],
    ['market GFD', (e) => e.placeMarket(2, 9, 1, Buy, 100, GFD, N), Code.MarketTifNotAllowed],
    ['cancel unknown', (e) => e.cancel(2, 77, 1), Code.UnknownOrder],
    ['cancel not owner', (e) => e.cancel(2, 1, 2), Code.NotOwner],
    ['amend no change', (e) => e.amend(2, 1, 1, 9_500, 100), Code.AmendNoChange],
    ['amend off lot', (e) => e.amend(2, 1, 1, 9_500, 101), Code.QtyOffLot],
    ['amend out of band', (e) => e.amend(2, 1, 1, 11_005, 100), Code.PriceAboveBand],
    ['take in price-time', (e) => e.take(2, 9, 2, 1, 100), Code.TakeNotListedMode],
    ['cancelAll bad account', (e) => e.cancelAll(2, 0), Code.BadAccount],
    ['bad session state', (e) => e.setSession(2, 5 as SessionState), Code.BadSessionState],
    ['endOfDay while open', (e) => e.endOfDay(2, 10_000), Code.SessionNotClosed],
  ];
  for (const [name, run, code] of cases) {
    it(`${name} -> ${codeName(code)}`, () => {
      const { e, sink } = open(cfg);
      e.placeLimit(2, 1, 1, Buy, 9_500, 100, GTC, N);
      sink.take();
      const before = state(e);
      expect(run(e)).toBe(code);
      if (code !== Code.Ok) {
        expect(state(e)).toBe(before);
        expect(sink.take()).toHaveLength(1);
        expect(e.checkInvariants()).toBeNull();
      }
    });
  }

  it('rejects a notional beyond the safe integers', () => {
    const { e } = open();
    expect(e.placeLimit(2, 1, 1, Buy, 2 ** 30, 2 ** 30, GFD, N)).toBe(Code.NotionalOverflow);
  });

  it('never throws on garbage', () => {
    const { e } = open();
    const junk = [
      undefined,
      null,
      'x',
      {},
      [],
      Number.NaN,
      -0,
      1e300,
      Symbol.iterator.description,
      true,
    ] as unknown as number[];
    for (const j of junk) {
      expect(() => e.placeLimit(j, j, j, j as Side, j, j, j as Tif, j as Stp)).not.toThrow();
      expect(() => e.placeMarket(2, j, j, j as Side, j, j as Tif, j as Stp)).not.toThrow();
      expect(() => e.cancel(j, j, j)).not.toThrow();
      expect(() => e.amend(2, j, j, j, j)).not.toThrow();
      expect(() => e.take(2, j, j, j, j)).not.toThrow();
      expect(() => e.cancelAll(j, j)).not.toThrow();
      expect(() => e.setSession(j, j as SessionState)).not.toThrow();
      expect(() => e.endOfDay(j, j)).not.toThrow();
    }
    expect(e.orderCount).toBe(0);
    expect(e.checkInvariants()).toBeNull();
  });
});

describe('session state', () => {
  it('rejects new orders and amends when closed or halted, but lets cancels through', () => {
    const { e } = open();
    e.placeLimit(2, 1, 1, Buy, 100, 10, GTC, N);
    e.setSession(3, SessionState.Halted);
    expect(e.placeLimit(4, 2, 1, Buy, 100, 10, GFD, N)).toBe(Code.SessionHalted);
    expect(e.amend(4, 1, 1, 101, 10)).toBe(Code.SessionHalted);
    e.setSession(5, SessionState.Closed);
    expect(e.placeMarket(6, 3, 1, Sell, 10, IOC, N)).toBe(Code.SessionClosed);
    expect(e.cancel(6, 1, 1)).toBe(Code.Ok);
    expect(e.orderCount).toBe(0);
  });
  it('starts closed', () => {
    const e = new Engine({
      mode: MatchMode.PriceTime,
      listedDepth: 5,
      tickFen: 1,
      lotT: 1,
      minQtyT: 1,
      maxQtyT: 10,
      bandBps: null,
      refPriceFen: null,
    });
    expect(e.session).toBe(SessionState.Closed);
    expect(e.placeLimit(0, 1, 1, Buy, 1, 1, FOK, N)).toBe(Code.SessionClosed);
  });
});

describe('codes and config', () => {
  it('has unique codes, names and a message for each', () => {
    const values = Object.values(Code);
    expect(new Set(values).size).toBe(values.length);
    const names = values.map(codeName);
    expect(new Set(names).size).toBe(names.length);
    for (const v of values) expect(codeMessage(v, 1, 2)).not.toMatch(/unknown result code|\{v\}|\{l\}/);
    expect(codeName(Code.QtyAboveMax)).toBe('ENG_QTY_ABOVE_MAX');
  });
  it('refuses a bad config with the field named', () => {
    expect(
      () =>
        new Engine({
          mode: 0,
          listedDepth: 5,
          tickFen: 0,
          lotT: 1,
          minQtyT: 1,
          maxQtyT: 1,
          bandBps: null,
          refPriceFen: null,
        }),
    ).toThrow(/tickFen/);
    expect(
      () =>
        new Engine({
          mode: 0,
          listedDepth: 5,
          tickFen: 5,
          lotT: 1,
          minQtyT: 1,
          maxQtyT: 1,
          bandBps: 100,
          refPriceFen: 7,
        }),
    ).toThrow(/refPriceFen/);
  });
});
