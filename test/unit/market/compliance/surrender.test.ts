import { describe, expect, it } from 'vitest';
import { obligation, settleCycle, surrender, trueUp } from '../../../../src/market/compliance/index.ts';
import { tsOf } from '../../../../src/market/time.ts';
import { entity, expectRejected, give, must, PLAN, shanghaiSpec, type World, world } from './fixture.ts';

const DEC = tsOf('2024-12-20', '10:00');

/** An entity with 1,000,000 t verified for 2023 and 2024, holding plenty of every vintage and credit. */
function national(): { w: World; id: string } {
  const w = world();
  const e = entity(w, { id: 'p1', verifiedT: { 2021: 400_000, 2022: 400_000, 2023: 1_000_000, 2024: 1_000_000 } });
  for (const ins of ['CEA-19-20', 'CEA-21', 'CEA-22', 'CEA-23', 'CEA-24', 'CEA-25']) give(w, e, ins, 2_000_000);
  for (const ins of ['CCER', 'CCER-LEGACY', 'SHCERCIR1']) give(w, e, ins, 200_000);
  return { w, id: e.id };
}

describe('obligation', () => {
  it('given 1,000,000 t verified for 2023 and no cap, then the obligation is 1,000,000 t', () => {
    const { w } = national();
    expect(must(obligation(w.ctx, 'p1', '2023'))).toMatchObject({
      verifiedT: 1_000_000,
      capT: null,
      obligationT: 1_000_000,
    });
  });

  it('given 2019-2020 verified 200,000 t against 150,000 t allocated, then the obligation is capped at 150,000 + 20% x 200,000 = 190,000 t', () => {
    const w = world();
    entity(w, { id: 'p1', outputs: { 2019: 100_000, 2020: 100_000 }, verifiedT: { 2019: 100_000, 2020: 100_000 } });
    must(trueUp(w.ctx, PLAN, 'p1', 2019, tsOf('2021-03-01')));
    must(trueUp(w.ctx, PLAN, 'p1', 2020, tsOf('2021-03-01')));
    expect(must(obligation(w.ctx, 'p1', '2019-2020'))).toMatchObject({
      verifiedT: 200_000,
      allocatedT: 150_000,
      capT: 190_000,
      obligationT: 190_000,
    });
  });

  it('given a cap above verified emissions, then the obligation stays at verified emissions', () => {
    const w = world();
    entity(w, { id: 'p1', outputs: { 2021: 1_000_000, 2022: 1_000_000 }, verifiedT: { 2021: 700_000, 2022: 700_000 } });
    must(trueUp(w.ctx, PLAN, 'p1', 2021, tsOf('2022-07-01')));
    must(trueUp(w.ctx, PLAN, 'p1', 2022, tsOf('2023-07-01')));
    expect(must(obligation(w.ctx, 'p1', '2021-2022'))).toMatchObject({ capT: 1_880_000, obligationT: 1_400_000 });
  });

  it('given a cement plant covered from 2024, then it has no 2023 obligation (MKT_ERR_NOT_ELIGIBLE), and none before verification', () => {
    const w = world();
    entity(w, { id: 'cem', sector: 'cement', coveredFrom: 2024 });
    const a = obligation(w.ctx, 'cem', '2023');
    const b = obligation(w.ctx, 'cem', '2024');
    const c = obligation(w.ctx, 'cem', '2099');
    expect([a, b, c].map((r) => (r.ok ? 'ok' : r.code))).toEqual([
      'MKT_ERR_NOT_ELIGIBLE',
      'MKT_ERR_NOT_VERIFIED',
      'MKT_ERR_UNKNOWN_CYCLE',
    ]);
  });
});

