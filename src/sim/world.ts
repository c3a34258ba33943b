// Builds a run's world from a scenario: one shared ledger (an entity trades CEA nationally and CCER in Beijing from
// one set of accounts), a Market per scenario market with its rule changes dated at or before the first day already
// applied, the covered entities with their accounts, cash and allocation, and every agent with its own random
// stream. Pure: everything comes in as arguments.

import type { TradingCalendar } from '../market/calendar.ts';
import type { MarketSpec } from '../market/catalogue/schema.ts';
import {
  type AllocationPlan,
  type ComplianceContext,
  coveredIn,
  EntityRegistry,
  obligation,
  offsetCapT,
  openCompliance,
  trueUp,
} from '../market/compliance/index.ts';
import { MarketError } from '../market/errors.ts';
import { Ledger } from '../market/ledger.ts';
import { Market } from '../market/market.ts';
import { cnyToFen } from '../market/money.ts';
import { changedSpec, type RuleChange } from '../market/rule-change.ts';
import { dayNumber, minuteOfDay, tsOf } from '../market/time.ts';
import type { Agent } from './agents/agent.ts';
import { BlockBoard } from './agents/block-board.ts';
import { ComplianceAgent } from './agents/compliance.ts';
import { Dealer, Desk, NoiseTrader, OffsetSupplier, Speculator } from './agents/traders.ts';
import { type Counters, Venue } from './agents/venue.ts';
import { SimCode, SimError } from './errors.ts';
import { macOf, sectorPaths } from './fundamentals/build.ts';
import type { AbatementData } from './fundamentals/mac.ts';
import { MarketOutlook } from './fundamentals/outlook.ts';
import type { EntityRow } from './registry/draw.ts';
import { Rng } from './rng.ts';
import type { MarketSetup, Scenario, ScenarioEvent } from './scenario/schema.ts';

/** What every run reads: the catalogue, the calendar, the entity registry and the allocation plans. */
export interface SimData {
  readonly markets: readonly MarketSpec[];
  readonly calendar: TradingCalendar;
  readonly entities: readonly EntityRow[];
  readonly plans: Readonly<Record<string, AllocationPlan>>;
  /** Sector abatement cost curves (data/abatement/sectors.json). */
  readonly abatement: AbatementData;
}

export interface WorldInput extends SimData {
  readonly scenario: Scenario;
  readonly seed: number;
  /** The first trading day of the period. */
  readonly firstDay: string;
}

export interface MarketWorld {
  readonly setup: MarketSetup;
  readonly market: Market;
  readonly venue: Venue;
  readonly board: BlockBoard | null;
  ctx: ComplianceContext | null;
  readonly plan: AllocationPlan | null;
  /** What the market's agents believe about its scarcity (null: a market without obligations, e.g. CCER). */
  readonly outlook: MarketOutlook | null;
  readonly entityAgents: ComplianceAgent[];
  readonly agents: Agent[];
  /** Listed session windows as [first wall minute, length]. */
  readonly windows: readonly (readonly [number, number])[];
  readonly sessionMinutes: number;
  readonly blockWindows: readonly (readonly [number, number])[];
}

export interface World {
  readonly ledger: Ledger;
  readonly registry: EntityRegistry;
  readonly markets: MarketWorld[];
  readonly counters: Counters;
  /** Account -> compliance agent, for trade bookkeeping. */
  readonly byAccount: Map<number, ComplianceAgent>;
  /** Day number of the open trading day (the agents' clock). */
  today: number;
  nextAccountId: number;
}

/** "90.40" -> 9040 (the schema guarantees the shape). */
/** A scenario's CNY amount in fen (the schema has checked its form already). */
export function scenarioFen(cny: string): number {
  const fen = cnyToFen(cny);
  if (fen === null) throw new SimError(SimCode.Scenario, `"${cny}" is not an amount of CNY`);
  return fen;
}

/** A covered firm's working cash: 40% of a year's emissions at the opening price, plus 100,000 CNY. */
export function workingCashFen(emissionsT: number, priceFen: number): number {
  return Math.round(emissionsT * priceFen * 0.4) + 100_000_00;
}

