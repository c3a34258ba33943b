// One run, from a validated scenario to everything the run folder holds. Pure: the catalogue, registry, scenario
// text hash and version come in; files are written by src/store/run-folder.ts.

import { fenToCny } from '../market/money.ts';
import { cstClockText, cstDate } from '../market/time.ts';
import type { EntityResult, LoggedEvent, RunSummary } from './output-types.ts';
import type { Scenario } from './scenario/schema.ts';
import type { SimResult } from './simulation.ts';
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
  /** Keep the trade log (RunResult.trades): `--trades`. */
  readonly keepTrades?: boolean;
}

/** One trade of the log, for people and tables: exchange date and time, CNY, the parties by agent name. */
export interface TradeRow {
  readonly tradeId: number;
  readonly date: string;
  /** HH:MM, China time. */
  readonly time: string;
  readonly market: string;
  readonly instrument: string;
  readonly mode: string;
  /** CNY per tonne, two decimals. */
  readonly price: string;
  readonly qtyT: number;
  readonly buyer: string;
  readonly seller: string;
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
  /** Every trade in the order made when the request kept them (keepTrades), else empty. */
  readonly trades: readonly TradeRow[];
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
    ...(req.keepTrades === true ? { keepTrades: true } : {}),
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
    trades: tradeRows(sim),
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

/** The trade log with the parties named (the agent whose account it is; "account N" for one no agent holds). */
function tradeRows(sim: SimResult): TradeRow[] {
  if (sim.tradeLog.length === 0) return [];
  const names = new Map<number, string>();
  for (const mw of sim.world.markets) for (const a of mw.agents) names.set(a.accountId, a.name);
  const nameOf = (id: number): string => names.get(id) ?? `account ${id}`;
  return sim.tradeLog.map((t) => ({
    tradeId: t.tradeId,
    date: cstDate(t.tsMs),
    time: cstClockText(t.tsMs),
    market: t.marketId,
    instrument: t.instrumentId,
    mode: t.mode,
    price: fenToCny(t.priceFen),
    qtyT: t.qtyT,
    buyer: nameOf(t.buyerId),
    seller: nameOf(t.sellerId),
  }));
}
