// A run as a stepper: the discrete-event loop of simulation.ts cut at its day boundaries and, inside a day, at any
// exchange time, so a live server can drive the same agents as bots in real time. Each trading day:
//   beginDay  1. events dated up to today take effect (policy news changes the markets' outlooks, announcements
//                raise activity; allocations, admissions, issuance happen);
//             2. the morning update: every market's public valuation follows from its fundamentals
//                (fundamentals/daily.ts), and entities book the abatement since the last trading day;
//             3. the markets open; every agent draws its looks for the day from its own stream (a Poisson number at
//                uniform session minutes, plus fixed times for dealers) and the looks are sorted in time order;
//   runUntil  runs the drawn looks before a time (students' orders may come in between two calls);
//   endDay    4. runs the rest of the looks; rule changes dated up to the next trading day are announced (a listed
//                band applies from the next day), the markets close, closes are recorded; on the last trading day on
//                or before a cycle's deadline the entities surrender what they hold (offsets first, up to the cap)
//                and the cycle is settled: shortfalls fined.
// simulate() is beginDay + endDay for every day, so batch runs are what they were, byte for byte. fireEvent applies
// a scenario event at once (an instructor's policy shock). Pure and deterministic: no clock, only seeded streams.

import { preAllocateAll, settleCycle, surrender, trueUpAll } from '../market/compliance/index.ts';
import { type DailyBar, monthlyAveragePriceFen } from '../market/daily-stats.ts';
import { DOUBLE_HINT } from '../market/double-hint.ts';
import { describeRuleChange, type RuleChange } from '../market/rule-change.ts';
import { addDays, dayNumber, tsOf } from '../market/time.ts';
import type { Fill } from '../market/trade.ts';
import type { Agent } from './agents/agent.ts';
import { SimCode, SimError } from './errors.ts';
import { updateFundamentals } from './fundamentals/daily.ts';
import type { Balance } from './fundamentals/outlook.ts';
import type { LoggedEvent } from './output-types.ts';
import { Rng } from './rng.ts';
import type { ScenarioEvent } from './scenario/schema.ts';
import type { MarketBar, SimInput, SimResult, TradeLogRow } from './simulation.ts';
import {
  admitEntities,
  buildWorld,
  lastSessionDay,
  type MarketWorld,
  ruleChangeOf,
  scenarioFen,
  type World,
  type WorldInput,
} from './world.ts';

const NEWS_DECAY_DAYS = 5;
/** A wake key is minute x AGENT_BITS + agent index: agents are fewer than 2^22, minutes of a day fewer than 2^11. */
const AGENT_BITS = 2 ** 22;

interface Boost {
  readonly market: string;
  readonly day: number;
  readonly boost: number;
}

export class SimSession {
  readonly world: World;
  /** The trading days of the scenario's period. */
  readonly days: readonly string[];
  private readonly input: SimInput;
  private readonly wi: WorldInput;
  private readonly log: LoggedEvent[] = [];
  private readonly bars: MarketBar[] = [];
  private readonly netCost = new Map<number, number>();
  /** Per market per day: the public valuation (fen) and the agents' mean valuation (fen). */
  private readonly fair: Map<string, { publicFen: number[]; agentsFen: number[]; balances: Balance[] }>;
  /** Per market: its entities' mean view and how many entities it was worked out over. */
  private readonly views = new Map<MarketWorld, { n: number; mean: number }>();
  /** Day number of the last morning update (abatement accrues over the calendar days since). */
  private lastMorning: number | null = null;
  private trades = 0;
  private readonly tradeLog: TradeLogRow[] = [];
  private scale = 1;
  // The schedule: every agent of every market (all[i] trades in homes[i], draws its times from clocks[i]). Each
  // agent's clock stream is kept in clockOf, so entities admitted later (admit-sectors) join with their own.
  private readonly clockOf = new Map<Agent, Rng>();
  private all: Agent[] = [];
  private homes: MarketWorld[] = [];
  private clocks: Rng[] = [];
  // The open day's wake keys, sorted, and how many have run. Keys exceed small-integer range: a plain array would
  // box each one, so they go in a reused Float64Array (grown as needed), which also sorts without a comparator.
  private keys = new Float64Array(4096);
  private sorted: Float64Array = this.keys.subarray(0, 0);
  private cursor = 0;
  /**
   * The open day's timestamp of each wall minute that has a look, by minute (draw sets them). A timestamp is no small
   * integer: worked out per look, each call to an agent boxed it anew (a heap number per look); read from here it is
   * passed as is, one per minute and day.
   */
  private readonly tsAt: (number | null)[] = new Array(1440).fill(null);
  /** Index of the next day to begin, or of the open day. */
  private dayIndex = 0;
  private openDay: string | null = null;
  private day0 = 0;
  private readonly boosts: Boost[] = [];
  /** Scenario events that have taken effect (by identity). */
  private readonly applied = new Set<ScenarioEvent>();
  /** Markets whose cycle is settled. */
  private readonly settled = new Set<string>();

