// Sums the engine keeps (a level's total, the day's volume and turnover) stay safe integers: an order that could take
// one past Number.MAX_SAFE_INTEGER is refused with its own code, and checkInvariants adds up exactly (BigInt), so
// a total that was already inexact is caught. The case: three resting orders of 2^53 - 1 t at one price
// summed to an inexact level total, and cancelling them all reported the removed level with -2 t.
import { describe, expect, it } from 'vitest';
import {
  Code,
  codeMessage,
  codeName,
  defaultEngineConfig,
  Engine,
  type EngineSnapshot,
  MatchMode,
  SessionState,
  Side,
  Stp,
  Tif,
} from '../../../src/engine/index.ts';
import { open, state } from './harness.ts';

const MAX = Number.MAX_SAFE_INTEGER;
const { Buy, Sell } = Side;
const { GFD, GTC, IOC } = Tif;
const N = Stp.None;

describe('level totals stay exact', () => {
  it('refuses the order that would take a level past 2^53 - 1 t, and the level never reports a negative total', () => {
    const { e, sink } = open();
    expect(e.placeLimit(2, 1, 1, Buy, 1, MAX, GTC, N)).toBe(Code.Ok);
    const before = state(e);
    expect(e.placeLimit(2, 2, 1, Buy, 1, MAX, GTC, N)).toBe(Code.LevelTotalOverflow);
    expect(e.placeLimit(2, 3, 2, Buy, 1, 1, GTC, N)).toBe(Code.LevelTotalOverflow);
    expect(e.lastRejectMessage()).toBe(
      'the quantity 1 t would take the total resting at its price past the largest exact amount; 0 t more fit',
    );
    expect(state(e)).toBe(before);
    expect(sink.take().slice(-2)).toEqual([
      'rejected 2 ENG_LEVEL_TOTAL_OVERFLOW',
      'rejected 3 ENG_LEVEL_TOTAL_OVERFLOW',
    ]);
    // Room left is exact: what fits is accepted, at another price the order rests on a level of its own.
    expect(e.cancel(3, 1, 1)).toBe(Code.Ok);
    expect(e.placeLimit(4, 4, 1, Buy, 1, MAX - 5, GTC, N)).toBe(Code.Ok);
    expect(e.placeLimit(4, 5, 2, Buy, 1, 6, GFD, N)).toBe(Code.LevelTotalOverflow);
    expect(e.lastRejectMessage()).toContain('; 5 t more fit');
    expect(e.placeLimit(4, 6, 2, Buy, 1, 5, GFD, N)).toBe(Code.Ok);
    expect(e.placeLimit(4, 7, 2, Buy, 2, 6, GFD, N)).toBe(Code.Ok);
    expect(e.depth(Buy, 2)).toEqual([
      { priceFen: 2, qtyT: 6, count: 1 },
      { priceFen: 1, qtyT: MAX, count: 2 },
    ]);
    sink.take();
    expect(e.cancel(5, 4, 1)).toBe(Code.Ok);
    expect(e.cancel(5, 6, 2)).toBe(Code.Ok);
    expect(sink.take().filter((s) => s.startsWith('level'))).toEqual(['level buy 1 5/1', 'level buy 1 0/0']);
    expect(e.checkInvariants()).toBeNull();
  });

  it('an order that never rests (IOC) is not counted against the level', () => {
    const { e } = open();
    expect(e.placeLimit(2, 1, 1, Buy, 1, MAX, GTC, N)).toBe(Code.Ok);
    expect(e.placeLimit(2, 2, 2, Buy, 1, MAX, IOC, N)).toBe(Code.Ok);
    expect(e.depth(Buy, 1)).toEqual([{ priceFen: 1, qtyT: MAX, count: 1 }]);
  });

  it('amends: more quantity at the same price, or a new price, may not take a level past the range', () => {
    const { e } = open();
    expect(e.placeLimit(2, 1, 1, Sell, 1, MAX - 10, GTC, N)).toBe(Code.Ok);
    expect(e.placeLimit(2, 2, 2, Sell, 1, 10, GTC, N)).toBe(Code.Ok);
    expect(e.placeLimit(2, 3, 2, Sell, 3, 20, GTC, N)).toBe(Code.Ok);
    const before = state(e);
    expect(e.amend(3, 2, 2, 1, 11)).toBe(Code.LevelTotalOverflow);
    expect(e.amend(3, 3, 2, 1, 11)).toBe(Code.LevelTotalOverflow);
    expect(state(e)).toBe(before);
    expect(e.amend(3, 2, 2, 1, 9)).toBe(Code.Ok);
    expect(e.amend(3, 3, 2, 1, 1)).toBe(Code.Ok);
    expect(e.depth(Sell, 1)).toEqual([{ priceFen: 1, qtyT: MAX, count: 3 }]);
    expect(e.checkInvariants()).toBeNull();
  });
});

