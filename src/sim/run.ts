// One run, from a validated scenario to everything the run folder holds. Pure: the catalogue, registry, scenario
// text hash and version come in; files are written by src/store/run-folder.ts.

import type { EntityResult, LoggedEvent, RunSummary } from './output-types.ts';
import type { Scenario } from './scenario/schema.ts';
import { type MarketBar, simulate } from './simulation.ts';
import { buildOutput } from './summary.ts';
import type { SimData } from './world.ts';

export interface RunContext extends SimData {
  readonly version: string;
}

export interface RunRequest {
  readonly scenario: Scenario;
  /** sha256 of the scenario as run (after any parameter overrides), hex. */
  readonly scenarioHash: string;
  readonly seed: number;
  /** A replay's targets for the public valuation (see SimInput.steer); absent in every other run. */
  readonly steer?: (marketId: string, date: string) => number | null;
}

export interface Manifest {
  readonly scenario: string;
  readonly scenarioHash: string;
  readonly seed: number;
  readonly version: string;
  readonly period: { readonly from: string; readonly to: string };
  readonly tradingDays: number;
  readonly orders: number;
  readonly trades: number;
  readonly rejected: number;
  /** Rejections by code: agents acting on stale views (a listing taken a moment before) are expected, in small numbers. */
  readonly rejectedByCode: Readonly<Record<string, number>>;
  readonly entities: number;
  readonly agents: number;
}

export interface RunResult {
  readonly summary: RunSummary;
  readonly entities: readonly EntityResult[];
  readonly events: readonly LoggedEvent[];
  readonly bars: readonly MarketBar[];
  readonly manifest: Manifest;
  /** The public valuation per market per day, CNY (from fundamentals; replay reports show it beside the path). */
  readonly fairCny: Readonly<Record<string, number[]>>;
  /** Per market with an outlook, per day: the expected shortage news has added so far, tonnes. */
  readonly newsT: Readonly<Record<string, number[]>>;
}

export function runScenario(ctx: RunContext, req: RunRequest): RunResult {
  const s = req.scenario;
  const sim = simulate({
    scenario: s,
    markets: ctx.markets,
    calendar: ctx.calendar,
    entities: ctx.entities,
    plans: ctx.plans,
    abatement: ctx.abatement,
    seed: req.seed,
    ...(req.steer === undefined ? {} : { steer: req.steer }),
  });
  const c = sim.world.counters;
  const out = buildOutput(sim, { id: s.id, title: s.title, hash: req.scenarioHash, seed: req.seed }, c);
  const rejectedByCode: Record<string, number> = {};
  for (const [k, v] of [...c.byCode].sort()) rejectedByCode[k] = v;
  const fairCny: Record<string, number[]> = {};
  const newsT: Record<string, number[]> = {};
  for (const [k, v] of sim.fair) {
    fairCny[k] = v.publicFen.map((f) => Math.round(f) / 100);
    if (v.balances.length > 0) newsT[k] = v.balances.map((b) => b.newsT);
  }
  return {
    summary: out.summary,
    entities: out.entities,
    events: sim.events,
    bars: sim.bars,
    fairCny,
    newsT,
    manifest: {
      scenario: s.id,
      scenarioHash: req.scenarioHash,
      seed: req.seed,
      version: ctx.version,
      period: out.summary.period,
      tradingDays: sim.days.length,
      orders: c.orders,
      trades: sim.trades,
      rejected: c.rejected,
      rejectedByCode,
      entities: sim.world.registry.list().length,
      agents: sim.world.markets.reduce((n, m) => n + m.agents.length, 0),
    },
  };
}
