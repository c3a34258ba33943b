import { describe, expect, it } from 'vitest';
import {
  benchmarkAllocationT,
  openCompliance,
  preAllocate,
  preAllocateAll,
  settleCycle,
  surrender,
  trueUp,
  trueUpAll,
  vintageInstrument,
} from '../../../../src/market/compliance/index.ts';
import { Ledger } from '../../../../src/market/ledger.ts';
import { tsOf } from '../../../../src/market/time.ts';
import { editedSpec, entity, expectRejected, give, must, nationalSpec, PLAN, sell, world } from './fixture.ts';

const MARCH = tsOf('2024-03-15', '10:00');
const JULY = tsOf('2025-07-15', '10:00');

describe('benchmarks and vintages', () => {
  it('given 1,234,567 MWh at 0.8218 t/MWh (821,800 µt), when 70% is taken, then 710,197 t (710,197.01 rounded down)', () => {
    expect(benchmarkAllocationT(1_234_567, 821_800, 7000)).toBe(710_197);
    expect(benchmarkAllocationT(1_000_000, 821_800)).toBe(821_800);
    // far past 2^53 in the intermediate product, still exact
    expect(benchmarkAllocationT(9_000_000_000_000, 999_999, 9999)).toBe(8_999_091_000_900);
  });

  it('given the national spec, then each year maps to its vintage instrument (2019 and 2020 share CEA-19-20)', () => {
    const w = world();
    expect(must(vintageInstrument(w.ctx, 2019))).toBe('CEA-19-20');
    expect(must(vintageInstrument(w.ctx, 2020))).toBe('CEA-19-20');
    expect(must(vintageInstrument(w.ctx, 2024))).toBe('CEA-24');
    const r = vintageInstrument(w.ctx, 2030);
    expect(r.ok ? '' : r.code).toBe('MKT_ERR_UNKNOWN_INSTRUMENT');
  });

  it('given a spec where two allowances claim 2024, when compliance is opened, then it is refused', () => {
    const spec = editedSpec((j) => {
      j.instruments[5]!.vintageYears = [2024];
    });
    const r = openCompliance(spec, new Ledger(), world().entities);
    expect(r.ok ? '' : r.message).toMatch(/CEA-24 and CEA-25 claim vintage 2024/);
  });
});