export function ruleChangeOf(e: ScenarioEvent): { market: string; change: RuleChange } | null {
  switch (e.kind) {
    case 'band':
      return { market: e.market, change: { kind: 'band', mode: e.mode, bandBps: e.bandBps } };
    case 'offset-cap':
      return { market: e.market, change: { kind: 'offset-cap', capBps: e.capBps } };
    case 'deadline':
      return { market: e.market, change: { kind: 'deadline', cycleId: e.cycle, deadline: e.deadline } };
    default:
      return null;
  }
}

function windowsOf(sessions: readonly (readonly [string, string])[]): [number, number][] {
  return sessions.map(([a, b]) => [minuteOfDay(a), minuteOfDay(b) - minuteOfDay(a)]);
}

/**
 * The day number of the last trading day on or before a deadline: the last day an entity can still trade for it
 * (Tianjin's 2024-06-30 was a Sunday). A deadline beyond the calendar's years counts as it is.
 */
export function lastSessionDay(calendar: TradingCalendar, deadline: string): number {
  try {
    return dayNumber(calendar.isTradingDay(deadline) ? deadline : calendar.prevTradingDay(deadline));
  } catch (e) {
    if (e instanceof MarketError && e.code === 'MKT_ERR_CALENDAR_RANGE') return dayNumber(deadline);
    throw e;
  }
}

function must<T>(r: { ok: true; value: T } | { ok: false; code: string; message: string }, what: string): T {
  if (!r.ok) throw new SimError(SimCode.Unsupported, `${what}: ${r.code}: ${r.message}`);
  return r.value;
}

