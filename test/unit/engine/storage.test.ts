import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdIndex } from '../../../src/engine/id-index.ts';
import { Engine, MatchMode, SessionState, Side, Stp, Tif } from '../../../src/engine/index.ts';
import { LevelPool } from '../../../src/engine/level.ts';
import { SideBook } from '../../../src/engine/side-book.ts';

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

describe('IdIndex window', () => {
  it('behaves like a Map with a small window that doubles, slides, halves and spills to the hash (fast-check)', () => {
    // Ids mostly in sequence (the window's case), some jumping far ahead, some old ones coming back.
    const step = fc.oneof(
      { weight: 8, arbitrary: fc.record({ k: fc.constant('next' as const), gap: fc.integer({ min: 1, max: 3 }) }) },
      { weight: 1, arbitrary: fc.record({ k: fc.constant('next' as const), gap: fc.integer({ min: 4, max: 5000 }) }) },
      { weight: 4, arbitrary: fc.record({ k: fc.constant('del' as const), pick: fc.nat() }) },
      { weight: 1, arbitrary: fc.record({ k: fc.constant('old' as const), back: fc.integer({ min: 1, max: 3000 }) }) },
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 40 }), fc.array(step, { maxLength: 3000 }), (start, steps) => {
        const idx = new IdIndex(2, 8);
        const ref = new Map<number, number>();
        let id = start;
        let slot = 1;
        const keys: number[] = [];
        for (const s of steps) {
          if (s.k === 'next' || s.k === 'old') {
            if (s.k === 'next') id += s.gap;
            const key = s.k === 'next' ? id : Math.max(1, id - s.back);
            if (ref.has(key)) continue;
            idx.set(key, slot);
            ref.set(key, slot++);
            keys.push(key);
          } else if (keys.length > 0) {
            const j = s.pick % keys.length;
            const key = keys[j]!;
            keys[j] = keys[keys.length - 1]!;
            keys.pop();
            idx.delete(key);
            ref.delete(key);
          }
        }
        expect(idx.size).toBe(ref.size);
        for (const [key, v] of ref) expect(idx.get(key)).toBe(v);
        for (let k = Math.max(1, id - 6000); k <= id + 10; k++)
          if (idx.get(k) !== (ref.get(k) ?? 0)) expect(k).toBe(-1);
      }),
      { numRuns: 150, seed: 11 },
    );
  });

  it('holds a million sequential ids in the window and finds none that is absent', () => {
    const idx = new IdIndex();
    for (let id = 1; id <= 1_000_000; id++) idx.set(id, id + 7);
    for (let id = 1; id <= 1_000_000; id += 997) expect(idx.get(id)).toBe(id + 7);
    expect(idx.get(0)).toBe(0);
    expect(idx.get(1_000_001)).toBe(0);
    expect(idx.get(1.5)).toBe(0);
    for (let id = 1; id <= 1_000_000; id += 2) idx.delete(id);
    expect(idx.size).toBe(500_000);
    expect(idx.get(3)).toBe(0);
    expect(idx.get(4)).toBe(11);
  });
});

