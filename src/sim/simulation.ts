// The discrete-event loop of a run. Each trading day of the period:
//   1. events dated up to today take effect (news moves beliefs and activity; allocations, admissions, issuance);
//   2. every market's expected price takes its daily step (pinned to the given path in a replay);
//   3. the markets open; every agent draws its looks for the day from its own stream (a Poisson number at uniform
//      session minutes, plus fixed times for dealers); all looks of all markets run in time order;
//   4. rule changes dated up to the next trading day are announced (a listed band applies from the next day), the
//      markets close, closes are recorded; on the last trading day on or before a cycle's deadline the entities
//      surrender what they hold (offsets first, up to the cap) and the cycle is settled: shortfalls fined.
// Pure and deterministic: no clock, only seeded streams; the same input gives the same output, byte for byte.

import { preAllocateAll, settleCycle, surrender, trueUpAll } from '../market/compliance/index.ts';
import type { DailyBar } from '../market/daily-stats.ts';
import { monthlyAveragePriceFen } from '../market/daily-stats.ts';
import { describeRuleChange } from '../market/rule-change.ts';
import { addDays, dayNumber, tsOf } from '../market/time.ts';
import type { TradeRecord } from '../market/trade.ts';
import type { Agent } from './agents/agent.ts';
import { SimCode, SimError } from './errors.ts';
import type { LoggedEvent } from './output-types.ts';
import { Rng } from './rng.ts';
import type { Scenario, ScenarioEvent } from './scenario/schema.ts';
import {
  admitEntities,
  buildWorld,
  type MarketWorld,
  ruleChangeOf,
  type SimData,
  type World,
  type WorldInput,
} from './world.ts';

export interface ReplayDay {
  readonly closeFen: number;
  readonly volumeT: number;
}

export interface SimInput extends SimData {
  readonly scenario: Scenario;
  readonly seed: number;
  /** Replay: the given daily path of one market; its expected price is anchored to it. */
  readonly replay?: { readonly marketId: string; readonly days: ReadonlyMap<string, ReplayDay> } | null;
}

export interface MarketBar extends DailyBar {
  readonly marketId: string;
}

export interface SimResult {
  readonly world: World;
  readonly days: readonly string[];
  readonly bars: readonly MarketBar[];
  readonly events: readonly LoggedEvent[];
  readonly trades: number;
  /** Net cash spent on trades per account (buys + fees − sells), fen. */
  readonly netCostFen: ReadonlyMap<number, number>;
  /** Expected price per market per day (fen), for replay reports. */
  readonly beliefs: ReadonlyMap<string, number[]>;
}

const NEWS_DECAY_DAYS = 5;
const AGENT_BITS = 2 ** 22;

function poisson(rng: Rng, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * rng.normal()));
  const l = Math.exp(-mean);
  let k = 0;
  let p = rng.next();
  while (p > l) {
    k++;
    p *= rng.next();
  }
  return k;
}