export function buildWorld(input: WorldInput): World {
  const { scenario, seed } = input;
  // Runs aggregate as they go (onTrade, daily stats): keeping every record and trade only slows them down.
  const ledger = new Ledger({ keepRecords: false });
  const counters: Counters = { orders: 0, rejected: 0, byCode: new Map() };
  const world: World = {
    ledger,
    registry: new EntityRegistry(),
    markets: [],
    counters,
    byAccount: new Map(),
    today: dayNumber(input.firstDay),
    nextAccountId: 1,
  };
  const t0 = tsOf(input.firstDay, '00:00') - 60_000;
  const open = (kind: 'entity' | 'institution'): number => {
    const id = world.nextAccountId++;
    must(ledger.open(id, kind), `opening account ${id}`);
    return id;
  };
  const a = scenario.agents;
  for (const setup of scenario.markets) {
    let spec = input.markets.find((m) => m.id === setup.id)!;
    // Rule changes dated on or before the first day are in force from its open.
    for (const e of scenario.events) {
      const rc = ruleChangeOf(e);
      if (rc === null || rc.market !== setup.id || e.date > input.firstDay) continue;
      spec = must(changedSpec(spec, rc.change), `scenario event ${e.kind} on ${e.date}`);
    }
    const openingFen = scenarioFen(setup.openingPriceCny);
    const initialCloseFen: Record<string, number> = { [setup.instrument]: openingFen };
    const market = new Market(spec, ledger, { calendar: input.calendar, initialCloseFen, keepTape: false });
    const venue = new Venue(market, setup.instrument, openingFen, counters);
    const base = input.plans[setup.id] ?? null;
    const plan = base === null ? null : scaledPlan(base, scenario.supply.allocationFactor);
    const board = spec.modes.block === null ? null : new BlockBoard(market);
    const windows = windowsOf(spec.modes.listed.sessions);
    const mw: MarketWorld = {
      setup,
      market,
      venue,
      board,
      ctx: null,
      plan,
      outlook: outlookOf(input, setup, spec, plan),
      entityAgents: [],
      agents: [],
      windows,
      sessionMinutes: windows.reduce((s, w) => s + w[1], 0),
      blockWindows: spec.modes.block === null ? [] : windowsOf(spec.modes.block.sessions),
    };
    world.markets.push(mw);
    const institution = spec.participants.institutions ? 'institution' : 'entity';
    const scale = setup.traderScale;
    const n = (count: number): number => Math.round(count * scale);
    const ins = setup.instrument;
    const sigma = scenario.fundamentals.valuationSigmaBps / 10_000;
    const viewOf = (name: string): number => Math.exp(sigma * new Rng(seed, `${name}/view`).normal());
    // The bank: held by the groups' desks, shared equally (at least one desk holds it when there is one).
    const desks = setup.bankT > 0 ? Math.max(1, n(a.desks.count)) : 0;
    for (let i = 0; i < desks; i++) {
      const id = open(institution);
      const bankT = Math.floor(setup.bankT / desks);
      ledger.deposit(t0, id, scenarioFen(a.desks.cashCny), 'sim: desk cash');
      if (bankT > 0) ledger.allocate(t0, id, ins, bankT, 'sim: bank of earlier vintages');
      const name = `${setup.id}/desk-${i + 1}`;
      mw.agents.push(new Desk(name, venue, id, a.desks, new Rng(seed, name), viewOf(name), bankT, board));
    }
    for (let i = 0; i < n(a.dealers.count); i++) {
      const id = open(institution);
      const inv = Math.round(a.dealers.inventoryT * scale);
      ledger.deposit(t0, id, scenarioFen(a.dealers.cashCny) * Math.max(1, Math.round(scale)), 'sim: dealer cash');
      if (inv > 0) ledger.allocate(t0, id, ins, inv, 'sim: dealer inventory');
      // Field by field, not { ...a.dealers, ... }: V8 gave each such copy a map of its own (one per market, new ones
      // in every run), so the dealers' reads of p were megamorphic and their optimised code dropped at each new run.
      const d = a.dealers;
      const p = {
        count: d.count,
        spreadBps: d.spreadBps,
        quoteT: Math.round(d.quoteT * scale),
        inventoryT: inv,
        cashCny: d.cashCny,
        leanBpsPer10Pct: d.leanBpsPer10Pct,
        requoteMinutes: d.requoteMinutes,
        blockDiscountBps: a.compliance.blockDiscountBps,
        fundamentalWeightBps: d.fundamentalWeightBps,
      };
      mw.agents.push(
        new Dealer(
          `${setup.id}/dealer-${i + 1}`,
          venue,
          id,
          p,
          new Rng(seed, `${setup.id}/dealer-${i + 1}`),
          board,
          mw.sessionMinutes,
        ),
      );
    }
    // A fundamentalist is a speculator that weighs only the gap to its valuation. Field by field, in the order of the
    // momentum parameters (one object shape for every speculator: see the dealers' parameters below).
    const f = a.fundamentalists;
    const fundamentalist = {
      count: f.count,
      wakesPerDay: f.wakesPerDay,
      lookbackDays: 1,
      thresholdBps: f.thresholdBps,
      fundamentalWeightBps: 10_000,
      orderT: f.orderT,
      maxPositionT: f.maxPositionT,
      cashCny: f.cashCny,
    };
    for (const style of ['momentum', 'fundamentalist'] as const) {
      const p = style === 'momentum' ? a.momentum : fundamentalist;
      for (let i = 0; i < n(p.count); i++) {
        const id = open(institution);
        ledger.deposit(t0, id, scenarioFen(p.cashCny), `sim: ${style} cash`);
        const start = Math.floor(p.maxPositionT / 2);
        if (start > 0) ledger.allocate(t0, id, ins, start, `sim: ${style} inventory`);
        const name = `${setup.id}/${style}-${i + 1}`;
        const rng = new Rng(seed, name);
        mw.agents.push(new Speculator(name, venue, id, p, rng, viewOf(name)));
      }
    }
    for (let i = 0; i < n(a.noise.count); i++) {
      const id = open(institution);
      ledger.deposit(t0, id, scenarioFen(a.noise.cashCny), 'sim: noise cash');
      if (a.noise.inventoryT > 0) ledger.allocate(t0, id, ins, a.noise.inventoryT, 'sim: noise inventory');
      const name = `${setup.id}/noise-${i + 1}`;
      mw.agents.push(new NoiseTrader(name, venue, id, a.noise, new Rng(seed, name)));
    }
    if (spec.instruments.some((x) => x.kind === 'offset') && a.offsetSuppliers.count > 0) {
      const stockT = Math.floor(a.offsetSuppliers.legacyStockT * scenario.supply.offsetFactor);
      const per = Math.floor(stockT / a.offsetSuppliers.count);
      const costFen = scenarioFen(a.offsetSuppliers.costCny);
      for (let i = 0; i < a.offsetSuppliers.count; i++) {
        const id = open('institution');
        if (per > 0) ledger.issue(t0, id, ins, per, 'sim: legacy credits held');
        const name = `${setup.id}/offset-supplier-${i + 1}`;
        mw.agents.push(new OffsetSupplier(name, venue, id, a.offsetSuppliers, new Rng(seed, name), costFen));
      }
    }
  }
  for (const mw of world.markets)
    if (mw.setup.sectors.length > 0) admitEntities(world, input, mw, mw.setup.sectors, t0);
  return world;
}

