// Simulated closes against given ones: the measures `cets replay` reports. Pure.

import type { RunResult } from '../run.ts';

export interface CloseStats {
  /** Days with both a given and a simulated close. */
  readonly days: number;
  /** Mean absolute error of the seeds' mean close, CNY and percent of the given close. */
  readonly maeCny: number;
  readonly maePct: number;
  /** The mean over seeds of each seed's own mean absolute error, percent (a single path's fit). */
  readonly seedMaePct: number;
  /** Pearson correlation of the daily closes (mean path); NaN with fewer than 2 days or a flat series. */
  readonly correlation: number;
  /** Share of the given closes' variance the mean path explains: 1 − Σ(g − m)² / Σ(g − ḡ)². */
  readonly explained: number;
}

/** A run's closes of one market by date, fen (days with a close). */
export function closesOf(r: RunResult, market: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const d of r.summary.markets[market]?.daily ?? [])
    if (d.close !== null) out.set(d.date, Math.round(Number(d.close) * 100));
  return out;
}

/** The geometric mean over runs of each day's close (fen, unrounded), over the runs that have one that day. */
export function meanCloses(runs: readonly RunResult[], market: string): Map<string, number> {
  const sum = new Map<string, { log: number; n: number }>();
  for (const r of runs)
    for (const [date, fen] of closesOf(r, market)) {
      const s = sum.get(date) ?? { log: 0, n: 0 };
      s.log += Math.log(fen);
      s.n++;
      sum.set(date, s);
    }
  const out = new Map<string, number>();
  for (const [date, s] of sum) out.set(date, Math.exp(s.log / s.n));
  return out;
}

/** One day of a set of runs (seeds): the mean close (geometric, CNY), the lowest and highest, the mean volume. */
export interface SeedsDay {
  readonly date: string;
  /** null when no run has a close that day. */
  readonly meanCny: number | null;
  readonly lowCny: number | null;
  readonly highCny: number | null;
  /** Listed and block together, tonnes, mean over the runs. */
  readonly volumeT: number;
}

/** Per day of the market: what the runs' closes and volumes give together. */
export function seedsDays(runs: readonly RunResult[], market: string): SeedsDay[] {
  const mean = meanCloses(runs, market);
  return runs[0]!.summary.markets[market]!.daily.map((d, i) => {
    let low = Number.POSITIVE_INFINITY;
    let high = Number.NEGATIVE_INFINITY;
    let volumeT = 0;
    for (const r of runs) {
      const x = r.summary.markets[market]!.daily[i]!;
      volumeT += x.listed.volumeT + x.block.volumeT;
      if (x.close === null) continue;
      low = Math.min(low, Number(x.close));
      high = Math.max(high, Number(x.close));
    }
    const m = mean.get(d.date);
    const any = low <= high;
    return {
      date: d.date,
      meanCny: m === undefined ? null : Math.round(m) / 100,
      lowCny: any ? low : null,
      highCny: any ? high : null,
      volumeT: volumeT / runs.length,
    };
  });
}

export function pearson(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  if (n < 2 || ys.length !== n) return Number.NaN;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx === 0 || syy === 0 ? Number.NaN : sxy / Math.sqrt(sxx * syy);
}

const mean = (xs: readonly number[]): number =>
  xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length;

/** Mean absolute percentage error of sim against given over the days both have. */
function mape(given: ReadonlyMap<string, number>, sim: ReadonlyMap<string, number>): number {
  const errs: number[] = [];
  for (const [date, g] of given) {
    const s = sim.get(date);
    if (s !== undefined) errs.push((100 * Math.abs(s - g)) / g);
  }
  return mean(errs);
}

/** Given closes (fen) against the seeds' mean path (fen); `runs` and `market` add the per-seed error. */
export function closeStats(
  given: ReadonlyMap<string, number>,
  meanPath: ReadonlyMap<string, number>,
  perSeed: readonly ReadonlyMap<string, number>[] = [],
): CloseStats {
  const g: number[] = [];
  const m: number[] = [];
  for (const [date, fen] of given) {
    const s = meanPath.get(date);
    if (s === undefined) continue;
    g.push(fen);
    m.push(s);
  }
  const gBar = mean(g);
  let sse = 0;
  let sst = 0;
  for (let i = 0; i < g.length; i++) {
    sse += (g[i]! - m[i]!) ** 2;
    sst += (g[i]! - gBar) ** 2;
  }
  return {
    days: g.length,
    maeCny: mean(g.map((x, i) => Math.abs(m[i]! - x))) / 100,
    maePct: mape(given, meanPath),
    seedMaePct: perSeed.length === 0 ? mape(given, meanPath) : mean(perSeed.map((p) => mape(given, p))),
    correlation: pearson(g, m),
    explained: sst === 0 ? Number.NaN : 1 - sse / sst,
  };
}

/** closeStats of runs against given closes: the mean path and each seed's. */
export function runsStats(given: ReadonlyMap<string, number>, runs: readonly RunResult[], market: string): CloseStats {
  return closeStats(
    given,
    meanCloses(runs, market),
    runs.map((r) => closesOf(r, market)),
  );
}