export function simulate(input: SimInput): SimResult {
  const s = input.scenario;
  const days = input.calendar.tradingDays(s.period.from, s.period.to);
  if (days.length === 0)
    throw new SimError(SimCode.Scenario, `${s.id}: no trading day in ${s.period.from}..${s.period.to}`);
  const wi: WorldInput = { ...input, firstDay: days[0]! };
  const world = buildWorld(wi);
  const log: LoggedEvent[] = [];
  const bars: MarketBar[] = [];
  const netCost = new Map<number, number>();
  const beliefs = new Map<string, number[]>(world.markets.map((m) => [m.setup.id, []]));
  let trades = 0;
  for (const mw of world.markets) {
    mw.market.onTrade((t: TradeRecord) => {
      trades++;
      netCost.set(t.buyerId, (netCost.get(t.buyerId) ?? 0) + t.priceFen * t.qtyT + t.buyerFeeFen);
      netCost.set(t.sellerId, (netCost.get(t.sellerId) ?? 0) - t.priceFen * t.qtyT + t.sellerFeeFen);
      if (t.instrumentId !== mw.setup.instrument) return;
      const seller = world.byAccount.get(t.sellerId);
      if (seller !== undefined) seller.netSoldT += t.qtyT;
      const buyer = world.byAccount.get(t.buyerId);
      if (buyer !== undefined) buyer.netSoldT -= t.qtyT;
    });
  }
  // Each agent's clock stream, kept when entities admitted later (admit-sectors) join the schedule.
  const clockOf = new Map<Agent, Rng>();
  let all: Agent[] = [];
  let homes: MarketWorld[] = [];
  let clocks: Rng[] = [];
  let wakes: Float64Array = new Float64Array(4096);
  const schedule = (): void => {
    const count = world.markets.reduce((n, m) => n + m.agents.length, 0);
    if (count === all.length) return;
    homes = world.markets.flatMap((m) => m.agents.map(() => m));
    all = world.markets.flatMap((m) => m.agents);
    clocks = all.map((a) => {
      const c = clockOf.get(a) ?? new Rng(input.seed, `${a.name}/clock`);
      clockOf.set(a, c);
      return c;
    });
  };
  const boosts: { market: string; day: number; boost: number }[] = [];
  const applied = new Set<ScenarioEvent>();
  for (const e of s.events) if (ruleChangeOf(e) !== null && e.date <= days[0]!) applied.add(e);
  const settled = new Set<string>();

  days.forEach((date, di) => {
    const day0 = tsOf(date, '00:00');
    world.today = dayNumber(date);
    for (const e of s.events) {
      if (applied.has(e) || e.date > date || ruleChangeOf(e) !== null) continue;
      applied.add(e);
      applyEvent(world, wi, e, date, day0, log, boosts);
    }
    for (const mw of world.markets) {
      const pinned = input.replay?.marketId === mw.setup.id ? input.replay.days.get(date) : undefined;
      if (pinned !== undefined) mw.venue.belief.pin(pinned.closeFen);
      mw.venue.belief.step();
      beliefs.get(mw.setup.id)!.push(mw.venue.belief.fen);
      let act = 1;
      for (const b of boosts)
        if (b.market === mw.setup.id) act += (b.boost / 10_000) * Math.exp(-(world.today - b.day) / NEWS_DECAY_DAYS);
      mw.venue.activity = act;
      mw.board?.clear();
      const r = mw.market.openDay(tsOf(date, '09:00'));
      if (!r.ok) throw new SimError(SimCode.Unsupported, `${mw.setup.id} could not open ${date}: ${r.message}`);
    }
    schedule();
    wakes = runDay(all, homes, clocks, day0, date, wakes);
    const next = days[di + 1];
    for (const e of s.events) {
      const rc = ruleChangeOf(e);
      if (rc === null || applied.has(e) || e.date > (next ?? date)) continue;
      applied.add(e);
      const mw = world.markets.find((m) => m.setup.id === rc.market)!;
      const r = mw.market.applyRuleChange(rc.change);
      if (!r.ok) throw new SimError(SimCode.Scenario, `${s.id}: event on ${e.date}: ${r.message}`);
      if (mw.ctx !== null) mw.ctx = { ...mw.ctx, spec: r.value, rules: r.value.compliance! };
      for (const agent of mw.entityAgents)
        if (rc.change.kind === 'deadline' && rc.change.cycleId === mw.setup.cycle)
          agent.plan.deadlineDay = dayNumber(rc.change.deadline);
      log.push({
        date: e.date,
        kind: e.kind,
        marketId: rc.market,
        text: `${describeRuleChange(rc.change)}${e.note ? ` (${e.note})` : ''}`,
      });
    }
    for (const mw of world.markets) {
      const r = mw.market.closeDay(tsOf(date, '15:30'));
      if (!r.ok) throw new SimError(SimCode.Unsupported, `${mw.setup.id} could not close ${date}: ${r.message}`);
      for (const b of r.value.bars) bars.push({ ...b, marketId: mw.setup.id });
      mw.venue.closes.push(mw.market.stats.closeFen(mw.setup.instrument));
      mw.venue.lastListedT =
        r.value.bars.find((b) => b.mode === 'listed' && b.instrumentId === mw.setup.instrument)?.volumeT ?? 0;
    }
    const nextOpen = next ?? input.calendar.nextTradingDay(date);
    for (const mw of world.markets) settleIfDue(world, mw, date, nextOpen, settled, log);
  });
  return { world, days, bars, events: log, trades, netCostFen: netCost, beliefs };
}