/** The plan with the scenario's allocation factor (every allocation of the market multiplied by it). */
function scaledPlan(plan: AllocationPlan, factor: number): AllocationPlan {
  if (factor === 1) return plan;
  return {
    benchmarksUt: plan.benchmarksUt,
    firstYearSectors: plan.firstYearSectors,
    scaleBps: Math.round(factor * 10_000),
  };
}

/** The market's outlook from its registry rows and plan; null for a market without a cycle or a plan. */
function outlookOf(
  input: WorldInput,
  setup: MarketSetup,
  spec: MarketSpec,
  plan: AllocationPlan | null,
): MarketOutlook | null {
  if (setup.cycle === null || plan === null || spec.compliance === null) return null;
  const cycle = spec.compliance.cycles.find((c) => c.id === setup.cycle)!;
  const f = input.scenario.fundamentals;
  const lastYear = Math.max(...cycle.years) + f.horizonYears;
  const rows = input.entities.filter((e) => e.marketId === setup.id);
  const bySector = new Map<string, number>();
  const picked = rows.filter((r) => {
    const k = bySector.get(r.sector) ?? 0;
    bySector.set(r.sector, k + 1);
    return k % setup.entityEvery === 0;
  });
  const paths = sectorPaths(picked, plan, input.abatement, setup.sectors, lastYear);
  return new MarketOutlook(
    paths,
    cycle.years,
    {
      macScale: f.macScale,
      discountRate: f.discountRateBps / 10_000,
      horizonYears: f.horizonYears,
      ceilingFen: scenarioFen(f.ceilingCny),
      balanceSigma: f.balanceSigmaBps / 10_000,
    },
    spec.offsets?.capBps ?? 0,
    input.scenario.supply.offsetFactor,
    Number(input.firstDay.slice(0, 4)),
  );
}

/** Registers the market's entities of these sectors, opens and funds their accounts and, for the scenario's cycle,
 * allocates (true-up of the cycle's years) and gives each a compliance agent. */
export function admitEntities(
  world: World,
  input: WorldInput,
  mw: MarketWorld,
  sectors: readonly string[],
  tsMs: number,
): number {
  const { ledger } = world;
  const setup = mw.setup;
  if (mw.ctx === null)
    mw.ctx = must(openCompliance(mw.market.spec, ledger, world.registry), `compliance of ${setup.id}`);
  const rows = input.entities.filter((e) => e.marketId === setup.id && sectors.includes(e.sector));
  const picked = rows.filter((_, i) => i % setup.entityEvery === 0);
  if (rows.length === 0)
    throw new SimError(
      SimCode.Unsupported,
      `market ${setup.id}: the registry has no entities of sector(s) ${sectors.join(', ')}`,
    );
  const cycle = setup.cycle === null ? null : mw.market.spec.compliance!.cycles.find((c) => c.id === setup.cycle)!;
  const openingFen = mw.venue.lastCloseFen;
  const added: string[] = [];
  for (const row of picked) {
    const id = world.nextAccountId++;
    must(ledger.open(id, 'entity'), `account of ${row.id}`);
    // The rows' yearly records are frozen (freezeYearly, when the run context is made): the registry keeps them as
    // they are instead of copying them in every run.
    must(world.registry.add({ ...row, accountId: id }), `entity ${row.id}`);
    let scaleT = 1;
    for (const y in row.verifiedT) scaleT = Math.max(scaleT, row.verifiedT[y]!);
    ledger.deposit(tsMs, id, workingCashFen(scaleT, openingFen), 'sim: working cash');
    added.push(row.id);
  }
  if (cycle === null || mw.plan === null) return added.length;
  // The newcomers' allocation for the scenario's cycle (true-up of its years; earlier entities already have theirs).
  // An entity not covered in a year, or without its figures, gets nothing for it and has no obligation.
  const covered = added.filter((id) => {
    const e = world.registry.find(id);
    return e.ok && cycle.years.some((y) => coveredIn(e.value, y));
  });
  for (const id of covered)
    for (const year of cycle.years) {
      const res = trueUp(mw.ctx, mw.plan, id, year, tsMs);
      if (!res.ok && res.code !== 'MKT_ERR_NOT_VERIFIED' && res.code !== 'MKT_ERR_NOT_ELIGIBLE')
        must(res, `allocation ${setup.id} ${year}`);
    }
  for (const entityId of covered) {
    const agent = entityAgent(world, input, mw, entityId);
    if (agent === null) continue;
    mw.entityAgents.push(agent);
    mw.agents.push(agent);
    world.byAccount.set(agent.accountId, agent);
  }
  return added.length;
}