describe('pre-allocation (70% of last year output x benchmark)', () => {
  it('given 1,000,000 MWh in 2023, when pre-allocated for 2024, then 575,260 t of CEA-24 (70% of 821,800)', () => {
    const w = world();
    const e = entity(w, { id: 'p1', outputs: { 2023: 1_000_000 } });
    const r = must(preAllocate(w.ctx, PLAN, 'p1', 2024, MARCH));
    expect(r).toMatchObject({ instrumentId: 'CEA-24', entitledT: 575_260, deductedT: 0, creditedT: 575_260 });
    expect(w.ledger.holding(e.accountId, 'CEA-24').totalT).toBe(575_260);
    expect(w.ledger.records().at(-1)).toMatchObject({
      kind: 'allocation',
      ref: 'pre-allocation:2024:p1',
      qtyT: 575_260,
    });
    expect(w.ctx.book.year('p1', 2024).preAllocatedT).toBe(575_260);
    expect(w.ledger.checkConservation()).toBeNull();
  });

  it('given a pre-allocated year, when pre-allocated again, then MKT_ERR_ALREADY_SETTLED and nothing changes', () => {
    const w = world();
    entity(w, { id: 'p1', outputs: { 2023: 1_000_000 } });
    must(preAllocate(w.ctx, PLAN, 'p1', 2024, MARCH));
    expectRejected(w, () => preAllocate(w.ctx, PLAN, 'p1', 2024, MARCH), 'MKT_ERR_ALREADY_SETTLED');
  });

  it('given missing data, when pre-allocating, then each gap has its code and nothing changes', () => {
    const w = world();
    entity(w, { id: 'p1', outputs: {} });
    entity(w, { id: 'x1', sector: 'chemicals', outputs: { 2023: 5 } });
    entity(w, { id: 'late', coveredFrom: 2025, outputs: { 2023: 5 } });
    expectRejected(w, () => preAllocate(w.ctx, PLAN, 'p1', 2024, MARCH), 'MKT_ERR_NOT_VERIFIED');
    expectRejected(w, () => preAllocate(w.ctx, PLAN, 'x1', 2024, MARCH), 'MKT_ERR_BAD_INPUT');
    expectRejected(w, () => preAllocate(w.ctx, PLAN, 'late', 2024, MARCH), 'MKT_ERR_NOT_ELIGIBLE');
    expectRejected(w, () => preAllocate(w.ctx, PLAN, 'ghost', 2024, MARCH), 'MKT_ERR_UNKNOWN_ENTITY');
    expectRejected(w, () => preAllocate(w.ctx, PLAN, 'p1', 2030, MARCH), 'MKT_ERR_UNKNOWN_INSTRUMENT');
  });

  it('given an entity of another market, when the national market allocates to it, then MKT_ERR_NOT_ELIGIBLE', () => {
    const w = world();
    w.ledger.open(555, 'entity');
    must(
      w.entities.add({
        id: 'sh-1',
        name: 'Shanghai plant',
        sector: 'power',
        marketId: 'shanghai',
        accountId: 555,
        coveredFrom: 2019,
        coveredUntil: null,
        outputs: { 2023: 10 },
        verifiedT: {},
      }),
    );
    expectRejected(w, () => preAllocate(w.ctx, PLAN, 'sh-1', 2024, MARCH), 'MKT_ERR_NOT_ELIGIBLE');
  });

  it('given three entities, one without 2023 output, when all are pre-allocated, then none is (all or none)', () => {
    const w = world();
    entity(w, { id: 'a', outputs: { 2023: 10_000 } });
    entity(w, { id: 'b', outputs: { 2023: 20_000 } });
    entity(w, { id: 'c', outputs: {} });
    expectRejected(w, () => preAllocateAll(w.ctx, PLAN, 2024, MARCH), 'MKT_ERR_NOT_VERIFIED');
    w.entities.recordOutput('c', 2023, 30_000);
    const r = must(preAllocateAll(w.ctx, PLAN, 2024, MARCH));
    expect(r.map((x) => x.creditedT)).toEqual([5752, 11_505, 17_257]);
  });
});

