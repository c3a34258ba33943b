// What every slice of a classroom shares: the simulated world, exchange time and the classroom's state, the roster
// of students (with the checks a student command starts with), market lookup, and the events it reports.
//
// Trades reach the slices after the command that made them, not while it runs: the markets report each trade here
// as it happens (inside the engine's matching), and settle() hands them, in order, to the slices that keep what a
// trade changes (the tape, a student's fills and order) once the market's call has returned. So no slice sees its
// own command's state half-made, and none needs to know in what order a market settles its books.

import { cstDate } from '../market/time.ts';
import type { TradeRecord } from '../market/trade.ts';
import type { Scenario } from '../sim/scenario/schema.ts';
import { SimSession } from '../sim/session.ts';
import type { MarketWorld, SimData } from '../sim/world.ts';
import { mergeWindows, type Window } from './clock.ts';
import { LiveCode, type LiveRejection, type LiveResult, refuse } from './errors.ts';
import {
  type ClassroomConfig,
  type ClassroomState,
  CURRENT_RULES,
  type LiveEvent,
  type LiveListener,
  type RulesVersion,
  type Student,
} from './types.ts';

export class RoomContext {
  readonly scenario: Scenario;
  readonly data: SimData;
  /** The round's world: built anew for each round of the class (openWorld). */
  session!: SimSession;
  /** The home market's trading windows (listed and block sessions merged), minutes of the day. */
  readonly windows: Window[];
  /** Exchange time now (moved only by the classroom's clock). */
  tsMs = 0;
  state: ClassroomState = 'setup';
  /** The roster: students by id, and by their ledger account (for the trades). */
  readonly students = new Map<number, Student>();
  readonly byAccount = new Map<number, Student>();
  /** Trades reported during the running command, not yet settled. Scratch: empty between commands. */
  readonly pendingTrades: TradeRecord[] = [];
  /** Wiring, not state: not enumerable, so snapshots and the state hash leave them out (see snapshot.ts). */
  declare private readonly listeners: LiveListener[];
  declare private readonly tradeHandlers: ((t: TradeRecord) => void)[];
  /**
   * The rules the classroom runs by (types.ts RULES_BEFORE_ROUNDS): a setting like the scenario, from the classroom's
   * row, never changed by a command. Not enumerable, so snapshots and the state hash leave it out.
   */
  declare readonly rules: RulesVersion;

  constructor(cfg: ClassroomConfig) {
    Object.defineProperty(this, 'listeners', { value: [], enumerable: false });
    Object.defineProperty(this, 'tradeHandlers', { value: [], enumerable: false });
    Object.defineProperty(this, 'rules', { value: cfg.rules ?? CURRENT_RULES, enumerable: false });
    this.scenario = cfg.scenario;
    this.data = cfg.data;
    this.openWorld(cfg.seed, cfg.botIntensity);
    const spec = this.home().market.spec;
    this.windows = mergeWindows([...spec.modes.listed.sessions, ...(spec.modes.block?.sessions ?? [])]);
  }

  /**
   * A fresh world from the scenario (a round of the class: rounds.ts): a new session with this seed, no student in
   * it yet, and no slice subscribed to its trades (the classroom builds its round's slices again).
   */
  openWorld(seed: number, botIntensity: number): void {
    this.session = new SimSession({ ...this.data, scenario: this.scenario, seed });
    this.session.activityScale = botIntensity;
    for (const mw of this.session.world.markets) mw.market.onTrade((t) => this.pendingTrades.push(t));
    this.tradeHandlers.length = 0;
    this.pendingTrades.length = 0;
    this.students.clear();
    this.byAccount.clear();
  }

  get date(): string {
    return cstDate(this.tsMs);
  }

  // ---- events ---------------------------------------------------------------------------------------------------

  on(listener: LiveListener): void {
    this.listeners.push(listener);
  }

  emit(e: LiveEvent): void {
    for (const l of this.listeners) l(e);
  }

  /** A slice that keeps something of every trade (called by settle, in the order slices subscribed). */
  onTrade(handler: (t: TradeRecord) => void): void {
    this.tradeHandlers.push(handler);
  }

  /** Hands the trades of the command just run to the slices, in the order they happened. */
  settle(): void {
    const pending = this.pendingTrades;
    for (let i = 0; i < pending.length; i++) {
      const t = pending[i]!;
      for (const h of this.tradeHandlers) h(t);
      this.emit({ kind: 'trade', marketId: t.marketId, trade: t });
    }
    pending.length = 0;
  }

  // ---- markets --------------------------------------------------------------------------------------------------

  /** The market students trade in and comply with: the scenario's first market. */
  home(): MarketWorld {
    return this.session.world.markets[0]!;
  }

  marketOf(marketId: string): MarketWorld | null {
    return this.session.world.markets.find((m) => m.setup.id === marketId) ?? null;
  }

  noMarket(marketId: string): LiveRejection {
    return refuse(LiveCode.UnknownMarket, `this classroom has no market "${String(marketId).slice(0, 40)}"`);
  }

  // ---- students -------------------------------------------------------------------------------------------------

  student(studentId: number): Student | null {
    return this.students.get(studentId) ?? null;
  }

  /** The student, if they may trade now (the market is running). */
  live(studentId: number): LiveResult<Student> {
    const s = this.student(studentId);
    if (s === null) return this.noStudent(studentId);
    if (this.state === 'ended') return refuse(LiveCode.Ended, 'the classroom has ended');
    if (this.state !== 'running')
      return refuse(LiveCode.NotRunning, `the market is ${this.state === 'setup' ? 'not open yet' : 'paused'}`);
    return { ok: true, value: s };
  }

  noStudent(studentId: number): LiveRejection {
    return refuse(LiveCode.UnknownStudent, `there is no student ${studentId}`);
  }

  /** Every book may have changed (the bots traded, a day opened, a round's world is new): say so. */
  touchBooks(): void {
    for (const mw of this.session.world.markets)
      for (const ins of mw.market.spec.instruments)
        if (mw.market.listed.engine(ins.id) !== null)
          this.emit({ kind: 'book', marketId: mw.setup.id, instrumentId: ins.id });
  }

  /** Tells a student's page what changed for them. */
  tell(studentId: number, ...what: ('order' | 'fill' | 'balance' | 'compliance' | 'bid')[]): void {
    for (const w of what) this.emit({ kind: 'private', studentId, what: w });
  }
}
