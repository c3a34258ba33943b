// A counterfactual against its replay: the same days, seeds and inferred news, one policy changed. Per day the seeds'
// mean paths side by side; for the period, each measure per seed pair (same seed, so the same draws wherever the
// change does not reach) and its spread across seeds. Pure; money in CNY as numbers only for reporting.

import type { RunResult } from '../run.ts';
import { seedsDays } from './compare.ts';

export interface CounterfactualDay {
  readonly date: string;
  /** Seeds' mean (geometric) close, CNY; null when no seed has one. */
  readonly replayClose: number | null;
  readonly counterfactualClose: number | null;
  /** Seeds' mean of the day's volume, listed and block, tonnes. */
  readonly replayVolumeT: number;
  readonly counterfactualVolumeT: number;
}

export interface Measure {
  readonly name: string;
  readonly unit: string;
  /** Means over seeds. */
  readonly replay: number;
  readonly counterfactual: number;
  /** Mean of the per-seed differences (counterfactual − replay), and their smallest and largest. */
  readonly difference: number;
  readonly lowest: number;
  readonly highest: number;
}

const mean = (xs: readonly number[]): number => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);

export function counterfactualDays(
  replay: readonly RunResult[],
  counterfactual: readonly RunResult[],
  market: string,
): CounterfactualDay[] {
  const b = seedsDays(counterfactual, market);
  return seedsDays(replay, market).map((a, i) => ({
    date: a.date,
    replayClose: a.meanCny,
    counterfactualClose: b[i]!.meanCny,
    replayVolumeT: a.volumeT,
    counterfactualVolumeT: b[i]!.volumeT,
  }));
}

/** One run's period measures: listed average price, volumes, and per sector its compliance cost and fines. */
function measuresOf(r: RunResult, market: string): Map<string, { unit: string; value: number }> {
  const out = new Map<string, { unit: string; value: number }>();
  let lv = 0;
  let lt = 0;
  let bv = 0;
  for (const d of r.summary.markets[market]!.daily) {
    lv += d.listed.volumeT;
    lt += Number(d.listed.turnoverCny);
    bv += d.block.volumeT;
  }
  out.set('listed average price', { unit: 'CNY/t', value: lv > 0 ? lt / lv : 0 });
  out.set('listed volume', { unit: 't', value: lv });
  out.set('block volume', { unit: 't', value: bv });
  let fines = 0;
  for (const c of r.summary.compliance) {
    if (c.marketId !== market) continue;
    const cost = Number(c.netCostCny) + Number(c.fineCny);
    const key = `compliance cost, ${c.sector} (${c.cycleId})`;
    out.set(key, { unit: 'CNY', value: (out.get(key)?.value ?? 0) + cost });
    fines += Number(c.fineCny);
  }
  out.set('fines', { unit: 'CNY', value: fines });
  return out;
}

/** The period's measures of both sides, seed by seed (runs in the same seed order). */
export function counterfactualMeasures(
  replay: readonly RunResult[],
  counterfactual: readonly RunResult[],
  market: string,
): Measure[] {
  const a = replay.map((r) => measuresOf(r, market));
  const b = counterfactual.map((r) => measuresOf(r, market));
  const names = [...new Set([...a.flatMap((m) => [...m.keys()]), ...b.flatMap((m) => [...m.keys()])])];
  return names.map((name) => {
    const unit = a[0]?.get(name)?.unit ?? b[0]?.get(name)?.unit ?? '';
    const diffs = a.map((m, i) => (b[i]?.get(name)?.value ?? 0) - (m.get(name)?.value ?? 0));
    return {
      name,
      unit,
      replay: mean(a.map((m) => m.get(name)?.value ?? 0)),
      counterfactual: mean(b.map((m) => m.get(name)?.value ?? 0)),
      difference: mean(diffs),
      lowest: Math.min(...diffs),
      highest: Math.max(...diffs),
    };
  });
}
