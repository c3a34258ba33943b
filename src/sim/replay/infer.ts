// Replay as inference (docs/researchers.md, "Replay"): the news, in tonnes of expected shortage, that makes a
// scenario's simulated closes track a given path. Deterministic, no search over random draws:
//
//   0. Baseline: the scenario as it is, every seed. What its own events explain.
//   1. Targets Φ_d for the public valuation start at the given closes g_d.
//   2. Steered run (the first seed): each morning with a target, the news is solved for that brings the public
//      valuation to Φ_d through the model's own adjustment rule (fundamentals/daily.ts, MarketOutlook.solveNews).
//      The cumulative news of each day, in whole tonnes, becomes the series of `news` events: the day's change.
//   3. Every seed runs the scenario with those news events (no steering: the news is public and the same for all).
//   4. The targets move by the remaining error of the seeds' geometric mean close m_d:  Φ_d ← Φ_d · g_d / m_d.
//      Steps 2–4 repeat a fixed number of times; the iteration with the least mean absolute error is kept.
// The valuation leads the closes (agents trade around it, some anchored to the last trade), so the targets lead the
// given path after a few iterations. Days the file leaves out get no target: the news stays as it was.

import { SimCode, SimError } from '../errors.ts';
import { type RunContext, type RunResult, runScenario } from '../run.ts';
import type { Scenario, ScenarioEvent } from '../scenario/schema.ts';
import { type CloseStats, meanCloses, runsStats } from './compare.ts';

export interface InferInput {
  readonly ctx: RunContext;
  readonly scenario: Scenario;
  /** The market whose closes are given (one with compliance rules: its value follows an outlook). */
  readonly market: string;
  /** Given closes by date, fen. */
  readonly givenFen: ReadonlyMap<string, number>;
  readonly seeds: readonly number[];
  readonly iterations: number;
  /** The hash a run's manifest carries (the store's scenarioHash; passed in, the core does no hashing). */
  readonly hashOf: (s: Scenario) => string;
}

export interface Iteration {
  readonly k: number;
  readonly stats: CloseStats;
}

export interface Inference {
  readonly baseline: readonly RunResult[];
  readonly baselineStats: CloseStats;
  /** The kept iteration's news events, in date order (one per day whose news changed). */
  readonly news: readonly NewsEvent[];
  /** The scenario with the news among its events: what the runs ran, and what a counterfactual changes. */
  readonly withNews: Scenario;
  readonly runs: readonly RunResult[];
  readonly stats: CloseStats;
  readonly iterations: readonly Iteration[];
  readonly kept: number;
}

export type NewsEvent = Extract<ScenarioEvent, { kind: 'news' }>;

/** The scenario with news events merged in: after its own events of the same date, dates in order. */
export function scenarioWithNews(s: Scenario, news: readonly NewsEvent[]): Scenario {
  const events: ScenarioEvent[] = [];
  let i = 0;
  for (const e of s.events) {
    while (i < news.length && news[i]!.date < e.date) events.push(news[i++]!);
    events.push(e);
  }
  while (i < news.length) events.push(news[i++]!);
  return { ...s, events };
}

/** News events from a cumulative series per trading day (tonnes): one event per change. */
export function newsEvents(market: string, days: readonly string[], cumulativeT: readonly number[]): NewsEvent[] {
  const out: NewsEvent[] = [];
  let prev = 0;
  days.forEach((date, i) => {
    const c = cumulativeT[i] ?? prev;
    if (c !== prev) out.push({ date, kind: 'news', market, shortageT: c - prev });
    prev = c;
  });
  return out;
}

export function inferNews(input: InferInput): Inference {
  const { ctx, scenario, market, givenFen, seeds, hashOf } = input;
  if (seeds.length === 0) throw new SimError(SimCode.Args, 'replay needs at least one seed');
  if (input.iterations < 1) throw new SimError(SimCode.Args, 'replay needs at least one iteration');
  if (scenario.events.some((e) => e.kind === 'news'))
    throw new SimError(SimCode.Args, `${scenario.id} carries news events already: replay infers them afresh`);
  const runAll = (s: Scenario): RunResult[] => {
    const hash = hashOf(s);
    return seeds.map((seed) => runScenario(ctx, { scenario: s, scenarioHash: hash, seed }));
  };
  const baseline = runAll(scenario);
  const days = baseline[0]!.summary.markets[market]?.daily.map((d) => d.date);
  if (days === undefined) throw new SimError(SimCode.Args, `${scenario.id} has no market ${market}`);
  if (baseline[0]!.newsT[market] === undefined)
    throw new SimError(SimCode.Args, `${market} has no compliance outlook: news cannot move its value`);
  const baselineStats = runsStats(givenFen, baseline, market);
  const target = new Map(givenFen);
  const iterations: Iteration[] = [];
  let best: { k: number; news: NewsEvent[]; withNews: Scenario; runs: RunResult[]; stats: CloseStats } | null = null;
  const hash = hashOf(scenario);
  for (let k = 0; k < input.iterations; k++) {
    const steered = runScenario(ctx, {
      scenario,
      scenarioHash: hash,
      seed: seeds[0]!,
      steer: (id, date) => (id === market ? (target.get(date) ?? null) : null),
    });
    const news = newsEvents(market, days, steered.newsT[market]!);
    const withNews = scenarioWithNews(scenario, news);
    const runs = runAll(withNews);
    const mean = meanCloses(runs, market);
    const stats = runsStats(givenFen, runs, market);
    iterations.push({ k, stats });
    if (best === null || stats.maePct < best.stats.maePct) best = { k, news, withNews, runs, stats };
    // The error of each day, in logs, averaged with its neighbours': one seed-mean close is noisy, and the valuation
    // must lead it by 1/λ, so a target chasing each day's noise would turn into news swinging back and forth.
    const dates = [...givenFen.keys()];
    const err = dates.map((date) => {
      const m = mean.get(date);
      return m === undefined || m <= 0 ? null : Math.log(givenFen.get(date)! / m);
    });
    dates.forEach((date, i) => {
      const near = [err[i - 1], err[i], err[i + 1]].filter((e): e is number => e !== undefined && e !== null);
      if (err[i] === null || near.length === 0) return;
      const e = near.reduce((a, b) => a + b, 0) / near.length;
      target.set(date, target.get(date)! * Math.exp(e));
    });
  }
  return {
    baseline,
    baselineStats,
    news: best!.news,
    withNews: best!.withNews,
    runs: best!.runs,
    stats: best!.stats,
    iterations,
    kept: best!.k,
  };
}
