// Quantiles across seeds, per grid point: each figure of the batch's figure set, and each market's daily close.
// Pure; the batch writes the result as aggregate.json, aggregate.csv and aggregate.html.
import type { FanReportInput, FanSeries } from '../report/fan-chart.ts';
import { measure, quantile } from '../sim/figures.ts';
import type { RunSummary } from '../sim/output-types.ts';
import type { FigureSet } from './figures.ts';
import type { BatchPlan } from './plan.ts';

export const QUANTILES = [0.05, 0.25, 0.5, 0.75, 0.95] as const;
export const QUANTILE_KEYS = ['q05', 'q25', 'q50', 'q75', 'q95'] as const;
export type QuantileKey = (typeof QUANTILE_KEYS)[number];
/** null when no run had a value (e.g. no trade). */
export type Quantiles = Record<QuantileKey, number | null>;

/**
 * The p-quantile of the values, NaN ignored, by linear interpolation between order statistics (R's type 7, numpy's
 * default): q50 is the median as calibrate reports it. NaN when nothing is left.
 */

export function quantiles(values: readonly number[]): Quantiles {
  const out = {} as Quantiles;
  QUANTILE_KEYS.forEach((k, i) => {
    const q = quantile(values, QUANTILES[i]!);
    out[k] = Number.isFinite(q) ? round(q) : null;
  });
  return out;
}

/** 6 significant decimals are plenty for prices and tonnes, and keep the files readable. */
const round = (x: number): number => Math.round(x * 1e6) / 1e6;

export interface CloseFan {
  readonly dates: string[];
  readonly q05: (number | null)[];
  readonly q25: (number | null)[];
  readonly q50: (number | null)[];
  readonly q75: (number | null)[];
  readonly q95: (number | null)[];
}

export interface PointAggregate {
  readonly id: string;
  readonly params: Readonly<Record<string, string>>;
  readonly scenarioHash: string;
  /** Runs with a result. */
  readonly runs: number;
  readonly failed: number;
  /** Figure id -> quantiles across the runs. */
  readonly figures: Readonly<Record<string, Quantiles>>;
  /** Market id -> daily close quantiles (CNY/t). */
  readonly closes: Readonly<Record<string, CloseFan>>;
}

export interface Aggregate {
  readonly scenario: string;
  readonly title: string;
  readonly grid: Readonly<Record<string, readonly string[]>>;
  readonly seeds: readonly number[];
  readonly figureSource: string;
  readonly figures: readonly { id: string; label: string; market: string; published: number | null }[];
  readonly points: readonly PointAggregate[];
}

function closeFan(runs: readonly RunSummary[], marketId: string): CloseFan {
  const byDate = new Map<string, number[]>();
  for (const r of runs)
    for (const d of r.markets[marketId]?.daily ?? []) {
      const xs = byDate.get(d.date) ?? [];
      byDate.set(d.date, xs);
      if (d.close !== null) xs.push(Number(d.close));
    }
  const dates = [...byDate.keys()].sort();
  const fan: CloseFan = { dates, q05: [], q25: [], q50: [], q75: [], q95: [] };
  for (const date of dates) {
    const q = quantiles(byDate.get(date)!);
    for (const k of QUANTILE_KEYS) fan[k].push(q[k]);
  }
  return fan;
}

/** A figure of a run, NaN where it has none (no trade, no such market). */
export function safeMeasure(...args: Parameters<typeof measure>): number {
  try {
    return measure(...args);
  } catch {
    return Number.NaN;
  }
}

/**
 * Quantiles per grid point. `runs` maps a job key to its run summary (jobs without one did not finish), `failed`
 * holds the keys of the jobs that failed.
 */
export function aggregate(
  plan: BatchPlan,
  figures: FigureSet,
  runs: ReadonlyMap<string, RunSummary>,
  failed: ReadonlySet<string>,
): Aggregate {
  const points = plan.points.map((p): PointAggregate => {
    const jobs = plan.jobs.filter((j) => j.point === p);
    const summaries = jobs.flatMap((j) => {
      const r = runs.get(j.key);
      return r === undefined ? [] : [r];
    });
    const figs: Record<string, Quantiles> = {};
    for (const f of figures.figures) figs[f.id] = quantiles(summaries.map((s) => safeMeasure(s, f.market, f.spec)));
    const closes: Record<string, CloseFan> = {};
    for (const m of p.scenario.markets) closes[m.id] = closeFan(summaries, m.id);
    return {
      id: p.id,
      params: p.params,
      scenarioHash: p.scenarioHash,
      runs: summaries.length,
      failed: jobs.filter((j) => failed.has(j.key)).length,
      figures: figs,
      closes,
    };
  });
  return {
    scenario: plan.base.id,
    title: plan.base.title,
    grid: plan.grid,
    seeds: plan.seeds,
    figureSource: figures.source,
    figures: figures.figures.map((f) => ({ id: f.id, label: f.label, market: f.market, published: f.published })),
    points,
  };
}