/** One day's looks of every agent, in time order. homes[i] is the market of agent i. */
function runDay(
  all: readonly Agent[],
  homes: readonly MarketWorld[],
  clocks: readonly Rng[],
  day0: number,
  date: string,
  scratch: Float64Array,
): Float64Array {
  // Wake keys (minute x AGENT_BITS + agent) exceed small-integer range: a plain array would box each one, so they go
  // in a reused Float64Array, which also sorts numerically without a comparator. Returns the (maybe grown) buffer.
  let keys = scratch;
  let nKeys = 0;
  const push = (key: number): void => {
    if (nKeys === keys.length) {
      const grown = new Float64Array(keys.length * 2);
      grown.set(keys);
      keys = grown;
    }
    keys[nKeys++] = key;
  };
  for (let i = 0; i < all.length; i++) {
    const agent = all[i]!;
    const mw = homes[i]!;
    const fixed = agent.fixedWakes?.() ?? null;
    if (fixed !== null) for (const m of fixed) push(wallMinute(mw, m) * AGENT_BITS + i);
    const n = poisson(clocks[i]!, agent.wakesToday(date) * agent.venue.activity);
    for (let k = 0; k < n; k++) push(wallMinute(mw, clocks[i]!.int(mw.sessionMinutes)) * AGENT_BITS + i);
  }
  const sorted = keys.subarray(0, nKeys).sort();
  for (const key of sorted) {
    const minute = Math.floor(key / AGENT_BITS);
    const i = key - minute * AGENT_BITS;
    let inBlock = false;
    for (const [a, len] of homes[i]!.blockWindows) if (minute >= a && minute < a + len) inBlock = true;
    all[i]!.act(day0 + minute * 60_000, inBlock);
  }
  return keys;
}

/** Session minute (0 = first minute of the listed sessions) -> minute of the day. */
function wallMinute(mw: MarketWorld, m: number): number {
  let left = m;
  for (const [start, len] of mw.windows) {
    if (left < len) return start + left;
    left -= len;
  }
  const last = mw.windows[mw.windows.length - 1]!;
  return last[0] + last[1] - 1;
}

function applyEvent(
  world: World,
  wi: WorldInput,
  e: ScenarioEvent,
  date: string,
  day0: number,
  log: LoggedEvent[],
  boosts: { market: string; day: number; boost: number }[],
): void {
  const note = e.note ? ` (${e.note})` : '';
  const mwOf = (id: string): MarketWorld => world.markets.find((m) => m.setup.id === id)!;
  switch (e.kind) {
    case 'announcement':
      for (const id of e.markets) {
        mwOf(id).venue.belief.shock(e.impactBps);
        if (e.activityBoostBps > 0) boosts.push({ market: id, day: world.today, boost: e.activityBoostBps });
      }
      log.push({
        date: e.date,
        kind: e.kind,
        marketId: e.markets.length === 1 ? e.markets[0]! : null,
        text: `${e.title}${note}`,
      });
      return;
    case 'admit-sectors': {
      const mw = mwOf(e.market);
      const n = admitEntities(world, wi, mw, e.sectors, day0);
      log.push({
        date: e.date,
        kind: e.kind,
        marketId: e.market,
        text: `${n} entities of ${e.sectors.join(', ')} admitted${note}`,
      });
      return;
    }
    case 'allocation': {
      const mw = mwOf(e.market);
      if (mw.ctx === null || mw.plan === null) {
        log.push({
          date: e.date,
          kind: e.kind,
          marketId: e.market,
          text: `no covered entities: nothing allocated${note}`,
        });
        return;
      }
      const r =
        e.step === 'pre-allocation'
          ? preAllocateAll(mw.ctx, mw.plan, e.year, day0)
          : trueUpAll(mw.ctx, mw.plan, e.year, day0);
      if (!r.ok)
        throw new SimError(SimCode.Scenario, `${wi.scenario.id}: ${e.step} ${e.year} on ${date}: ${r.message}`);
      const t = r.value.reduce((s, x) => s + x.creditedT, 0);
      log.push({
        date: e.date,
        kind: e.kind,
        marketId: e.market,
        text: `${e.step} ${e.year}: ${t} t to ${r.value.length} entities${note}`,
      });
      return;
    }
    case 'ccer-issuance': {
      const mw = mwOf('ccer');
      const suppliers = mw.agents.filter((a) => a.name.includes('offset-supplier'));
      if (suppliers.length === 0 || e.qtyT === 0) {
        log.push({
          date: e.date,
          kind: e.kind,
          marketId: 'ccer',
          text: `no offset suppliers: ${e.instrument} not issued${note}`,
        });
        return;
      }
      const per = Math.floor(e.qtyT / suppliers.length);
      for (const a of suppliers)
        world.ledger.issue(day0, a.accountId, e.instrument, per, `sim: ${e.instrument} issuance ${date}`);
      log.push({
        date: e.date,
        kind: e.kind,
        marketId: 'ccer',
        text: `${per * suppliers.length} t of ${e.instrument} issued${note}`,
      });
      return;
    }
    default:
      return;
  }
}