describe('SideBook layouts', () => {
  // Reference: a plain set of non-empty prices. Each op adds or takes one order at a price, as the engine does.
  const ops = fc.array(fc.record({ add: fc.boolean(), k: fc.integer({ min: 0, max: 2999 }) }), { maxLength: 1500 });

  for (const side of [Side.Buy, Side.Sell]) {
    for (const dense of [true, false]) {
      it(`${dense ? 'dense' : 'sparse'} ${side === Side.Buy ? 'bids' : 'asks'}: best, walk, n-th best and find agree with a sorted set (fast-check)`, () => {
        fc.assert(
          fc.property(ops, (list) => {
            const tick = 5;
            const low = 1000;
            const pool = new LevelPool();
            // 3,000 ticks: 94 bitmap words under 3 summary words, so scans cross summary words.
            const book = dense ? new SideBook(side, pool, low, low + 2999 * tick, tick) : new SideBook(side, pool);
            const count = new Map<number, number>();
            for (const o of list) {
              const px = low + o.k * tick;
              expect(book.covers(px)).toBe(true);
              if (o.add) {
                book.getOrCreate(px).count++;
                count.set(px, (count.get(px) ?? 0) + 1);
              } else if ((count.get(px) ?? 0) > 0) {
                const lvl = book.find(px)!;
                lvl.count--;
                if (lvl.count === 0) book.remove(lvl);
                count.set(px, count.get(px)! - 1);
              }
            }
            const live = [...count].filter(([, n]) => n > 0).map(([p]) => p);
            live.sort((a, b) => (side === Side.Buy ? b - a : a - b));
            expect(book.checkLayout()).toBeNull();
            expect(book.size).toBe(live.length);
            expect(book.bestFen).toBe(live[0] ?? 0);
            expect(book.levelsBestFirst().map((l) => l.priceFen)).toEqual(live);
            for (const n of [1, 2, 5]) expect(book.nthBestPrice(n)).toBe(live[Math.min(n, live.length) - 1] ?? 0);
            for (const p of live) expect(book.find(p)?.priceFen).toBe(p);
            if (dense) {
              expect(book.covers(low - tick)).toBe(false);
              expect(book.covers(low + 3000 * tick)).toBe(false);
              expect(book.covers(low + 1)).toBe(false);
            }
          }),
          { numRuns: 60, seed: 5 },
        );
      });
    }
  }

  for (const side of [Side.Buy, Side.Sell]) {
    it(`dense ${side === Side.Buy ? 'bids' : 'asks'} moved to another band in place (rebase) behave as a new book with the levels adopted (fast-check)`, () => {
      const step = fc.record({
        ops: fc.array(fc.record({ add: fc.boolean(), k: fc.integer({ min: 0, max: 399 }) }), { maxLength: 200 }),
        // the next band: its low edge and width in ticks (narrower and wider than the first, shifted both ways)
        low: fc.integer({ min: -150, max: 150 }),
        width: fc.integer({ min: 100, max: 3000 }),
      });
      fc.assert(
        fc.property(fc.array(step, { minLength: 1, maxLength: 6 }), (steps) => {
          const tick = 5;
          const base = 100_000;
          const poolA = new LevelPool();
          const poolB = new LevelPool();
          let low = base;
          let high = base + 399 * tick;
          const a = new SideBook(side, poolA, low, high, tick); // rebased in place
          let b = new SideBook(side, poolB, low, high, tick); // replaced by a new book each time
          for (const st of steps) {
            for (const o of st.ops) {
              const px = low + (o.k % ((high - low) / tick + 1)) * tick;
              for (const book of [a, b]) {
                if (o.add) book.getOrCreate(px).count++;
                else {
                  const lvl = book.find(px);
                  if (lvl !== null) {
                    lvl.count--;
                    if (lvl.count === 0) book.remove(lvl);
                  }
                }
              }
            }
            const nextLow = base + st.low * tick;
            const nextHigh = nextLow + st.width * tick;
            const levelsA = a.levelsBestFirst();
            const levelsB = b.levelsBestFirst();
            if (!levelsA.every((l) => l.priceFen >= nextLow && l.priceFen <= nextHigh)) continue;
            a.rebase(levelsA, nextLow, nextHigh, tick);
            const fresh = new SideBook(side, poolB, nextLow, nextHigh, tick);
            b.dispose();
            for (const l of levelsB) fresh.adopt(l);
            b = fresh;
            low = nextLow;
            high = nextHigh;
            expect(a.checkLayout()).toBeNull();
            expect(b.checkLayout()).toBeNull();
            expect([a.size, a.bestFen]).toEqual([b.size, b.bestFen]);
            expect(a.levelsBestFirst().map((l) => [l.idx, l.priceFen, l.count])).toEqual(
              b.levelsBestFirst().map((l) => [l.idx, l.priceFen, l.count]),
            );
            for (const n of [1, 2, 5]) expect(a.nthBestPrice(n)).toBe(b.nthBestPrice(n));
            for (const p of [low - tick, low, low + 1, high, high + tick]) expect(a.covers(p)).toBe(b.covers(p));
            // the same levels go back to the pool in the same order: later acquisitions pick the same ones
            expect(poolA.all.length).toBe(poolB.all.length);
            expect(poolA.acquire(side, 1).idx).toBe(poolB.acquire(side, 1).idx);
          }
        }),
        { numRuns: 100, seed: 7 },
      );
    });
  }
});