describe('surrender: deadline', () => {
  it('given the 2023 cycle (deadline 2024-12-31), when surrendering at 23:59 China time on 2024-12-31, then accepted', () => {
    const { w } = national();
    const r = must(surrender(w.ctx, 'p1', '2023', 'CEA-23', 600_000, tsOf('2024-12-31', '23:59')));
    expect(r).toMatchObject({ kind: 'allowance', allowanceT: 600_000, remainingT: 400_000, obligationT: 1_000_000 });
    expect(w.ledger.records().at(-1)).toMatchObject({ kind: 'surrender', ref: 'compliance:2023:p1', qtyT: -600_000 });
    expect(w.ledger.checkConservation()).toBeNull();
  });

  it('given the 2023 cycle, when surrendering on 2025-01-01 00:00 China time, then MKT_ERR_DEADLINE_PASSED and nothing changes', () => {
    const { w } = national();
    const msg = expectRejected(
      w,
      () => surrender(w.ctx, 'p1', '2023', 'CEA-23', 1, tsOf('2025-01-01', '00:00')),
      'MKT_ERR_DEADLINE_PASSED',
    );
    expect(msg).toMatch(/2024-12-31/);
  });

  it('given the Shanghai 2023 deadline 2024-09-30, when surrendering on 2024-10-01, then MKT_ERR_DEADLINE_PASSED', () => {
    const w = world(shanghaiSpec());
    const e = entity(w, { id: 'sh1', verifiedT: { 2023: 100_000 } });
    give(w, e, 'SHEA-23', 100_000);
    expectRejected(
      w,
      () => surrender(w.ctx, 'sh1', '2023', 'SHEA-23', 1, tsOf('2024-10-01')),
      'MKT_ERR_DEADLINE_PASSED',
    );
    expect(must(surrender(w.ctx, 'sh1', '2023', 'SHEA-23', 100_000, tsOf('2024-09-30', '15:00'))).remainingT).toBe(0);
  });
});

describe('surrender: vintages and borrowing', () => {
  it('given the 2023 cycle (no borrowing), when CEA-24 is surrendered, then MKT_ERR_NOT_USABLE_FOR_COMPLIANCE', () => {
    const { w } = national();
    const msg = expectRejected(
      w,
      () => surrender(w.ctx, 'p1', '2023', 'CEA-24', 1000, DEC),
      'MKT_ERR_NOT_USABLE_FOR_COMPLIANCE',
    );
    expect(msg).toMatch(/borrowing/);
  });

  it('given the 2023 cycle, when banked CEA-19-20, CEA-21, CEA-22 and CEA-23 are surrendered, then all are accepted', () => {
    const { w } = national();
    for (const ins of ['CEA-19-20', 'CEA-21', 'CEA-22', 'CEA-23']) must(surrender(w.ctx, 'p1', '2023', ins, 1000, DEC));
    expect(w.ctx.book.surrendered('p1', '2023').allowanceT).toBe(4000);
  });

  it('given the 2021-2022 cycle (borrowing allowed), when CEA-23 is surrendered before 2023-12-31, then it is accepted', () => {
    const { w } = national();
    expect(must(surrender(w.ctx, 'p1', '2021-2022', 'CEA-23', 100_000, tsOf('2023-12-29'))).kind).toBe('allowance');
  });

  it('given the 2019-2020 cycle (no borrowing), when CEA-21 is surrendered, then it is refused', () => {
    const w = world();
    const e = entity(w, { id: 'p1', verifiedT: { 2019: 10, 2020: 10 } });
    give(w, e, 'CEA-21', 100, '2021-03-01');
    expectRejected(
      w,
      () => surrender(w.ctx, 'p1', '2019-2020', 'CEA-21', 5, tsOf('2021-12-01')),
      'MKT_ERR_NOT_USABLE_FOR_COMPLIANCE',
    );
  });

  it('given an allowance of another market, when surrendered in the national market, then it is refused', () => {
    const { w } = national();
    give(w, must(w.entities.find('p1')), 'SHEA-23', 10);
    expectRejected(w, () => surrender(w.ctx, 'p1', '2023', 'SHEA-23', 5, DEC), 'MKT_ERR_NOT_USABLE_FOR_COMPLIANCE');
  });
});

