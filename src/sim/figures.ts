// Published figures and how a run measures up to them (calibrate, fit, batch aggregates). A figure file in
// data/figures names the market, each figure's kind, the published value and the tolerance: relative (±pct) or a
// bound (at least, at most, above). Measures read the run summary only, so they apply to any run of any scenario.

import Type from 'typebox';
import { schemaProblem } from '../market/catalogue/parse.ts';
import { SimCode, SimError } from './errors.ts';
import type { MarketSummary, RunSummary } from './output-types.ts';

const Mode = Type.Union([Type.Literal('listed'), Type.Literal('block')]);
const Common = {
  id: Type.String({ minLength: 1 }),
  label: Type.String({ minLength: 1 }),
  published: Type.Number(),
  tolerancePct: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
  bound: Type.Optional(Type.Union([Type.Literal('at-least'), Type.Literal('at-most'), Type.Literal('above')])),
};
const Strict = { additionalProperties: false } as const;
const FigureSchema = Type.Union([
  Type.Object(
    {
      ...Common,
      kind: Type.Union([Type.Literal('volume'), Type.Literal('turnover'), Type.Literal('average')]),
      modes: Type.Array(Mode, { minItems: 1 }),
    },
    Strict,
  ),
  Type.Object(
    { ...Common, kind: Type.Union([Type.Literal('high'), Type.Literal('low'), Type.Literal('last-close')]) },
    Strict,
  ),
  Type.Object(
    {
      ...Common,
      kind: Type.Union([Type.Literal('mean-close'), Type.Literal('min-close'), Type.Literal('max-close')]),
      from: Type.String(),
      to: Type.String(),
    },
    Strict,
  ),
  Type.Object(
    { ...Common, kind: Type.Union([Type.Literal('volume-ratio'), Type.Literal('close-ratio')]), date: Type.String() },
    Strict,
  ),
]);
export const FiguresFileSchema = Type.Object(
  {
    scenario: Type.String(),
    market: Type.String(),
    title: Type.String(),
    sources: Type.Array(Type.String(), { minItems: 1 }),
    notes: Type.Array(Type.String()),
    figures: Type.Array(FigureSchema, { minItems: 1 }),
  },
  Strict,
);
export type FiguresFile = Type.Static<typeof FiguresFileSchema>;
export type FigureSpec = Type.Static<typeof FigureSchema>;

export function parseFigures(file: string, json: unknown): FiguresFile {
  const p = schemaProblem(FiguresFileSchema, json);
  if (p !== null) throw new SimError(SimCode.Scenario, `${file}: ${p.field || '(top level)'}: ${p.message}`);
  const f = json as FiguresFile;
  for (const [i, x] of f.figures.entries())
    if ((x.tolerancePct === undefined) === (x.bound === undefined))
      throw new SimError(SimCode.Scenario, `${file}: /figures/${i}: give either tolerancePct or bound`);
  return f;
}

export interface FigureResult {
  readonly figure: string;
  readonly published: number;
  /** Median over the runs measured. */
  readonly simulated: number;
  /** (simulated − published) / published, or null for a bound. */
  readonly error: number | null;
  readonly ok: boolean;
  /** Share of the runs (seeds) whose own value is within tolerance (or the bound), 0..1. */
  readonly seedsOk: number;
}

const num = (s: string | null): number => (s === null ? Number.NaN : Number(s));

/** The figure's value in one run (NaN when the run has nothing to measure, e.g. no trade). */
export function measure(summary: RunSummary, marketId: string, f: FigureSpec): number {
  const m: MarketSummary | undefined = summary.markets[marketId];
  if (m === undefined) throw new SimError(SimCode.Unsupported, `the run has no market ${marketId}`);
  const d = m.daily;
  switch (f.kind) {
    case 'volume':
    case 'turnover':
    case 'average': {
      let v = 0;
      let t = 0;
      for (const row of d)
        for (const mode of f.modes) {
          v += row[mode].volumeT;
          t += Number(row[mode].turnoverCny);
        }
      return f.kind === 'volume' ? v : f.kind === 'turnover' ? t : v > 0 ? t / v : Number.NaN;
    }
    case 'high':
      return Math.max(...d.filter((r) => r.high !== null).map((r) => num(r.high)));
    case 'low':
      return Math.min(...d.filter((r) => r.low !== null).map((r) => num(r.low)));
    case 'last-close':
      return num(d[d.length - 1]?.close ?? null);
    case 'mean-close':
    case 'min-close':
    case 'max-close': {
      const c = d.filter((r) => r.date >= f.from && r.date <= f.to && r.close !== null).map((r) => num(r.close));
      if (c.length === 0) return Number.NaN;
      if (f.kind === 'min-close') return Math.min(...c);
      if (f.kind === 'max-close') return Math.max(...c);
      return c.reduce((a, b) => a + b, 0) / c.length;
    }
    case 'volume-ratio':
    case 'close-ratio': {
      const val = (r: (typeof d)[number]): number =>
        f.kind === 'volume-ratio' ? r.listed.volumeT + r.block.volumeT : num(r.close);
      const mean = (rows: typeof d): number => rows.reduce((a, r) => a + val(r), 0) / rows.length;
      const before = d.filter((r) => r.date < f.date);
      const after = d.filter((r) => r.date >= f.date);
      return before.length === 0 || after.length === 0 ? Number.NaN : mean(after) / mean(before);
    }
  }
}

/** The p-quantile (0..1) of the values, linear between order statistics; NaN values are ignored, NaN if none is left. */
export function quantile(values: readonly number[], p: number): number {
  const s = values.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const h = (s.length - 1) * p;
  const lo = Math.floor(h);
  const a = s[lo]!;
  const b = s[Math.min(lo + 1, s.length - 1)]!;
  return a + (h - lo) * (b - a);
}

export const median = (xs: readonly number[]): number => quantile(xs, 0.5);

export function judge(f: FigureSpec, simulated: number): FigureResult {
  if (f.bound !== undefined) {
    const ok =
      !Number.isNaN(simulated) &&
      (f.bound === 'at-least'
        ? simulated >= f.published
        : f.bound === 'at-most'
          ? simulated <= f.published
          : simulated > f.published);
    return { figure: f.label, published: f.published, simulated, error: null, ok, seedsOk: ok ? 1 : 0 };
  }
  const error = (simulated - f.published) / f.published;
  const ok = Math.abs(error) <= f.tolerancePct! / 100;
  return { figure: f.label, published: f.published, simulated, error, ok, seedsOk: ok ? 1 : 0 };
}

/** Every figure, each the median over the runs. */
export function compare(file: FiguresFile, runs: readonly RunSummary[]): FigureResult[] {
  return file.figures.map((f) => {
    const values = runs.map((r) => measure(r, file.market, f));
    const seedsOk = values.length === 0 ? 0 : values.filter((v) => judge(f, v).ok).length / values.length;
    return { ...judge(f, median(values)), seedsOk };
  });
}

/** Distance of a set of results from the published figures, for fitting: Σ (error / tolerance)², bounds as misses. */
export function loss(file: FiguresFile, results: readonly FigureResult[]): number {
  let sum = 0;
  results.forEach((r, i) => {
    const f = file.figures[i]!;
    if (Number.isNaN(r.simulated)) sum += 100;
    else if (r.error !== null) sum += (r.error / (f.tolerancePct! / 100)) ** 2;
    else if (!r.ok) sum += 1 + (10 * Math.abs(r.simulated - r.published)) / Math.max(1, Math.abs(r.published));
  });
  return sum;
}