  constructor(input: SimInput) {
    const s = input.scenario;
    const days = input.calendar.tradingDays(s.period.from, s.period.to);
    if (days.length === 0)
      throw new SimError(SimCode.Scenario, `${s.id}: no trading day in ${s.period.from}..${s.period.to}`);
    this.input = input;
    this.days = days;
    this.day0 = DOUBLE_HINT; // see DOUBLE_HINT
    this.day0 = 0;
    // Field by field, not { ...input, firstDay }: a spread copy gets a map of its own, a new one every run, and the
    // code reading it (admitEntities) was deoptimised at every run of a batch worker (wrong map, 4-5 times a run).
    this.wi = {
      scenario: input.scenario,
      markets: input.markets,
      calendar: input.calendar,
      entities: input.entities,
      plans: input.plans,
      abatement: input.abatement,
      seed: input.seed,
      firstDay: days[0]!,
    };
    const world = buildWorld(this.wi);
    this.world = world;
    this.fair = new Map(world.markets.map((m) => [m.setup.id, { publicFen: [], agentsFen: [], balances: [] }]));
    const netCost = this.netCost;
    const log = input.keepTrades === true ? this.tradeLog : null;
    for (const mw of world.markets) {
      // A fill listener: the run reads sums only, so no TradeRecord is built per trade (the object is reused).
      mw.market.onFill((t: Fill) => {
        this.trades++;
        if (log !== null)
          log.push({
            tradeId: t.tradeId,
            tsMs: t.tsMs,
            marketId: mw.setup.id,
            instrumentId: t.instrumentId,
            mode: t.mode,
            priceFen: t.priceFen,
            qtyT: t.qtyT,
            buyerId: t.buyerId,
            sellerId: t.sellerId,
          });
        netCost.set(t.buyerId, (netCost.get(t.buyerId) ?? 0) + t.priceFen * t.qtyT + t.buyerFeeFen);
        netCost.set(t.sellerId, (netCost.get(t.sellerId) ?? 0) - t.priceFen * t.qtyT + t.sellerFeeFen);
        if (t.instrumentId !== mw.setup.instrument) return;
        if (t.mode === 'listed') mw.venue.lastTradeFen = t.priceFen;
        const seller = world.byAccount.get(t.sellerId);
        if (seller !== undefined) seller.netSoldT += t.qtyT;
        const buyer = world.byAccount.get(t.buyerId);
        if (buyer !== undefined) buyer.netSoldT -= t.qtyT;
      });
    }
    // Rule changes dated on or before the first day are in the world's specs already (buildWorld).
    for (const e of s.events) if (ruleChangeOf(e) !== null && e.date <= days[0]!) this.applied.add(e);
  }

  /**
   * Multiplies every agent's expected number of looks, from the next beginDay on (the open day's are drawn): a live
   * classroom's bot intensity. 1 in batch runs; at 0 no agent looks at all, dealers' fixed times included.
   */
  get activityScale(): number {
    return this.scale;
  }

  set activityScale(x: number) {
    if (!Number.isFinite(x) || x < 0)
      throw new SimError(SimCode.Unsupported, `activity scale ${x} is not a finite number ≥ 0`);
    this.scale = x;
  }

  /** Every trading day has ended. */
  done(): boolean {
    return this.dayIndex >= this.days.length;
  }

  /** The open trading day's date, or null between days. */
  openDate(): string | null {
    return this.openDay;
  }