describe('surrender: offsets', () => {
  it('given an obligation of 1,000,000 t, when exactly 5% (50,000 t) of CCER is surrendered, then accepted; 1 t more is MKT_ERR_OFFSET_CAP_EXCEEDED', () => {
    const { w } = national();
    const r = must(surrender(w.ctx, 'p1', '2023', 'CCER', 50_000, DEC));
    expect(r).toMatchObject({ kind: 'offset', offsetT: 50_000, offsetCapT: 50_000 });
    expectRejected(w, () => surrender(w.ctx, 'p1', '2023', 'CCER', 1, DEC), 'MKT_ERR_OFFSET_CAP_EXCEEDED');
    expectRejected(w, () => surrender(w.ctx, 'p1', '2023', 'CCER-LEGACY', 1, DEC), 'MKT_ERR_OFFSET_CAP_EXCEEDED');
    must(surrender(w.ctx, 'p1', '2023', 'CEA-23', 950_000, DEC));
    expect(w.ledger.checkConservation()).toBeNull();
  });

  it('given an obligation of 1,000,000 t, when 50,001 t of CCER is surrendered at once, then refused and nothing changes', () => {
    const { w } = national();
    expectRejected(w, () => surrender(w.ctx, 'p1', '2023', 'CCER', 50_001, DEC), 'MKT_ERR_OFFSET_CAP_EXCEEDED');
  });

  it('given CCER-LEGACY usable until 2024-12-31, when surrendered on 2024-12-31 then accepted, on 2025-01-01 (2024 cycle) then refused', () => {
    const { w } = national();
    must(surrender(w.ctx, 'p1', '2023', 'CCER-LEGACY', 10_000, tsOf('2024-12-31', '14:00')));
    const msg = expectRejected(
      w,
      () => surrender(w.ctx, 'p1', '2024', 'CCER-LEGACY', 10_000, tsOf('2025-01-01', '10:00')),
      'MKT_ERR_NOT_USABLE_FOR_COMPLIANCE',
    );
    expect(msg).toMatch(/until 2024-12-31/);
    must(surrender(w.ctx, 'p1', '2024', 'CCER', 10_000, tsOf('2025-01-01', '10:00')));
  });

  it('given the national market, when SHCERCIR1 is surrendered, then refused: it is not in the national offsets list', () => {
    const { w } = national();
    const msg = expectRejected(
      w,
      () => surrender(w.ctx, 'p1', '2023', 'SHCERCIR1', 100, DEC),
      'MKT_ERR_NOT_USABLE_FOR_COMPLIANCE',
    );
    expect(msg).toMatch(/neither an allowance of market national nor one of its usable offsets/);
  });

  it('given Shanghai (SHCERCIR1 from 2024-09-13), when surrendered on 2024-09-12 then refused, on 2024-09-13 then accepted', () => {
    const w = world(shanghaiSpec());
    const e = entity(w, { id: 'sh1', outputs: { 2023: 1_000_000 }, verifiedT: { 2023: 1_000_000 } });
    must(trueUp(w.ctx, PLAN, 'sh1', 2023, tsOf('2024-07-01'))); // offsets capped at 5% of 821,800 t allocated
    give(w, e, 'SHCERCIR1', 10_000);
    expectRejected(
      w,
      () => surrender(w.ctx, 'sh1', '2023', 'SHCERCIR1', 100, tsOf('2024-09-12', '10:00')),
      'MKT_ERR_NOT_USABLE_FOR_COMPLIANCE',
    );
    expect(must(surrender(w.ctx, 'sh1', '2023', 'SHCERCIR1', 100, tsOf('2024-09-13', '10:00'))).kind).toBe('offset');
  });

  it('given Shanghai caps offsets at 5% of allocation (800,000 t allocated, 1,000,000 t owed), then 40,000 t is the cap, not 50,000 t', () => {
    const w = world(shanghaiSpec());
    const e = entity(w, { id: 'sh1', outputs: { 2023: 973_473 }, verifiedT: { 2023: 1_000_000 } });
    must(trueUp(w.ctx, PLAN, 'sh1', 2023, tsOf('2024-07-01'))); // 973,473 MWh x 0.8218 = 800,000 t
    expect(w.ledger.holding(e.accountId, 'SHEA-23').totalT).toBe(800_000);
    give(w, e, 'CCER', 60_000);
    expectRejected(
      w,
      () => surrender(w.ctx, 'sh1', '2023', 'CCER', 40_001, tsOf('2024-09-20')),
      'MKT_ERR_OFFSET_CAP_EXCEEDED',
    );
    expect(must(surrender(w.ctx, 'sh1', '2023', 'CCER', 40_000, tsOf('2024-09-20'))).offsetCapT).toBe(40_000);
  });
});

