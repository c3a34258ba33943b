// Sobol sensitivity indices from a Saltelli design (src/batch/design.ts, SALib's row order), with bootstrap
// confidence intervals. First order: Saltelli et al. (2010), S_i = mean((f_B − m)·(f_ABi − f_A)) / V; total: Jansen
// (1999), ST_i = mean((f_A − f_ABi)²) / 2V; V the variance of f_A and f_B together, m their mean. Centring f_B on m
// leaves the estimate's expectation as it is (f_ABi − f_A has mean zero) and removes the variance a large mean adds:
// a price of ~90 CNY/t that moves by cents gave first-order intervals of ±90 on 32 samples, ±0.4 once centred.
// The intervals resample the N base samples with replacement (1,000 times, a fixed stream) and take the 2.5% and
// 97.5% quantiles. Checked on the Ishigami function, whose indices are known (test/unit/batch/sensitivity.test.ts).
// Pure.
//
// In a batch, a point's output is the mean of the figure over its seeds: the indices split the variance of the
// expected figure across the parameters (the seeds' noise left in the means adds to no parameter's first order).
import { quantile } from '../sim/figures.ts';
import type { RunSummary } from '../sim/output-types.ts';
import { Rng } from '../sim/rng.ts';
import { safeMeasure } from './aggregate.ts';
import type { FigureSet } from './figures.ts';
import type { BatchPlan } from './plan.ts';

export interface IndexEstimate {
  readonly value: number;
  readonly low: number;
  readonly high: number;
}

export interface SobolIndices {
  /** Per parameter, in the design's order. */
  readonly first: readonly IndexEstimate[];
  readonly total: readonly IndexEstimate[];
  /** Base samples used (those with every output a number). */
  readonly samples: number;
}

export const BOOTSTRAP = 1000;

function estimate(
  fa: Float64Array,
  fb: Float64Array,
  fab: readonly Float64Array[],
  pick: ArrayLike<number>,
): { first: number[]; total: number[] } {
  const n = pick.length;
  let sum = 0;
  let sq = 0;
  for (let k = 0; k < n; k++) {
    const j = pick[k]!;
    sum += fa[j]! + fb[j]!;
    sq += fa[j]! * fa[j]! + fb[j]! * fb[j]!;
  }
  const mean = sum / (2 * n);
  const v = sq / (2 * n) - mean * mean;
  const first: number[] = [];
  const total: number[] = [];
  for (const f of fab) {
    let s = 0;
    let t = 0;
    for (let k = 0; k < n; k++) {
      const j = pick[k]!;
      s += (fb[j]! - mean) * (f[j]! - fa[j]!);
      t += (fa[j]! - f[j]!) ** 2;
    }
    first.push(v > 0 ? s / n / v : Number.NaN);
    total.push(v > 0 ? t / n / 2 / v : Number.NaN);
  }
  return { first, total };
}

/** Indices of the d parameters from the outputs of a Saltelli design of n base samples (n·(d+2) values). */
export function sobolIndices(y: readonly number[], n: number, d: number, resamples = BOOTSTRAP): SobolIndices {
  if (y.length !== n * (d + 2)) throw new RangeError(`Sobol indices: ${y.length} outputs for ${n}·(${d}+2) rows`);
  const keep: number[] = [];
  for (let j = 0; j < n; j++) {
    let ok = true;
    for (let t = 0; t < d + 2; t++) if (!Number.isFinite(y[j * (d + 2) + t]!)) ok = false;
    if (ok) keep.push(j);
  }
  const m = keep.length;
  const fa = new Float64Array(m);
  const fb = new Float64Array(m);
  const fab = Array.from({ length: d }, () => new Float64Array(m));
  keep.forEach((j, k) => {
    fa[k] = y[j * (d + 2)]!;
    for (let i = 0; i < d; i++) fab[i]![k] = y[j * (d + 2) + 1 + i]!;
    fb[k] = y[j * (d + 2) + d + 1]!;
  });
  const all = Uint32Array.from({ length: m }, (_, k) => k);
  const point = estimate(fa, fb, fab, all);
  const rng = new Rng(0, 'sensitivity/bootstrap');
  const boots = {
    first: Array.from({ length: d }, () => [] as number[]),
    total: Array.from({ length: d }, () => [] as number[]),
  };
  const pick = new Uint32Array(m);
  for (let r = 0; r < (m > 1 ? resamples : 0); r++) {
    for (let k = 0; k < m; k++) pick[k] = rng.int(m);
    const e = estimate(fa, fb, fab, pick);
    for (let i = 0; i < d; i++) {
      boots.first[i]!.push(e.first[i]!);
      boots.total[i]!.push(e.total[i]!);
    }
  }
  const ci = (value: number, xs: number[]): IndexEstimate => ({
    value,
    low: xs.length === 0 ? Number.NaN : quantile(xs, 0.025),
    high: xs.length === 0 ? Number.NaN : quantile(xs, 0.975),
  });
  return {
    first: point.first.map((v, i) => ci(v, boots.first[i]!)),
    total: point.total.map((v, i) => ci(v, boots.total[i]!)),
    samples: m,
  };
}

export interface FigureSensitivity {
  readonly figure: string;
  readonly label: string;
  readonly indices: SobolIndices;
}

/** Per figure of the batch, the indices of a Sobol design's parameters; null for other plans. */
export function batchSensitivity(
  plan: BatchPlan,
  figures: FigureSet,
  runs: ReadonlyMap<string, RunSummary>,
): FigureSensitivity[] | null {
  const spec = plan.design?.spec;
  if (spec === undefined || spec.kind !== 'sobol') return null;
  const d = spec.params.length;
  const byPoint = new Map(plan.points.map((p) => [p.id, [] as RunSummary[]]));
  for (const j of plan.jobs) {
    const r = runs.get(j.key);
    if (r !== undefined) byPoint.get(j.point.id)!.push(r);
  }
  return figures.figures.map((f) => {
    const y = plan.points.map((p) => {
      const xs = byPoint
        .get(p.id)!
        .map((r) => safeMeasure(r, f.market, f.spec))
        .filter(Number.isFinite);
      return xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
    });
    return { figure: f.id, label: f.label, indices: sobolIndices(y, spec.n, d) };
  });
}

const num = (x: number): string => (Number.isFinite(x) ? String(Number(x.toPrecision(6))) : '');

/** figure, parameter, S1 with its interval, ST with its interval, base samples: one row per figure and parameter. */
export function sensitivityCsv(plan: BatchPlan, s: readonly FigureSensitivity[]): string {
  const params = plan.design?.spec.params ?? [];
  const lines = ['figure,parameter,S1,S1_low,S1_high,ST,ST_low,ST_high,samples'];
  for (const f of s)
    params.forEach((p, i) => {
      const a = f.indices.first[i]!;
      const t = f.indices.total[i]!;
      lines.push(
        [f.figure, p.path, num(a.value), num(a.low), num(a.high), num(t.value), num(t.low), num(t.high)]
          .concat(String(f.indices.samples))
          .join(','),
      );
    });
  return `${lines.join('\n')}\n`;
}