describe('book layout across band changes', () => {
  const cfg = {
    mode: MatchMode.PriceTime,
    listedDepth: 5,
    tickFen: 1,
    lotT: 1,
    minQtyT: 1,
    maxQtyT: 1e6,
    bandBps: 1000,
    refPriceFen: 10_000,
  } as const;

  it('moves resting levels between dense and sparse books at the end of day, and restores either', () => {
    const e = new Engine(cfg);
    e.setSession(1, SessionState.Open);
    expect(e.bids.dense).toBe(true);
    for (let k = 0; k < 50; k++) {
      e.placeLimit(2, 1 + k, 1 + (k % 3), Side.Buy, 9_000 + 37 * k, 10, Tif.GTC, Stp.None);
      e.placeLimit(2, 101 + k, 1 + (k % 3), Side.Sell, 11_000 - 19 * k, 10, Tif.GTC, Stp.None);
    }
    const before = e.liveOrders();
    expect(e.checkInvariants()).toBeNull();
    e.setSession(3, SessionState.Closed);
    // No band: sparse books, nothing swept.
    expect(e.endOfDay(4, 0)).toBe(0);
    expect(e.bids.dense).toBe(false);
    expect(e.liveOrders()).toEqual(before);
    expect(e.checkInvariants()).toBeNull();
    // A band again, narrower than the book: what is outside is cancelled, the rest moves into dense books.
    expect(e.endOfDay(5, 10_000, 500)).toBe(0);
    expect(e.bids.dense).toBe(true);
    expect(e.checkInvariants()).toBeNull();
    const inBand = before.filter((o) => o.priceFen >= 9_500 && o.priceFen <= 10_500);
    expect(e.liveOrders()).toEqual(inBand);
    expect(e.bestBidFen()).toBe(Math.max(...inBand.filter((o) => o.side === Side.Buy).map((o) => o.priceFen)));
    expect(e.bestAskFen()).toBe(Math.min(...inBand.filter((o) => o.side === Side.Sell).map((o) => o.priceFen)));
    // The band moves: a new dense window, the same orders.
    expect(e.endOfDay(6, 10_100, 500)).toBe(0);
    expect(e.checkInvariants()).toBeNull();
    expect(e.liveOrders()).toEqual(inBand.filter((o) => o.priceFen >= 9_595));
    const copy = Engine.restore(e.snapshot());
    expect(copy.bids.dense).toBe(true);
    expect(copy.liveOrders()).toEqual(e.liveOrders());
    // A snapshot with an order outside its band (not one a live engine makes) restores into sparse books.
    const snap = e.snapshot();
    snap.orders.push([999, 1, Side.Buy, 5_000, 10, Tif.GTC, Stp.None, snap.seq]);
    const odd = Engine.restore(snap);
    expect(odd.bids.dense).toBe(false);
    expect(odd.checkInvariants()).toBeNull();
    expect(odd.getOrder(999)?.priceFen).toBe(5_000);
    odd.setSession(snap.lastTsMs, SessionState.Open);
    expect(odd.cancel(snap.lastTsMs, 999, 1)).toBe(0);
    expect(odd.checkInvariants()).toBeNull();
  });

  it('a band wider than DENSE_MAX_TICKS gets sparse books', () => {
    const e = new Engine({ ...cfg, refPriceFen: 1_000_000, bandBps: 5000 });
    expect(e.bids.dense).toBe(false);
    e.setSession(1, SessionState.Open);
    e.placeLimit(1, 1, 1, Side.Buy, 600_000, 1, Tif.GTC, Stp.None);
    e.placeLimit(1, 2, 2, Side.Sell, 600_000, 1, Tif.GTC, Stp.None);
    expect(e.dayStats.tradeCount).toBe(1);
    expect(e.checkInvariants()).toBeNull();
  });
});