describe('true-up after verification', () => {
  it('given 575,260 t pre-allocated and 1,100,000 MWh verified for 2024, when trued up, then +328,720 t (final 903,980)', () => {
    const w = world();
    const e = entity(w, { id: 'p1', outputs: { 2023: 1_000_000 } });
    must(preAllocate(w.ctx, PLAN, 'p1', 2024, MARCH));
    w.entities.recordOutput('p1', 2024, 1_100_000);
    const r = must(trueUp(w.ctx, PLAN, 'p1', 2024, JULY));
    expect(r).toMatchObject({ entitledT: 328_720, creditedT: 328_720, yearAllocatedT: 903_980, basis: 'benchmark' });
    expect(w.ledger.holding(e.accountId, 'CEA-24').totalT).toBe(903_980);
    expect(w.ledger.records().at(-1)).toMatchObject({ kind: 'allocation', ref: 'true-up:2024:p1' });
    expectRejected(w, () => trueUp(w.ctx, PLAN, 'p1', 2024, JULY), 'MKT_ERR_ALREADY_SETTLED');
    expectRejected(w, () => preAllocate(w.ctx, PLAN, 'p1', 2024, JULY), 'MKT_ERR_ALREADY_SETTLED');
  });

  it('given 575,260 t pre-allocated and only 600,000 MWh in 2024, when trued up, then 82,180 t are taken back (final 493,080)', () => {
    const w = world();
    const e = entity(w, { id: 'p1', outputs: { 2023: 1_000_000 } });
    must(preAllocate(w.ctx, PLAN, 'p1', 2024, MARCH));
    w.entities.recordOutput('p1', 2024, 600_000);
    const r = must(trueUp(w.ctx, PLAN, 'p1', 2024, JULY));
    expect(r).toMatchObject({ entitledT: -82_180, creditedT: -82_180, yearAllocatedT: 493_080 });
    expect(w.ledger.holding(e.accountId, 'CEA-24').totalT).toBe(493_080);
    expect(w.ledger.records().at(-1)).toMatchObject({ kind: 'cancellation', ref: 'true-up:2024:p1', qtyT: -82_180 });
    expect(w.ledger.checkConservation()).toBeNull();
  });

  it('given the entity sold most of its pre-allocation, when a negative true-up needs more than it holds, then MKT_ERR_INSUFFICIENT_ALLOWANCES and nothing changes', () => {
    const w = world();
    const e = entity(w, { id: 'p1', outputs: { 2023: 1_000_000 } });
    w.ledger.open(900, 'institution');
    must(preAllocate(w.ctx, PLAN, 'p1', 2024, MARCH));
    sell(w, e.accountId, 900, 'CEA-24', 500_000, '2025-02-03');
    w.entities.recordOutput('p1', 2024, 600_000);
    expectRejected(w, () => trueUp(w.ctx, PLAN, 'p1', 2024, JULY), 'MKT_ERR_INSUFFICIENT_ALLOWANCES');
    expect(w.ctx.book.year('p1', 2024).trueUpDone).toBe(false);
  });

  it('given a power entity with no pre-allocation (a new entrant), when trued up, then it receives the whole benchmark allocation', () => {
    const w = world();
    entity(w, { id: 'new', coveredFrom: 2024, outputs: { 2024: 100_000 } });
    expect(must(trueUp(w.ctx, PLAN, 'new', 2024, JULY)).creditedT).toBe(82_180);
  });

  it('given 2019 output, when trued up for 2019, then the allocation is of CEA-19-20', () => {
    const w = world();
    const e = entity(w, { id: 'p1', outputs: { 2019: 100_000 } });
    must(trueUp(w.ctx, PLAN, 'p1', 2019, tsOf('2021-03-01')));
    expect(w.ledger.holding(e.accountId, 'CEA-19-20').totalT).toBe(75_000);
  });
});

describe('first-year sectors (cement, steel, aluminium in 2024)', () => {
  it('given a cement plant covered from 2024, when pre-allocated, then nothing; when trued up, then exactly its verified 2,345,678 t of CEA-24', () => {
    const w = world();
    const e = entity(w, { id: 'cem-1', sector: 'cement', coveredFrom: 2024, outputs: { 2023: 3_000_000 } });
    const pre = must(preAllocate(w.ctx, PLAN, 'cem-1', 2024, tsOf('2025-04-01')));
    expect(pre).toMatchObject({ basis: 'first-year', entitledT: 0, creditedT: 0 });
    expect(w.ledger.records()).toHaveLength(0);
    expectRejected(w, () => trueUp(w.ctx, PLAN, 'cem-1', 2024, JULY), 'MKT_ERR_NOT_VERIFIED');
    w.entities.recordVerified('cem-1', 2024, 2_345_678);
    const r = must(trueUp(w.ctx, PLAN, 'cem-1', 2024, JULY));
    expect(r).toMatchObject({ basis: 'first-year', creditedT: 2_345_678, yearAllocatedT: 2_345_678 });
    expect(w.ledger.holding(e.accountId, 'CEA-24').totalT).toBe(2_345_678);
  });

  it('given the cement plant in 2025, when pre-allocated, then the benchmark applies: 70% x 3,000,000 t clinker x 0.85', () => {
    const w = world();
    entity(w, { id: 'cem-1', sector: 'cement', coveredFrom: 2024, outputs: { 2024: 3_000_000 } });
    expect(must(preAllocate(w.ctx, PLAN, 'cem-1', 2025, tsOf('2025-04-01'))).creditedT).toBe(1_785_000);
  });
});