  /**
   * Begins the next trading day: events dated up to it take effect, valuations update, the markets open and every agent's
   * looks for the day are drawn and sorted (none runs yet). Returns the date.
   */
  beginDay(): string {
    if (this.openDay !== null)
      throw new SimError(SimCode.State, `${this.openDay} is open: end it before beginning the next trading day`);
    if (this.done())
      throw new SimError(SimCode.State, `every trading day of ${this.input.scenario.id} has ended: none to begin`);
    const { world, input } = this;
    const date = this.days[this.dayIndex]!;
    const day0 = tsOf(date, '00:00');
    world.today = dayNumber(date);
    for (const e of input.scenario.events) {
      if (this.applied.has(e) || e.date > date || ruleChangeOf(e) !== null) continue;
      this.applied.add(e);
      applyEvent(world, this.wi, e, date, day0, this.log, this.boosts);
    }
    const f = input.scenario.fundamentals;
    const off = input.scenario.agents.offsetSuppliers;
    const first = this.lastMorning === null;
    updateFundamentals(
      world,
      f.adjustBpsPerDay / 10_000,
      scenarioFen(off.costCny),
      off.creditDiscountBps / 10_000,
      first,
      first ? 1 : world.today - this.lastMorning!,
      input.steer === undefined ? null : (id) => input.steer!(id, date),
    );
    this.lastMorning = world.today;
    for (const mw of world.markets) {
      const out = this.fair.get(mw.setup.id)!;
      out.publicFen.push(mw.venue.fairFen);
      out.agentsFen.push(mw.venue.fairFen * this.meanView(mw));
      if (mw.outlook !== null) out.balances.push(mw.outlook.lastBalance);
      mw.venue.activity = this.activityOf(mw.setup.id, world.today);
      mw.board?.clear();
      const r = mw.market.openDay(tsOf(date, '09:00'));
      if (!r.ok) throw new SimError(SimCode.Unsupported, `${mw.setup.id} could not open ${date}: ${r.message}`);
    }
    this.schedule();
    this.draw(date, day0);
    this.day0 = day0;
    this.openDay = date;
    return date;
  }

  /** Runs, in time order, every drawn look of the open day whose time is strictly before tsMs. Returns how many ran. */
  runUntil(tsMs: number): number {
    if (this.openDay === null) return 0;
    const { sorted, all, homes, tsAt } = this;
    let ran = 0;
    while (this.cursor < sorted.length) {
      const key = sorted[this.cursor]!;
      const minute = Math.floor(key / AGENT_BITS);
      const ts = tsAt[minute]!; // day0 + minute * 60_000
      if (!(ts < tsMs)) break;
      // Moved on before the look runs: whatever the look triggers sees it as done.
      this.cursor++;
      const i = key - minute * AGENT_BITS;
      let inBlock = false;
      const windows = homes[i]!.blockWindows;
      for (let w = 0; w < windows.length; w++) {
        const win = windows[w]!;
        if (minute >= win[0] && minute < win[0] + win[1]) inBlock = true;
      }
      all[i]!.act(ts, inBlock);
      ran++;
    }
    return ran;
  }

  /** Ms timestamp of the next look not yet run today, or null when none is left (or no day is open). */
  nextLookTs(): number | null {
    if (this.openDay === null || this.cursor >= this.sorted.length) return null;
    return this.day0 + Math.floor(this.sorted[this.cursor]! / AGENT_BITS) * 60_000;
  }

  /**
   * Ends the open day: runs the rest of its looks, then rule changes dated up to the next trading day, the close,
   * closes recorded, settlement if due. Returns the day's bars of all markets.
   */
  endDay(): readonly MarketBar[] {
    const date = this.openDay;
    if (date === null) throw new SimError(SimCode.State, 'no trading day is open: begin one before ending it');
    const { world, input } = this;
    this.runUntil(Number.POSITIVE_INFINITY);
    const next = this.days[this.dayIndex + 1];
    for (const e of input.scenario.events) {
      const rc = ruleChangeOf(e);
      if (rc === null || this.applied.has(e) || e.date > (next ?? date)) continue;
      this.applied.add(e);
      this.applyRule(e, rc);
    }
    const first = this.bars.length;
    for (const mw of world.markets) {
      const r = mw.market.closeDay(tsOf(date, '15:30'));
      if (!r.ok) throw new SimError(SimCode.Unsupported, `${mw.setup.id} could not close ${date}: ${r.message}`);
      for (const b of r.value.bars) this.bars.push(marketBar(b, mw.setup.id));
      mw.venue.closes.push(mw.market.stats.closeFen(mw.setup.instrument));
      mw.venue.lastListedT =
        r.value.bars.find((b) => b.mode === 'listed' && b.instrumentId === mw.setup.instrument)?.volumeT ?? 0;
    }
    const nextOpen = next ?? input.calendar.nextTradingDay(date);
    for (const mw of world.markets) settleIfDue(world, mw, date, nextOpen, this.settled, this.log);
    this.openDay = null;
    this.sorted = this.keys.subarray(0, 0);
    this.cursor = 0;
    this.dayIndex++;
    return this.bars.slice(first);
  }

