import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdIndex } from '../../../src/engine/id-index.ts';
import { Engine, MatchMode, SessionState, Side, Stp, Tif } from '../../../src/engine/index.ts';

describe('IdIndex', () => {
  it('behaves like a Map through growth and deletions (fast-check)', () => {
    const op = fc.oneof(
      fc.record({
        k: fc.constant('set' as const),
        id: fc.oneof(
          fc.integer({ min: 1, max: 300 }),
          fc.maxSafeNat().map((n) => n + 1),
        ),
      }),
      fc.record({ k: fc.constant('del' as const), id: fc.integer({ min: 1, max: 300 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 3000 }), (ops) => {
        const idx = new IdIndex(2);
        const ref = new Map<number, number>();
        let slot = 1;
        for (const o of ops) {
          if (o.k === 'set') {
            if (ref.has(o.id)) idx.delete(o.id);
            idx.set(o.id, slot);
            ref.set(o.id, slot++);
          } else {
            idx.delete(o.id);
            ref.delete(o.id);
          }
        }
        expect(idx.size).toBe(ref.size);
        for (let id = 1; id <= 300; id++) expect(idx.get(id)).toBe(ref.get(id) ?? 0);
        for (const [id, s] of ref) expect(idx.get(id)).toBe(s);
      }),
      { numRuns: 200, seed: 7 },
    );
  });

  it('finds nothing for malformed keys', () => {
    const idx = new IdIndex();
    idx.set(5, 1);
    for (const k of [Number.NaN, -1, 1.5, Number.POSITIVE_INFINITY, 0]) expect(idx.get(k)).toBe(0);
  });
});

describe('order store growth', () => {
  it('keeps a sound book across thousands of orders, random cancels and slot reuse', () => {
    const e = new Engine({
      mode: MatchMode.PriceTime,
      listedDepth: 5,
      tickFen: 1,
      lotT: 1,
      minQtyT: 1,
      maxQtyT: 1e6,
      bandBps: null,
      refPriceFen: null,
    });
    e.setSession(0, SessionState.Open);
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const live = new Set<number>();
    for (let id = 1; id <= 6000; id++) {
      const side = id % 2 ? Side.Buy : Side.Sell;
      const price = side === Side.Buy ? 1000 - rnd(50) : 1001 + rnd(50);
      e.placeLimit(1, id * 1_000_003, 1 + rnd(20), side, price, 1 + rnd(9), Tif.GTC, Stp.None);
      live.add(id * 1_000_003);
      if (rnd(3) === 0) {
        const victim = [...live][rnd(live.size)]!;
        const owner = e.getOrder(victim)!.accountId;
        e.cancel(1, victim, owner);
        live.delete(victim);
      }
    }
    expect(e.orderCount).toBe(live.size);
    expect(e.checkInvariants()).toBeNull();
    expect(new Set(e.liveOrders().map((o) => o.orderId))).toEqual(live);
    const copy = Engine.restore(e.snapshot());
    expect(copy.liveOrders()).toEqual(e.liveOrders());
  });
});