describe('shortfall deduction from the next allocation', () => {
  /** p1 is 865,300 t short for 2023 and settled on 2025-01-01. */
  function shortFor2023() {
    const w = world();
    const e = entity(w, { id: 'p1', outputs: { 2024: 2_000_000 }, verifiedT: { 2023: 1_000_000 } });
    give(w, e, 'CEA-23', 134_700);
    must(surrender(w.ctx, 'p1', '2023', 'CEA-23', 134_700, tsOf('2024-12-20')));
    must(settleCycle(w.ctx, '2023', tsOf('2025-01-01'), { monthlyPriceFen: () => 9800 }));
    return { w, e };
  }

  it('given 865,300 t short for 2023, when 2025 is pre-allocated (1,120,000 t), then 865,300 t are withheld and 254,700 t credited', () => {
    const { w, e } = shortFor2023();
    expect(w.ctx.book.pendingDeductionT('p1')).toBe(865_300);
    const r = must(preAllocate(w.ctx, PLAN, 'p1', 2025, tsOf('2025-03-03')));
    expect(r).toMatchObject({
      entitledT: 1_120_000,
      deductedT: 865_300,
      creditedT: 254_700,
      yearAllocatedT: 1_120_000,
    });
    expect(w.ledger.holding(e.accountId, 'CEA-25').totalT).toBe(254_700);
    expect(w.ctx.book.pendingDeductionT('p1')).toBe(0);
    expect(w.ctx.book.year('p1', 2025).deductedT).toBe(865_300);
    expect(w.ledger.checkConservation()).toBeNull();
  });

  it('given a deduction larger than the next step, when allocated, then the step pays part and the rest waits for the true-up', () => {
    const { w, e } = shortFor2023();
    w.entities.recordOutput('p1', 2023, 1_000_000); // pre-allocation 2024 = 575,260 < 865,300
    const pre = must(preAllocate(w.ctx, PLAN, 'p1', 2024, tsOf('2025-01-10')));
    expect(pre).toMatchObject({ entitledT: 575_260, deductedT: 575_260, creditedT: 0 });
    expect(w.ctx.book.pendingDeductionT('p1')).toBe(290_040);
    const up = must(trueUpAll(w.ctx, PLAN, 2024, JULY)); // final 2024 = 2,000,000 x 0.8218 = 1,643,600
    expect(up[0]).toMatchObject({ entitledT: 1_068_340, deductedT: 290_040, creditedT: 778_300 });
    expect(w.ledger.holding(e.accountId, 'CEA-24').totalT).toBe(778_300);
    expect(w.ctx.book.pendingDeductionT('p1')).toBe(0);
    expect(w.ledger.checkConservation()).toBeNull();
  });

  it('given a market that does not deduct, when the short entity is next allocated, then nothing is withheld', () => {
    const spec = editedSpec((j) => {
      j.compliance!.penalty.deductShortfall = false;
    });
    const w = world(spec);
    const e = entity(w, { id: 'p1', outputs: { 2024: 2_000_000 }, verifiedT: { 2023: 1_000_000 } });
    give(w, e, 'CEA-23', 1);
    must(settleCycle(w.ctx, '2023', tsOf('2025-01-01'), { monthlyPriceFen: () => 9800 }));
    expect(must(preAllocate(w.ctx, PLAN, 'p1', 2025, tsOf('2025-03-03'))).deductedT).toBe(0);
  });

  it('keeps the national spec unchanged by edits in other tests', () => {
    expect(nationalSpec().compliance?.penalty.deductShortfall).toBe(true);
  });
});