describe('day volume and turnover stay exact', () => {
  it('refuses an order that could take the day turnover past 2^53 - 1 fen; a buy is bounded by the highest ask', () => {
    const { e } = open();
    const q = 2 ** 51;
    expect(e.placeLimit(2, 1, 1, Sell, 3, q, GTC, N)).toBe(Code.Ok);
    expect(e.placeLimit(2, 2, 2, Buy, 3, q, GTC, N)).toBe(Code.Ok);
    expect(e.dayStats.turnoverFen).toBe(3 * q);
    expect(e.placeLimit(3, 3, 1, Sell, 1, q, GTC, N)).toBe(Code.Ok);
    const before = state(e);
    // At its limit of 2 fen it would pass the range; at the highest ask, 1 fen, it would reach 2^53, one too many.
    expect(e.placeLimit(4, 4, 2, Buy, 2, q, IOC, N)).toBe(Code.DayTurnoverOverflow);
    expect(e.lastRejectMessage()).toBe(
      `the quantity ${q} t, trading at up to 1 fen, could take the day's turnover past the largest exact amount, ${MAX} fen`,
    );
    // A market buy likewise, not at its protection price (no band: any price).
    expect(e.placeMarket(4, 5, 2, Buy, q, IOC, N)).toBe(Code.DayTurnoverOverflow);
    expect(state(e)).toBe(before);
    // What fits still trades, and the sums stay exact.
    expect(e.placeMarket(5, 6, 2, Buy, q - 1, IOC, N)).toBe(Code.Ok);
    expect(e.dayStats.turnoverFen).toBe(MAX);
    expect(e.dayStats.volumeT).toBe(2 * q - 1);
    expect(e.placeLimit(6, 7, 2, Buy, 1, 1, GFD, N)).toBe(Code.DayTurnoverOverflow);
    expect(e.placeLimit(6, 8, 2, Buy, 2, 1, GTC, N)).toBe(Code.DayTurnoverOverflow);
    // An order that cannot trade now is not refused; the next day starts from zero.
    expect(e.placeLimit(6, 9, 2, Sell, 2, 10, GTC, N)).toBe(Code.Ok);
    expect(e.setSession(7, SessionState.Closed)).toBe(Code.Ok);
    expect(e.endOfDay(7, 0)).toBe(Code.Ok);
    expect(e.setSession(7, SessionState.Open)).toBe(Code.Ok);
    expect(e.placeLimit(8, 10, 2, Buy, 1, 1, GTC, N)).toBe(Code.Ok);
    expect(e.dayStats.turnoverFen).toBe(1);
    expect(e.checkInvariants()).toBeNull();
  });

  it('a sell is bounded by the best bid, whatever its own limit', () => {
    const { e } = open();
    const q = 2 ** 50;
    expect(e.placeLimit(2, 1, 1, Buy, 4, q, GTC, N)).toBe(Code.Ok);
    expect(e.placeLimit(2, 2, 2, Sell, 4, q, GTC, N)).toBe(Code.Ok);
    expect(e.dayStats.turnoverFen).toBe(4 * q);
    expect(e.placeLimit(3, 3, 1, Buy, 4, q, GTC, N)).toBe(Code.Ok);
    expect(e.placeLimit(3, 4, 1, Buy, 2, q, GTC, N)).toBe(Code.Ok);
    expect(e.placeLimit(4, 5, 2, Sell, 1, q, IOC, N)).toBe(Code.DayTurnoverOverflow);
    expect(e.lastRejectMessage()).toContain('trading at up to 4 fen');
    expect(e.placeMarket(4, 6, 2, Sell, q, IOC, N)).toBe(Code.DayTurnoverOverflow);
    expect(e.placeLimit(4, 7, 2, Sell, 1, q - 1, IOC, N)).toBe(Code.Ok);
    expect(e.dayStats.turnoverFen).toBe(MAX - 3);
    expect(e.placeLimit(5, 8, 2, Sell, 5, q, GTC, N)).toBe(Code.Ok);
    expect(e.amend(6, 8, 2, 2, q)).toBe(Code.DayTurnoverOverflow);
    expect(e.checkInvariants()).toBeNull();
  });

  it('the day volume stays exact with the turnover (it is never larger: every price is at least 1 fen)', () => {
    const { e } = open();
    expect(e.placeLimit(2, 1, 1, Sell, 1, MAX - 1, GTC, N)).toBe(Code.Ok);
    expect(e.placeLimit(2, 2, 2, Buy, 1, MAX - 1, GTC, N)).toBe(Code.Ok);
    expect(e.placeLimit(3, 3, 1, Sell, 1, 5, GTC, N)).toBe(Code.Ok);
    expect(e.placeLimit(4, 4, 2, Buy, 1, 2, GTC, N)).toBe(Code.DayTurnoverOverflow);
    expect(e.placeLimit(4, 5, 2, Buy, 1, 1, GTC, N)).toBe(Code.Ok);
    expect([e.dayStats.volumeT, e.dayStats.turnoverFen]).toEqual([MAX, MAX]);
  });

  it('listed mode: a take is refused when its trade would pass the range (the trade is exact: price x quantity)', () => {
    const { e } = open({ mode: MatchMode.Listed });
    const q = 2 ** 51;
    expect(e.placeLimit(2, 1, 1, Sell, 2, q, GTC, N)).toBe(Code.Ok);
    expect(e.placeLimit(2, 2, 1, Sell, 2, q, GTC, N)).toBe(Code.Ok);
    expect(e.take(3, 3, 2, 1, q)).toBe(Code.Ok);
    expect(e.dayStats.turnoverFen).toBe(2 * q);
    expect(e.take(3, 4, 2, 2, q)).toBe(Code.DayTurnoverOverflow);
    expect(e.lastRejectMessage()).toContain(`${q} t, trading at up to 2 fen`);
    expect(e.take(3, 5, 2, 2, q - 1)).toBe(Code.Ok);
    expect(e.dayStats.turnoverFen).toBe(MAX - 1);
    expect(e.checkInvariants()).toBeNull();
  });
});

