import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  applyBankingCap,
  cycleReport,
  entityReport,
  preAllocateAll,
  settleCycle,
  summarizeBy,
  surrender,
  trueUpAll,
} from '../../../../src/market/compliance/index.ts';
import { sumFenToCny } from '../../../../src/market/money.ts';
import { tsOf } from '../../../../src/market/time.ts';
import { entity, expectRejected, give, must, PLAN, shanghaiSpec, type World, world } from './fixture.ts';

const dec2024 = { monthlyPriceFen: () => 9800 };

/** The 2023 cycle: two power plants (one compliant, one 865,300 t short), a cement plant joining in 2024. */
function year2023(): World {
  const w = world();
  const p1 = entity(w, { id: 'p1', outputs: { 2022: 1_000_000, 2023: 1_000_000 }, verifiedT: { 2023: 800_000 } });
  const p2 = entity(w, { id: 'p2', outputs: { 2022: 1_000_000, 2023: 1_000_000 }, verifiedT: { 2023: 1_000_000 } });
  entity(w, { id: 'cem', sector: 'cement', coveredFrom: 2024 });
  must(preAllocateAll(w.ctx, PLAN, 2023, tsOf('2023-03-01'))); // 575,260 t each
  must(trueUpAll(w.ctx, PLAN, 2023, tsOf('2024-07-01'))); // final 821,800 t each
  must(surrender(w.ctx, 'p1', '2023', 'CEA-23', 760_000, tsOf('2024-12-20')));
  give(w, p1, 'CCER', 40_000);
  must(surrender(w.ctx, 'p1', '2023', 'CCER', 40_000, tsOf('2024-12-20')));
  must(surrender(w.ctx, 'p2', '2023', 'CEA-23', 134_700, tsOf('2024-12-31')));
  expect(w.ledger.holding(p2.accountId, 'CEA-23').totalT).toBe(687_100);
  return w;
}

describe('compliance report', () => {
  it('given an open cycle, when reported, then the shortfall is what remains and no fine yet', () => {
    const w = year2023();
    const r = must(entityReport(w.ctx, 'p2', '2023'));
    expect(r).toMatchObject({
      obligationT: 1_000_000,
      shortfallT: 865_300,
      fineFen: 0,
      settled: false,
      status: 'short',
    });
  });

  it('given the 2023 cycle settled, when reported, then per entity, per sector and market totals are integers of tonnes and fen', () => {
    const w = year2023();
    must(settleCycle(w.ctx, '2023', tsOf('2025-01-01'), dec2024));
    const rep = must(cycleReport(w.ctx, '2023'));
    expect(rep).toMatchObject({ marketId: 'national', cycleId: '2023', deadline: '2024-12-31', settled: true });
    expect(rep.entities.map((e) => e.entityId)).toEqual(['p1', 'p2']); // the cement plant is not in 2023
    expect(rep.entities[0]).toEqual({
      entityId: 'p1',
      name: 'p1 Co., Ltd.',
      sector: 'power',
      marketId: 'national',
      cycleId: '2023',
      obligationT: 800_000,
      allocatedT: 821_800,
      deductedT: 0,
      surrenderedAllowancesT: 760_000,
      surrenderedOffsetsT: 40_000,
      shortfallT: 0,
      fineFen: 0,
      settled: true,
      status: 'compliant',
    });
    expect(rep.entities[1]).toMatchObject({ shortfallT: 865_300, fineFen: 42_399_700_000, status: 'short' });
    expect(rep.market).toEqual({
      key: 'national',
      entities: 2,
      compliant: 1,
      short: 1,
      complianceRateBps: 5000,
      obligationT: 1_800_000,
      allocatedT: 1_643_600,
      deductedT: 0,
      surrenderedAllowancesT: 894_700,
      surrenderedOffsetsT: 40_000,
      shortfallT: 865_300,
      fineFen: 42_399_700_000,
      surrenderRateBps: 5192, // 934,700 / 1,800,000 = 51.927%
    });
    expect(rep.sectors.map((s) => s.key)).toEqual(['power']);
    expect(sumFenToCny(rep.entities.map((e) => e.fineFen))).toBe('423997000.00');
  });

  it('given reports from the national market and a Shanghai-like pilot, when summarized by market and by sector, then each group adds up', () => {
    const w = year2023();
    must(settleCycle(w.ctx, '2023', tsOf('2025-01-01'), dec2024));
    const sh = world(shanghaiSpec());
    const s1 = entity(sh, { id: 'sh-steel', sector: 'steel', verifiedT: { 2023: 1000 } });
    give(sh, s1, 'SHEA-23', 1000);
    must(surrender(sh.ctx, 'sh-steel', '2023', 'SHEA-23', 1000, tsOf('2024-09-30')));
    const all = [...must(cycleReport(w.ctx, '2023')).entities, ...must(cycleReport(sh.ctx, '2023')).entities];
    const byMarket = summarizeBy(all, 'marketId');
    expect(byMarket.map((g) => [g.key, g.entities, g.compliant, g.complianceRateBps])).toEqual([
      ['national', 2, 1, 5000],
      ['shanghai', 1, 1, 10_000],
    ]);
    const bySector = summarizeBy(all, 'sector');
    expect(bySector.map((g) => [g.key, g.entities, g.shortfallT])).toEqual([
      ['power', 2, 865_300],
      ['steel', 1, 0],
    ]);
    expect(summarizeBy([], 'sector')).toEqual([]);
  });

  it('given an unknown cycle or entity, when reported, then the codes say which', () => {
    const w = year2023();
    expectRejected(w, () => cycleReport(w.ctx, '2030'), 'MKT_ERR_UNKNOWN_CYCLE');
    expectRejected(w, () => entityReport(w.ctx, 'ghost', '2023'), 'MKT_ERR_UNKNOWN_ENTITY');
  });
});