function settleIfDue(
  world: World,
  mw: MarketWorld,
  date: string,
  next: string,
  settled: Set<string>,
  log: LoggedEvent[],
): void {
  const ctx = mw.ctx;
  const cycleId = mw.setup.cycle;
  if (ctx === null || cycleId === null || settled.has(mw.setup.id)) return;
  const cycle = ctx.spec.compliance!.cycles.find((c) => c.id === cycleId)!;
  // The last trading day on or before the deadline: surrender at its close.
  if (date > cycle.deadline || next <= cycle.deadline) return;
  settled.add(mw.setup.id);
  const ts = tsOf(date, '15:45');
  let offsetsT = 0;
  for (const agent of mw.entityAgents) {
    agent.done = true;
    const ledger = world.ledger;
    const offer = (instrumentId: string, qtyT: number): number => {
      if (qtyT <= 0) return 0;
      const r = surrender(ctx, agent.plan.entityId, cycleId, instrumentId, qtyT, ts);
      return r.ok ? qtyT : 0;
    };
    const left = agent.plan.obligationT;
    const offsetIns = ctx.spec.offsets?.usable.map((u) => u.instrument) ?? [];
    let done = 0;
    for (const ins of offsetIns) {
      const h = ledger.holding(agent.accountId, ins);
      // Locked (T+1) lots count: the lock is on resale, not on compliance use.
      const held = h.totalT - h.reservedT;
      const q = Math.min(held, agent.plan.offsetCapT - done, left - done);
      const got = offer(ins, q);
      done += got;
      offsetsT += got;
    }
    const h = ledger.holding(agent.accountId, mw.setup.instrument);
    offer(mw.setup.instrument, Math.min(h.totalT - h.reservedT, left - done));
  }
  const stats = mw.market.stats;
  const history = stats.history();
  const monthly = (month: string): number | null =>
    monthlyAveragePriceFen(history, [mw.setup.instrument], month) ?? stats.closeFen(mw.setup.instrument);
  const settleTs = tsOf(addDays(cycle.deadline, 1), '00:00');
  const r = settleCycle(ctx, cycleId, settleTs, { monthlyPriceFen: monthly });
  if (!r.ok) throw new SimError(SimCode.Unsupported, `${mw.setup.id}: settling cycle ${cycleId}: ${r.message}`);
  const short = r.value.filter((x) => x.shortfallT > 0);
  log.push({
    date: cycle.deadline,
    kind: 'settlement',
    marketId: mw.setup.id,
    text: `cycle ${cycleId} due: ${r.value.length - short.length} of ${r.value.length} entities compliant; ${offsetsT} t of offsets surrendered; ${short.reduce((s, x) => s + x.shortfallT, 0)} t short`,
  });
}