/**
 * The compliance agent of a registered covered entity of the market (its plan for the scenario's cycle, its view and
 * abatement curve drawn from its own streams), or null when it has no obligation. admitEntities gives one to each
 * entity it admits; a live classroom gives one to a student's firm while the student is away (src/live/presence.ts).
 */
export function entityAgent(
  world: World,
  input: WorldInput,
  mw: MarketWorld,
  entityId: string,
): ComplianceAgent | null {
  const setup = mw.setup;
  const cycle = setup.cycle === null ? null : mw.market.spec.compliance!.cycles.find((c) => c.id === setup.cycle)!;
  if (cycle === null || mw.ctx === null) return null;
  const offsetMarket = world.markets.find((m) => m.market.spec.instruments.some((i) => i.kind === 'offset'));
  const usable = mw.market.spec.offsets?.usable.find((u) => offsetMarket?.setup.instrument === u.instrument);
  const startDay = dayNumber(`${Math.max(...cycle.years) + 1}-01-01`);
  const deadlineDay = lastSessionDay(input.calendar, cycle.deadline);
  const o = obligation(mw.ctx, entityId, cycle.id);
  if (!o.ok) return null;
  const e = world.registry.find(entityId);
  if (!e.ok) return null;
  const plan = {
    entityId,
    obligationT: o.value.obligationT,
    // A credit that is not local may fill only the part of the cap local credits need not (Beijing: half).
    offsetCapT:
      usable === undefined
        ? 0
        : usable.local
          ? offsetCapT(mw.ctx, o.value)
          : Math.floor((offsetCapT(mw.ctx, o.value) * (10_000 - (mw.market.spec.offsets?.localMinBps ?? 0))) / 10_000),
    startDay,
    deadlineDay,
  };
  const name = `${setup.id}/${entityId}`;
  const mac = macOf(input.abatement, e.value.sector);
  const years = Object.keys(e.value.verifiedT).map(Number);
  const baselineT = years.length === 0 ? 0 : e.value.verifiedT[Math.max(...years)]!;
  const draw = new Rng(input.seed, `${name}/fundamentals`);
  const viewSigma = input.scenario.fundamentals.valuationSigmaBps / 10_000;
  const view = Math.exp(viewSigma * draw.normal());
  const costAt1PctFen =
    mac.costAt1PctCny * 100 * input.scenario.fundamentals.macScale * Math.exp(mac.firmSigma * draw.normal());
  return new ComplianceAgent(
    name,
    mw.venue,
    e.value.accountId,
    plan,
    input.scenario.agents.compliance,
    new Rng(input.seed, name),
    mw.board,
    usable === undefined || offsetMarket === undefined ? null : offsetMarket.venue,
    world,
    view,
    { baselineT, costAt1PctFen, exponent: mac.exponent, maxShare: mac.maxShareBps / 10_000 },
  );
}
