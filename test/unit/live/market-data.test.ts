// The market data slice: the tape, bars, last price and the read models of the books that the server shows.
import { describe, expect, it } from 'vitest';
import { applyCommand } from '../../../src/live/commands.ts';
import { must, order, room, run } from './room.ts';

describe('market data', () => {
  it('the tape takes every trade once it settles; recent trades newest first; the last price is the last trade', () => {
    const r = room(['Ann', 'Bo'], 0);
    const before = r.trades('national').length;
    run(r, [order(1, 'sell', 9_700, 100), order(1, 'sell', 9_710, 100), order(2, 'buy', 9_710, 200)]);
    const tape = r.trades('national');
    expect(tape.length).toBe(before + 2);
    expect(r.recentTrades('national', 'CEA-23', 2).map((t) => t.priceFen)).toEqual([9_710, 9_700]);
    expect(r.lastPriceFen('national', 'CEA-23')).toBe(9_710);
    expect(r.integrity()).toBeNull();
  });

  it('depth and listings by price level, and the ticker', () => {
    const r = room(['Ann', 'Bo'], 0);
    const sell = must(applyCommand(r, order(1, 'sell', 9_900, 300)));
    const d = r.depth('national', 'CEA-23', 10)!;
    expect(d.asks.find((l) => l.priceFen === 9_900)).toMatchObject({
      qtyT: expect.any(Number),
      orders: expect.any(Number),
    });
    expect(d.listings.asks.some((l) => l.listingId === sell.orderId)).toBe(true);
    const t = r.ticker('national', 'CEA-23');
    expect(t.askFen).toBeLessThanOrEqual(9_900);
    expect(r.depth('national', 'NOPE', 10)).toBeNull();
    expect(r.hasBook('national', 'CEA-23')).toBe(true);
    expect(r.hasBook('mars', 'CEA-23')).toBe(false);
  });

  it('rules, markets, accounts', () => {
    const r = room(['Ann'], 0);
    const rules = r.marketRules('national')!;
    expect(rules.spec.id).toBe('national');
    expect(rules.bands['CEA-23']!.lowFen).toBeLessThan(rules.bands['CEA-23']!.highFen);
    expect(r.marketRules('mars')).toBeNull();
    expect(r.marketList().map((m) => m.id)).toContain('national');
    expect(r.homeMarket().marketId).toBe('national');
    const a = r.account(1)!;
    expect(a.cashFen).toBe(a.availableFen + a.reservedFen);
    expect(r.account(9)).toBeNull();
  });

  it('a day passes: its bars are the session’s, one per instrument and mode', () => {
    const r = room(['Ann'], 1);
    expect(r.bars('national')).toEqual([]);
    const date = r.date;
    run(r, [{ op: 'tick', exchangeMs: 5 * 60 * 60_000 }]);
    expect(r.date).not.toBe(date);
    const bars = r.bars('national');
    expect(bars.length).toBeGreaterThan(0);
    expect(bars.every((b) => b.date === date)).toBe(true);
    expect(r.session.result().bars.filter((b) => b.marketId === 'national')).toEqual(bars);
  });
});