describe('checkInvariants adds up exactly', () => {
  const snap = (qtys: number[]): EngineSnapshot => ({
    version: 1,
    config: { ...defaultEngineConfig },
    seq: qtys.length,
    lastTsMs: 1,
    session: 1,
    refPriceFen: 0,
    dayStats: { openFen: 0, highFen: 0, lowFen: 0, lastFen: 0, volumeT: 0, turnoverFen: 0, tradeCount: 0 },
    orders: qtys.map((q, i) => [i + 1, 1, Buy, 1, q, GTC, N, i + 1]),
  });

  it('a snapshot whose level total is past the range does not restore', () => {
    expect(() => Engine.restore(snap([MAX, MAX, MAX]))).toThrow(/level 1 totals .* holds 27021597764222973 t/);
    expect(Engine.restore(snap([MAX - 1, 1])).checkInvariants()).toBeNull();
  });
});

describe('codes', () => {
  it('have stable numbers and names, and messages that fill in the values', () => {
    expect([Code.LevelTotalOverflow, Code.DayTurnoverOverflow]).toEqual([209, 210]);
    expect(codeName(209)).toBe('ENG_LEVEL_TOTAL_OVERFLOW');
    expect(codeName(210)).toBe('ENG_DAY_TURNOVER_OVERFLOW');
    expect(codeMessage(210, 7, 9)).toContain('7 t, trading at up to 9 fen');
  });
});
