import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACCOUNT, OrderSlots, RESERVED, STRIDE } from '../../../src/market/order-slots.ts';
import { civilFromDays, cstYear } from '../../../src/market/time.ts';

/** Everything an OrderSlots holds, as text (what a classroom snapshot would see of it). */
const state = (o: OrderSlots): string =>
  JSON.stringify(Object.entries(o).map(([k, v]) => [k, ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v]));

type Op = { kind: 'add' | 'refuse'; gap: number } | { kind: 'delete'; pick: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constantFrom('add' as const, 'refuse' as const), gap: fc.integer({ min: 1, max: 300 }) }),
  fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
);

describe('OrderSlots', () => {
  it('answers like a Map of the live orders through adds, deletes and refused adds; a refusal changes nothing', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 400 }), (ops) => {
        const slots = new OrderSlots();
        const model = new Map<number, { account: number; reserved: number }>();
        let nextId = 1;
        for (const op of ops) {
          if (op.kind === 'delete') {
            const live = [...model.keys()];
            if (live.length === 0) continue;
            const id = live[op.pick % live.length]!;
            slots.delete(id);
            model.delete(id);
          } else {
            const id = nextId;
            nextId += op.gap; // ids only grow, with gaps (orders of other desks, refusals)
            if (op.kind === 'refuse') {
              const before = state(slots);
              const s = slots.add(id, 7, 0, 1, 0, 5);
              slots.undoAdd(id, s);
              expect(state(slots)).toBe(before);
              continue;
            }
            slots.add(id, id * 3, 0, 0, 100, id % 1000);
            slots.makeRoom();
            model.set(id, { account: id * 3, reserved: id % 1000 });
          }
          expect(slots.size).toBe(model.size);
        }
        expect(slots.ids()).toEqual([...model.keys()].sort((a, b) => a - b));
        for (const [id, m] of model) {
          const s = slots.slotOf(id);
          expect(s).toBeGreaterThanOrEqual(0);
          expect(slots.data[s * STRIDE + ACCOUNT]).toBe(m.account);
          expect(slots.data[s * STRIDE + RESERVED]).toBe(m.reserved);
        }
        for (let id = 1; id < nextId; id++) if (!model.has(id)) expect(slots.slotOf(id)).toBe(-1);
      }),
      { numRuns: 200 },
    );
  });

  it('finds ids beyond 32 bits', () => {
    const slots = new OrderSlots();
    const big = 2 ** 40 + 3;
    const s = slots.add(big, 1, 0, 0, 0, 0);
    slots.makeRoom();
    expect(slots.slotOf(big)).toBe(s);
    expect(slots.slotOf(3)).toBe(-1);
    slots.delete(big);
    expect(slots.slotOf(big)).toBe(-1);
  });
});

describe('cstYear', () => {
  it('is the year of civilFromDays', () => {
    const DAY = 86_400_000;
    for (let day = -800_000; day <= 800_000; day += 97) {
      const ts = day * DAY - 8 * 3_600_000 + 5;
      expect(cstYear(ts)).toBe(civilFromDays(day)[0]);
    }
  });
});