  /**
   * Applies a scenario event now, as if it were dated the open day (or the next day when none is open): an
   * announcement moves the markets' anchors (and, on an open day, the expected price by the share of the gap today's
   * step would have closed, so the rest of today's looks price off it) and raises activity from the next draw of
   * looks; a rule change (band, offset cap, deadline) goes through Market.applyRuleChange (a listed band applies from
   * the next open); admissions, allocations and issuance happen at once (admitted entities look from the next day).
   * If the event is one of the scenario's own, it will not take effect again on its date. Logged, dated the day it
   * took effect; returns the log line.
   */
  fireEvent(e: ScenarioEvent): LoggedEvent {
    if (this.openDay === null && this.done())
      throw new SimError(SimCode.State, `every trading day of ${this.input.scenario.id} has ended: no day to fire on`);
    const { world } = this;
    const known = new Set(world.markets.map((m) => m.setup.id));
    const rc = ruleChangeOf(e);
    const refs =
      rc !== null
        ? [rc.market]
        : e.kind === 'announcement'
          ? e.markets
          : e.kind === 'ccer-issuance'
            ? ['ccer']
            : e.kind === 'ccer-outlook'
              ? []
              : [e.market];
    for (const id of refs)
      if (!known.has(id))
        throw new SimError(SimCode.Scenario, `${e.kind} event: market ${id} is not in ${this.input.scenario.id}`);
    const date = this.openDay ?? this.days[this.dayIndex]!;
    const now: ScenarioEvent = { ...e, date };
    this.applied.add(e);
    const before = this.log.length;
    if (rc !== null) this.applyRule(now, rc);
    else applyEvent(world, this.wi, now, date, tsOf(date, '00:00'), this.log, this.boosts);
    if (now.kind === 'announcement' && this.openDay !== null)
      for (const id of now.markets) {
        const mw = world.markets.find((m) => m.setup.id === id)!;
        mw.venue.activity = this.activityOf(id, world.today);
      }
    const logged = this.log[before];
    if (logged === undefined) throw new SimError(SimCode.Unsupported, `${e.kind} events cannot be fired`);
    return logged;
  }

  /** Whether scenario event `e` (one of the scenario's own) has taken effect: on its date, or fired earlier. */
  hasApplied(e: ScenarioEvent): boolean {
    return this.applied.has(e);
  }

  /** What simulate returns: valid at any time (the days so far), complete once done(). */
  result(): SimResult {
    return {
      world: this.world,
      days: this.days,
      bars: this.bars,
      events: this.log,
      trades: this.trades,
      netCostFen: this.netCost,
      tradeLog: this.tradeLog,
      fair: this.fair,
    };
  }

  /**
   * The mean of the views of a market's entities (1 when it has none): views are drawn once, so the mean changes
   * only when entities are admitted; worked out again then, not every morning.
   */
  private meanView(mw: MarketWorld): number {
    const n = mw.entityAgents.length;
    const known = this.views.get(mw);
    if (known !== undefined && known.n === n) return known.mean;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += mw.entityAgents[i]!.view;
    const mean = n === 0 ? 1 : sum / n;
    this.views.set(mw, { n, mean });
    return mean;
  }

  /** Agents not yet in the schedule (admitted since) join it; only between days, as keys hold agent indices. */
  private schedule(): void {
    const world = this.world;
    const count = world.markets.reduce((n, m) => n + m.agents.length, 0);
    if (count === this.all.length) return;
    this.homes = world.markets.flatMap((m) => m.agents.map(() => m));
    this.all = world.markets.flatMap((m) => m.agents);
    this.clocks = this.all.map((a) => {
      const c = this.clockOf.get(a) ?? new Rng(this.input.seed, `${a.name}/clock`);
      this.clockOf.set(a, c);
      return c;
    });
  }