describe('a whole year, end to end', () => {
  it('given 2023 settled with p2 short, when 2024 runs (deduction, banking cap, cement first year), then every step conserves tonnes', () => {
    const w = year2023();
    must(settleCycle(w.ctx, '2023', tsOf('2025-01-01'), dec2024));
    expect(w.ledger.checkConservation()).toBeNull();
    // banking: p1 holds 61,800 t of CEA-23 and sold nothing: cap 10,000 t; p2 holds 687,100 t: cap 10,000 t
    const bank = must(applyBankingCap(w.ctx, tsOf('2025-01-02')));
    expect(bank.map((b) => [b.entityId, b.cancelledT])).toEqual([
      ['cem', 0],
      ['p1', 51_800],
      ['p2', 677_100],
    ]);
    expect(w.ledger.checkConservation()).toBeNull();
    // 2024: pre-allocation (cement gets nothing up front), p2's 865,300 t deduction comes off first
    w.entities.recordOutput('cem', 2023, 1);
    const pre = must(preAllocateAll(w.ctx, PLAN, 2024, tsOf('2025-01-10')));
    expect(pre.map((p) => [p.entityId, p.entitledT, p.deductedT, p.creditedT])).toEqual([
      ['cem', 0, 0, 0],
      ['p1', 575_260, 0, 575_260],
      ['p2', 575_260, 575_260, 0],
    ]);
    for (const id of ['p1', 'p2', 'cem']) w.entities.recordVerified(id, 2024, 500_000);
    for (const id of ['p1', 'p2']) w.entities.recordOutput(id, 2024, 1_000_000);
    const up = must(trueUpAll(w.ctx, PLAN, 2024, tsOf('2025-07-01')));
    expect(up.map((p) => [p.entityId, p.creditedT, p.yearAllocatedT])).toEqual([
      ['cem', 500_000, 500_000],
      ['p1', 246_540, 821_800],
      ['p2', 0, 821_800], // 246,540 t withheld: 43,500 t still owed
    ]);
    expect(w.ctx.book.pendingDeductionT('p2')).toBe(43_500);
    expect(w.ledger.checkConservation()).toBeNull();
    const rep = must(cycleReport(w.ctx, '2024'));
    expect(rep.entities.map((e) => [e.entityId, e.allocatedT, e.deductedT, e.status])).toEqual([
      ['cem', 500_000, 0, 'short'],
      ['p1', 821_800, 0, 'short'],
      ['p2', 821_800, 821_800, 'short'],
    ]);
  });
});

describe('purity', () => {
  const forbidden = [
    /from 'node:/,
    /decimal\.js/,
    /Date\.now/,
    /new Date\(/,
    /Math\.random/,
    /randomUUID/,
    /console\./,
  ];
  const dir = join(import.meta.dirname, '../../../../src/market/compliance');
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
    it(`src/market/compliance/${f} is pure and under 400 lines`, () => {
      const text = readFileSync(join(dir, f), 'utf8');
      for (const re of forbidden) expect(text, `${f} matches ${re}`).not.toMatch(re);
      expect(text.split('\n').length).toBeLessThan(400);
    });
  }
});