function csvCell(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

const numCell = (x: number | null): string => (x === null ? '' : String(x));

/** point, one column per grid path, figure, q05..q95: one row per point and figure. */
export function aggregateCsv(a: Aggregate): string {
  const paths = Object.keys(a.grid);
  const lines = [['point', ...paths, 'figure', ...QUANTILE_KEYS].map(csvCell).join(',')];
  for (const p of a.points)
    for (const f of a.figures) {
      const q = p.figures[f.id]!;
      lines.push(
        [p.id, ...paths.map((k) => p.params[k] ?? ''), f.id]
          .map(csvCell)
          .concat(QUANTILE_KEYS.map((k) => numCell(q[k])))
          .join(','),
      );
    }
  return `${lines.join('\n')}\n`;
}

/** "p0 (agents.noise.count=10, ...)", or "p0" for a batch without a grid. */
export function pointLabel(p: Pick<PointAggregate, 'id' | 'params'>): string {
  const ps = Object.entries(p.params).map(([k, v]) => `${k}=${v}`);
  return ps.length === 0 ? p.id : `${p.id} (${ps.join(', ')})`;
}

const fmt = (x: number | null): string =>
  x === null ? 'n/a' : Math.abs(x) >= 1000 ? Math.round(x).toLocaleString('en-US') : x.toFixed(2);

/** Up to this many points, aggregate.html also lays the figures side by side, a column per point. */
export const SIDE_BY_SIDE_MAX = 12;

/** The inputs of renderFanReport: one fan per point (first market's close) and a table of figure quantiles. */
export function fanReportParts(a: Aggregate): {
  fans: FanSeries[];
  table: FanReportInput['table'];
} {
  const fans = a.points.flatMap((p): FanSeries[] => {
    const [market, fan] = Object.entries(p.closes)[0] ?? [];
    if (market === undefined || fan === undefined) return [];
    const nums = (xs: readonly (number | null)[]): number[] => xs.map((x) => (x === null ? Number.NaN : x));
    return [
      {
        label: `${pointLabel(p)}: ${market} close, ${p.runs} run${p.runs === 1 ? '' : 's'}`,
        // Every point's close of the market on one chart (src/report/fan-chart.ts overlays a group).
        group: `${market} close`,
        point: pointLabel(p),
        runs: p.runs,
        dates: [...fan.dates],
        q05: nums(fan.q05),
        q25: nums(fan.q25),
        q50: nums(fan.q50),
        q75: nums(fan.q75),
        q95: nums(fan.q95),
        unit: 'CNY/t',
      },
    ];
  });
  // One text column (the report right-aligns the others): "p0 (path=value): figure", or the figure alone without a grid.
  const single = a.points.length === 1 && Object.keys(a.points[0]!.params).length === 0;
  const rows = a.points.flatMap((p) =>
    a.figures.map((f) => {
      const q = p.figures[f.id]!;
      return [
        single ? f.label : `${pointLabel(p)}: ${f.label}`,
        f.published === null ? '' : fmt(f.published),
        ...QUANTILE_KEYS.map((k) => fmt(q[k])),
      ];
    }),
  );
  const columns = [single ? 'figure' : 'point: figure', 'published', '5%', '25%', 'median', '75%', '95%'];
  // The same figures side by side, a column per point: median [5%–95%] (a grid of a few points; a design's hundreds
  // stay in the long table and aggregate.csv).
  const byPoint =
    a.points.length < 2 || a.points.length > SIDE_BY_SIDE_MAX
      ? undefined
      : {
          columns: ['figure', 'published', ...a.points.map((p) => `${pointLabel(p)}, ${p.runs} runs`)],
          rows: a.figures.map((f) => [
            f.label,
            f.published === null ? '' : fmt(f.published),
            ...a.points.map((p) => {
              const q = p.figures[f.id]!;
              return `${fmt(q.q50)} [${fmt(q.q05)}–${fmt(q.q95)}]`;
            }),
          ]),
        };
  return { fans, table: { columns, rows, ...(byPoint === undefined ? {} : { byPoint }) } };
}