  /** Draws every agent's looks of the day into the key buffer and sorts them; the cursor starts at the first. */
  private draw(date: string, day0: number): void {
    const { all, homes, clocks, scale } = this;
    let nKeys = 0;
    // Keys are written straight into the buffer (room made first): a key passed to a helper function would be boxed.
    if (scale > 0)
      for (let i = 0; i < all.length; i++) {
        const agent = all[i]!;
        const mw = homes[i]!;
        const fixed = agent.fixedWakes?.() ?? null;
        if (fixed !== null) {
          const keys = this.room(nKeys + fixed.length);
          for (let f = 0; f < fixed.length; f++) keys[nKeys++] = wallMinute(mw, fixed[f]!) * AGENT_BITS + i;
        }
        const n = poisson(clocks[i]!, agent.wakesToday(date) * agent.venue.activity * scale);
        const keys = this.room(nKeys + n);
        for (let k = 0; k < n; k++) keys[nKeys++] = wallMinute(mw, clocks[i]!.int(mw.sessionMinutes)) * AGENT_BITS + i;
      }
    const sorted = this.keys.subarray(0, nKeys).sort();
    this.sorted = sorted;
    this.cursor = 0;
    const tsAt = this.tsAt;
    let last = -1;
    for (let k = 0; k < nKeys; k++) {
      const minute = Math.floor(sorted[k]! / AGENT_BITS);
      if (minute === last) continue;
      tsAt[minute] = day0 + minute * 60_000;
      last = minute;
    }
  }

  /** The key buffer with room for n keys (grown by doubling, what it holds kept). */
  private room(n: number): Float64Array {
    if (n > this.keys.length) {
      let size = this.keys.length * 2;
      while (size < n) size *= 2;
      const grown = new Float64Array(size);
      grown.set(this.keys);
      this.keys = grown;
    }
    return this.keys;
  }

  /** 1 + the news boosts of a market, each decaying with the days since. */
  private activityOf(marketId: string, today: number): number {
    let act = 1;
    for (const b of this.boosts)
      if (b.market === marketId) act += (b.boost / 10_000) * Math.exp(-(today - b.day) / NEWS_DECAY_DAYS);
    return act;
  }

  /** A rule change by notice: the market's spec changes (and the entities' plans, for a deadline); logged. */
  private applyRule(e: ScenarioEvent, rc: { market: string; change: RuleChange }): void {
    const mw = this.world.markets.find((m) => m.setup.id === rc.market)!;
    const r = mw.market.applyRuleChange(rc.change);
    if (!r.ok) throw new SimError(SimCode.Scenario, `${this.input.scenario.id}: event on ${e.date}: ${r.message}`);
    if (mw.ctx !== null) mw.ctx = { ...mw.ctx, spec: r.value, rules: r.value.compliance! };
    for (const agent of mw.entityAgents)
      if (rc.change.kind === 'deadline' && rc.change.cycleId === mw.setup.cycle)
        agent.plan.deadlineDay = lastSessionDay(this.input.calendar, rc.change.deadline);
    this.log.push({
      date: e.date,
      kind: e.kind,
      marketId: rc.market,
      text: `${describeRuleChange(rc.change)}${e.note ? ` (${e.note})` : ''}`,
    });
  }
}

/**
 * A day's bar with its market, field by field in DailyBar's order. Not `{ ...b, marketId }`: V8 gives every object
 * so made a map of its own (the clone's map is detached from the transition tree, so adding marketId makes a new
 * map each time), 7,450 maps a deadline-2024 run, and every reader of the bars megamorphic.
 */
function marketBar(b: DailyBar, marketId: string): MarketBar {
  return {
    date: b.date,
    instrumentId: b.instrumentId,
    mode: b.mode,
    openFen: b.openFen,
    highFen: b.highFen,
    lowFen: b.lowFen,
    closeFen: b.closeFen,
    vwapFen: b.vwapFen,
    volumeT: b.volumeT,
    turnoverFen: b.turnoverFen,
    trades: b.trades,
    ytdVolumeT: b.ytdVolumeT,
    ytdTurnoverFen: b.ytdTurnoverFen,
    cumVolumeT: b.cumVolumeT,
    cumTurnoverFen: b.cumTurnoverFen,
    marketId,
  };
}