describe('surrender: local share of offsets (Beijing: at least half local)', () => {
  it('given Shanghai-like caps with localMinBps 5000, non-local CCER is limited to half the cap; local SHCERCIR1 fills the rest', () => {
    const spec = shanghaiSpec();
    const w = world({ ...spec, offsets: { ...spec.offsets!, localMinBps: 5000 } });
    const e = entity(w, { id: 'sh1', outputs: { 2023: 973_473 }, verifiedT: { 2023: 1_000_000 } });
    must(trueUp(w.ctx, PLAN, 'sh1', 2023, tsOf('2024-07-01'))); // 800,000 t allocated: cap 40,000 t
    give(w, e, 'CCER', 60_000);
    give(w, e, 'SHCERCIR1', 60_000);
    const at = tsOf('2024-09-20');
    must(surrender(w.ctx, 'sh1', '2023', 'CCER', 20_000, at));
    const r = expectRejected(w, () => surrender(w.ctx, 'sh1', '2023', 'CCER', 1, at), 'MKT_ERR_OFFSET_CAP_EXCEEDED');
    expect(r).toMatch(/local projects/);
    expect(must(surrender(w.ctx, 'sh1', '2023', 'SHCERCIR1', 20_000, at)).offsetT).toBe(40_000);
  });

  it('the shipped Beijing entry asks for at least half local offsets', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const bj = JSON.parse(readFileSync(join(import.meta.dirname, '../../../../data/markets/beijing.json'), 'utf8'));
    expect(bj.offsets.localMinBps).toBe(5000);
  });
});

describe('surrender: other rejections change nothing', () => {
  it('given 400,000 t left to surrender, when 400,001 t are offered, then MKT_ERR_EXCEEDS_OBLIGATION', () => {
    const { w } = national();
    must(surrender(w.ctx, 'p1', '2023', 'CEA-23', 600_000, DEC));
    expectRejected(w, () => surrender(w.ctx, 'p1', '2023', 'CEA-23', 400_001, DEC), 'MKT_ERR_EXCEEDS_OBLIGATION');
    expect(must(surrender(w.ctx, 'p1', '2023', 'CEA-23', 400_000, DEC)).remainingT).toBe(0);
  });

  it('given an entity holding 10 t, when it surrenders 11 t, then MKT_ERR_INSUFFICIENT_ALLOWANCES', () => {
    const w = world();
    const e = entity(w, { id: 'p1', verifiedT: { 2023: 1000 } });
    give(w, e, 'CEA-23', 10);
    expectRejected(w, () => surrender(w.ctx, 'p1', '2023', 'CEA-23', 11, DEC), 'MKT_ERR_INSUFFICIENT_ALLOWANCES');
    expect(w.ctx.book.surrendered('p1', '2023').allowanceT).toBe(0);
  });

  it.each([
    ['an unknown entity', 'ghost', '2023', 10, 'MKT_ERR_UNKNOWN_ENTITY'],
    ['an unknown cycle', 'p1', '2030', 10, 'MKT_ERR_UNKNOWN_CYCLE'],
    ['zero tonnes', 'p1', '2023', 0, 'MKT_ERR_BAD_INPUT'],
    ['fractional tonnes', 'p1', '2023', 1.5, 'MKT_ERR_BAD_INPUT'],
    ['a cycle not yet verified', 'p1', '2025', 10, 'MKT_ERR_NOT_VERIFIED'],
  ])('given %s, when surrendering, then %s', (_what, id, cycle, qty, code) => {
    const { w } = national();
    const inst = cycle === '2025' ? 'CEA-25' : 'CEA-23';
    expectRejected(w, () => surrender(w.ctx, id, cycle, inst, qty, DEC), code);
  });

  it('given the 2023 cycle settled, when surrendering for it, then MKT_ERR_ALREADY_SETTLED', () => {
    const { w } = national();
    must(settleCycle(w.ctx, '2023', tsOf('2025-01-01'), { monthlyPriceFen: () => 9800 }));
    expectRejected(w, () => surrender(w.ctx, 'p1', '2023', 'CEA-23', 1, DEC), 'MKT_ERR_ALREADY_SETTLED');
  });
});
