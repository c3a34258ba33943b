import { describe, expect, it } from 'vitest';
import { aggregate, aggregateCsv, fanReportParts, quantiles } from '../../../src/batch/aggregate.ts';
import type { FigureSet } from '../../../src/batch/figures.ts';
import type { BatchPlan, BatchPoint } from '../../../src/batch/plan.ts';
import { quantile } from '../../../src/sim/figures.ts';
import type { DailyRow, RunSummary } from '../../../src/sim/output-types.ts';
import type { Scenario } from '../../../src/sim/scenario/schema.ts';

describe('quantile', () => {
  it('interpolates linearly between order statistics (type 7), ignoring NaN', () => {
    const xs = [5, 1, 4, 2, 3];
    expect(quantile(xs, 0)).toBe(1);
    expect(quantile(xs, 0.5)).toBe(3);
    expect(quantile(xs, 1)).toBe(5);
    expect(quantile(xs, 0.25)).toBe(2);
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([0, 10], 0.05)).toBeCloseTo(0.5);
    expect(quantile([0, 10], 0.95)).toBeCloseTo(9.5);
    expect(quantile([7, Number.NaN], 0.95)).toBe(7);
    expect(quantile([], 0.5)).toBeNaN();
  });

  it('gives the five quantiles of 1..101 exactly, and nulls when there is nothing', () => {
    const xs = Array.from({ length: 101 }, (_, i) => i + 1);
    expect(quantiles(xs)).toEqual({ q05: 6, q25: 26, q50: 51, q75: 76, q95: 96 });
    expect(quantiles([Number.NaN])).toEqual({ q05: null, q25: null, q50: null, q75: null, q95: null });
  });
});

const day = (date: string, close: number | null, listedT: number, blockT: number): DailyRow => ({
  date,
  open: null,
  high: close === null ? null : close.toFixed(2),
  low: close === null ? null : close.toFixed(2),
  close: close === null ? null : close.toFixed(2),
  listed: { volumeT: listedT, turnoverCny: ((close ?? 0) * listedT).toFixed(2) },
  block: { volumeT: blockT, turnoverCny: '0.00' },
});

function summary(seed: number, closes: (number | null)[], listedT: number): RunSummary {
  const dates = ['2024-07-01', '2024-07-02', '2024-07-03'];
  return {
    scenario: { id: 'syn', title: 'Synthetic', hash: 'h' },
    seed,
    period: { from: dates[0]!, to: dates[2]! },
    markets: {
      national: {
        id: 'national',
        name: 'National',
        instruments: ['CEA'],
        daily: dates.map((d, i) => day(d, closes[i] ?? null, listedT, 1000)),
        monthly: {},
      },
    },
    compliance: [],
    counts: { orders: 0, trades: 0, rejected: 0, days: 3 },
  };
}

describe('aggregate', () => {
  const scenario = { id: 'syn', title: 'Synthetic', markets: [{ id: 'national' }] } as unknown as Scenario;
  const points: BatchPoint[] = ['1', '2'].map((v, i) => ({
    id: `p${i}`,
    params: { 'agents.noise.count': v },
    scenario,
    scenarioHash: `hash${i}`,
  }));
  const seeds = [1, 2, 3, 4, 5];
  const plan: BatchPlan = {
    base: scenario,
    file: 'syn.json',
    grid: { 'agents.noise.count': ['1', '2'] },
    design: null,
    seeds,
    points,
    trades: false,
    jobs: points.flatMap((point) => seeds.map((seed) => ({ key: `${point.id}-seed${seed}`, point, seed }))),
  };
  const figures: FigureSet = {
    source: 'default',
    figures: [
      {
        id: 'listed-volume',
        label: 'listed volume (t)',
        market: 'national',
        published: null,
        spec: { id: 'listed-volume', label: 'l', kind: 'volume', modes: ['listed'], published: 0, tolerancePct: 1 },
      },
      {
        id: 'last-close',
        label: 'last close',
        market: 'national',
        published: 95,
        spec: { id: 'last-close', label: 'c', kind: 'last-close', published: 0, tolerancePct: 1 },
      },
    ],
  };
  // p0: seeds 1..5, listed 100..500 t a day, last close 91..95; seed 5 has no close on day 2.
  // p1: seeds 1 and 2 ran, 3 failed, 4 and 5 did not finish.
  const runs = new Map<string, RunSummary>();
  for (const s of seeds) runs.set(`p0-seed${s}`, summary(s, [80 + s, s === 5 ? null : 85 + s, 90 + s], 100 * s));
  runs.set('p1-seed1', summary(1, [80, 80, 80], 10));
  runs.set('p1-seed2', summary(2, [90, 90, 90], 20));
  const a = aggregate(plan, figures, runs, new Set(['p1-seed3']));

  it('counts runs and failures per point and keeps the parameters', () => {
    expect(a.points.map((p) => [p.id, p.runs, p.failed])).toEqual([
      ['p0', 5, 0],
      ['p1', 2, 1],
    ]);
    expect(a.points[1]!.params).toEqual({ 'agents.noise.count': '2' });
  });

  it('gives the quantiles of each figure across seeds', () => {
    // listed volume over 3 days: 300, 600, ..., 1500
    expect(a.points[0]!.figures['listed-volume']).toEqual({ q05: 360, q25: 600, q50: 900, q75: 1200, q95: 1440 });
    expect(a.points[0]!.figures['last-close']).toEqual({ q05: 91.2, q25: 92, q50: 93, q75: 94, q95: 94.8 });
    expect(a.points[1]!.figures['last-close']!.q50).toBe(85);
  });

  it('gives a fan of daily closes per market, days without a close left out', () => {
    const fan = a.points[0]!.closes['national']!;
    expect(fan.dates).toEqual(['2024-07-01', '2024-07-02', '2024-07-03']);
    expect(fan.q50).toEqual([83, 87.5, 93]);
    expect(fan.q05[0]).toBeCloseTo(81.2);
  });

  it('writes a CSV row per point and figure, and the parts of the fan report', () => {
    const lines = aggregateCsv(a).trim().split('\n');
    expect(lines[0]).toBe('point,agents.noise.count,figure,q05,q25,q50,q75,q95');
    expect(lines).toHaveLength(5);
    expect(lines[1]).toBe('p0,1,listed-volume,360,600,900,1200,1440');
    const parts = fanReportParts(a);
    expect(parts.fans).toHaveLength(2);
    expect(parts.fans[0]!.label).toContain('p0 (agents.noise.count=1)');
    expect(parts.fans[0]!.q50).toEqual([83, 87.5, 93]);
    expect(parts.table.rows).toHaveLength(4);
    expect(parts.table.columns[0]).toBe('point: figure');
    expect(parts.table.rows[1]).toEqual([
      'p0 (agents.noise.count=1): last close',
      '95.00',
      '91.20',
      '92.00',
      '93.00',
      '94.00',
      '94.80',
    ]);
  });
});