function poisson(rng: Rng, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * rng.normal()));
  const l = Math.exp(-mean);
  let k = 0;
  // rng.next(), from bits (see Rng.bits): this runs for every agent every day and once more per look drawn.
  let p = (rng.bits() >>> 0) / 2 ** 32;
  while (p > l) {
    k++;
    p *= (rng.bits() >>> 0) / 2 ** 32;
  }
  return k;
}

/** Session minute (0 = first minute of the listed sessions) -> minute of the day. */
function wallMinute(mw: MarketWorld, m: number): number {
  let left = m;
  // Index loop, no destructuring: an iterator per call otherwise (this runs for every look of a run).
  const windows = mw.windows;
  for (let w = 0; w < windows.length; w++) {
    const len = windows[w]![1];
    if (left < len) return windows[w]![0] + left;
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
  boosts: Boost[],
): void {
  const note = e.note ? ` (${e.note})` : '';
  const mwOf = (id: string): MarketWorld => world.markets.find((m) => m.setup.id === id)!;
  switch (e.kind) {
    case 'announcement':
      // Attention, no quantity: trading activity rises for a while; nobody's valuation moves.
      for (const id of e.markets)
        if (e.activityBoostBps > 0) boosts.push({ market: id, day: dayNumber(date), boost: e.activityBoostBps });
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
    case 'coverage-plan':
    case 'allocation-plan': {
      const o = mwOf(e.market).outlook;
      const w = e.credibilityBps / 10_000;
      if (o !== null && e.kind === 'coverage-plan') o.announceCoverage(e.sectors, e.fromYear, w, e.balancedThroughYear);
      if (o !== null && e.kind === 'allocation-plan')
        o.announceTightening(e.sectors.length === 0 ? null : e.sectors, e.fromYear, e.cutBpsPerYear / 10_000, w);
      const what =
        e.kind === 'coverage-plan'
          ? `${e.sectors.join(', ')} to be covered from ${e.fromYear}${e.balancedThroughYear === undefined ? '' : `, allocation following emissions through ${e.balancedThroughYear}`}`
          : `allocation of ${e.sectors.length === 0 ? 'every sector' : e.sectors.join(', ')} ${e.cutBpsPerYear >= 0 ? 'cut' : 'raised'} by ${Math.abs(e.cutBpsPerYear) / 100}% a year from ${e.fromYear}`;
      log.push({
        date: e.date,
        kind: e.kind,
        marketId: e.market,
        text: `${e.title}: ${what}${e.effective ? `, effective ${e.effective}` : ''}; believed ${e.credibilityBps / 100}%${note}`,
      });
      return;
    }
    case 'news': {
      const o = mwOf(e.market).outlook;
      if (o !== null) o.addNews(e.shortageT);
      const mt = (Math.abs(e.shortageT) / 1e6).toFixed(2);
      log.push({
        date: e.date,
        kind: e.kind,
        marketId: e.market,
        text: `news: expected shortage over the horizon ${e.shortageT >= 0 ? 'up' : 'down'} ${mt} Mt${note}`,
      });
      return;
    }
    case 'ccer-outlook': {
      // The credits go once: shared among the markets that take CCER in proportion to their offset caps' room
      // (cap x emissions of the issuing year).
      const w = e.credibilityBps / 10_000;
      const takers = world.markets.filter(
        (mw) => mw.outlook !== null && (mw.market.spec.offsets?.usable.some((u) => u.instrument === 'CCER') ?? false),
      );
      const room = takers.map((mw) => mw.outlook!.offsetRoomT(e.fromYear));
      const all = room.reduce((a, b) => a + b, 0);
      takers.forEach((mw, i) => {
        if (all > 0) mw.outlook!.announceOffsets((e.tonnesPerYear * w * room[i]!) / all, e.fromYear);
      });
      log.push({
        date: e.date,
        kind: e.kind,
        marketId: null,
        text: `${e.title}: ${e.tonnesPerYear} t a year of credits expected from ${e.fromYear}; believed ${e.credibilityBps / 100}%${note}`,
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
      const per = Math.floor((e.qtyT * wi.scenario.supply.offsetFactor) / suppliers.length);
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
