// A live classroom market: a scenario's world (markets, rules, bots: the simulator's own agents) run against an
// exchange clock, with students trading beside the bots as covered firms. The instructor starts, pauses, resumes and
// ends it, fires the scenario's shocks when they choose and may move the deadline.
//
// Pure: no I/O and no clock. The server moves exchange time on with tick commands (src/live/commands.ts: every change
// to a classroom is a command, so the journal can replay it) and passes every student command through here; what
// happens is reported to listeners as LiveEvents (trades, book changes, bars, news, status, private
// updates). Tokens and persistence are the server's business.

import { Side } from '../engine/index.ts';
import type { AuctionDesk } from '../market/auction.ts';
import type { BidView } from '../market/auction-types.ts';
import { entityReport, obligation, offsetCapT, surrender } from '../market/compliance/index.ts';
import type { DailyBar } from '../market/daily-stats.ts';
import type { Result } from '../market/errors.ts';
import type { OrderAck, TifName } from '../market/listed.ts';
import type { Market } from '../market/market.ts';
import { cstDate, cstMinute } from '../market/time.ts';
import type { SideName, TradeRecord } from '../market/trade.ts';
import type { LoggedEvent } from '../sim/output-types.ts';
import type { Scenario, ScenarioEvent } from '../sim/scenario/schema.ts';
import { SimSession } from '../sim/session.ts';
import type { MarketWorld, SimData } from '../sim/world.ts';
import {
  AuctionHouse,
  type AuctionInput,
  type AuctionNotice,
  noticeOf,
  noticeText,
  outcomeText,
  withdrawnText,
} from './auctions.ts';
import { dayOpenTs, mergeWindows, sessionName, stepClock, type Window } from './clock.ts';
import { LiveCode, type LiveRejection, type LiveResult, refuse } from './errors.ts';
import { admitFirm, MAX_NAME_CHARS, nameKey, normaliseName, studentFirms } from './students.ts';

export type ClassroomState = 'setup' | 'running' | 'paused' | 'ended';

export interface ClassroomConfig {
  readonly id: string;
  readonly name: string;
  readonly scenario: Scenario;
  readonly data: SimData;
  readonly seed: number;
  /** Exchange ms per wall ms: 1 real time, 60 a minute a second. */
  readonly speed: number;
  /** Multiplies the bots' looks at the market: 0 none (students only), 1 as the scenario, 2 twice as busy. */
  readonly botIntensity: number;
}

export interface Student {
  readonly studentId: number;
  readonly name: string;
  readonly accountId: number;
  readonly entityId: string;
  readonly firmName: string;
  readonly marketId: string;
  /** Cash and allowances at joining, for profit and compliance cost. */
  readonly startCashFen: number;
  readonly startAllowancesT: number;
  readonly joinedTsMs: number;
}

export type OrderStatus = 'resting' | 'filled' | 'cancelled' | 'expired';

export interface StudentOrder {
  readonly studentId: number;
  readonly orderId: number;
  readonly marketId: string;
  readonly instrumentId: string;
  readonly side: SideName;
  /** The limit price now (an amend changes it), or null for a market order. */
  priceFen: number | null;
  qtyT: number;
  filledT: number;
  readonly tif: TifName | 'take';
  readonly tsMs: number;
  cancelled: boolean;
  /** The student's own id for the order (optional; unique among the student's resting orders). */
  readonly clientOrderId?: string;
}

export interface Fill {
  readonly tradeId: number;
  readonly orderId: number | null;
  readonly marketId: string;
  readonly instrumentId: string;
  readonly side: SideName;
  readonly priceFen: number;
  readonly qtyT: number;
  readonly feeFen: number;
  readonly mode: TradeRecord['mode'];
  readonly tsMs: number;
}

export interface NewsItem {
  readonly seq: number;
  readonly tsMs: number;
  readonly title: string;
  readonly text: string;
}

export type LiveEvent =
  | { readonly kind: 'trade'; readonly marketId: string; readonly trade: TradeRecord }
  | { readonly kind: 'book'; readonly marketId: string; readonly instrumentId: string }
  | { readonly kind: 'bar'; readonly marketId: string; readonly bar: DailyBar }
  | { readonly kind: 'status' }
  | { readonly kind: 'news'; readonly item: NewsItem }
  | {
      readonly kind: 'private';
      readonly studentId: number;
      readonly what: 'order' | 'fill' | 'balance' | 'compliance' | 'bid';
    };

export type LiveListener = (e: LiveEvent) => void;

export interface ComplianceView {
  readonly cycle: string;
  readonly deadline: string;
  readonly obligationT: number;
  readonly surrenderedT: number;
  readonly remainingT: number;
  readonly offsetCapT: number;
  readonly shortfallT: number;
  readonly fineFen: number;
  readonly status: 'open' | 'met' | 'short';
}

export interface OrderInput {
  readonly marketId: string;
  readonly instrumentId: string;
  readonly side: SideName;
  readonly priceFen: number | null;
  readonly qtyT: number;
  readonly tif: TifName;
  /** The student's own id for the order: unique among the student's resting orders, so it can be cancelled by it. */
  readonly clientOrderId?: string;
}

/** Most students a classroom takes: the registry rows set aside for them run out around here anyway. */
const MAX_STUDENTS = 200;

export class Classroom {
  readonly id: string;
  name: string;
  readonly scenario: Scenario;
  private readonly data: SimData;
  readonly seed: number;
  speed: number;
  botIntensity: number;
  state: ClassroomState = 'setup';
  readonly session: SimSession;
  private readonly windows: Window[];
  private tsMs: number;
  private readonly students = new Map<number, Student>();
  private readonly byAccount = new Map<number, Student>();
  private readonly orders = new Map<number, StudentOrder[]>();
  /** Students' orders by market, then order id (ids are unique within a market's desk). */
  private readonly orderIndex = new Map<string, Map<number, StudentOrder>>();
  /**
   * Students' orders by `${studentId}:${clientOrderId}`, for those placed with one. An entry outlives its order (a
   * fill or the day's end does not remove it); lookups check that the order still rests, and a new order with the
   * same id replaces it. Not state: derived from the orders, and rebuilt after a restore (reindexClientOrderIds).
   */
  private readonly byClientId = new Map<string, StudentOrder>();
  private readonly fills = new Map<number, Fill[]>();
  private readonly tape = new Map<string, TradeRecord[]>();
  private readonly barsByMarket = new Map<string, DailyBar[]>();
  readonly news: NewsItem[] = [];
  private readonly firedEvents = new Set<number>();
  /** Wiring, not state: not enumerable, so snapshots and the state hash leave it out (see snapshot.ts). */
  declare private readonly listeners: LiveListener[];
  private readonly firmQueue: string[];
  private deadline: string;
  private readonly auctions = new AuctionHouse();
  // Declared, not initialised: own properties only once set (by the journaled `seats` and `revoke` commands), so a
  // classroom that never uses them encodes, snapshots and hashes as it did before they existed.
  /** Most students the instructor admits (unset: as many as there are firms, up to MAX_STUDENTS). */
  declare private seatLimit?: number;
  /** Students whose token the instructor revoked. */
  declare private revoked?: Set<number>;

  constructor(cfg: ClassroomConfig) {
    Object.defineProperty(this, 'listeners', { value: [], enumerable: false });
    this.id = cfg.id;
    this.name = cfg.name;
    this.scenario = cfg.scenario;
    this.data = cfg.data;
    this.seed = cfg.seed;
    this.speed = cfg.speed;
    this.botIntensity = cfg.botIntensity;
    this.session = new SimSession({ ...cfg.data, scenario: cfg.scenario, seed: cfg.seed });
    this.session.activityScale = cfg.botIntensity;
    const home = this.home();
    const spec = home.market.spec;
    this.windows = mergeWindows([...spec.modes.listed.sessions, ...(spec.modes.block?.sessions ?? [])]);
    const cycle = spec.compliance?.cycles.find((c) => c.id === home.setup.cycle) ?? null;
    this.deadline = cycle?.deadline ?? cfg.scenario.period.to;
    this.firmQueue = [...studentFirms(cfg.data, home, this.session.world)];
    for (const mw of this.session.world.markets) {
      this.tape.set(mw.setup.id, []);
      this.barsByMarket.set(mw.setup.id, []);
      mw.market.onTrade((t) => this.onTrade(mw.setup.id, t));
    }
    const first = this.session.beginDay();
    this.tsMs = dayOpenTs(first, this.windows);
  }

  /** What the classroom was built from and never changes (catalogue, calendar, registry, scenario): snapshots
   * refer to it rather than copy it. */
  statics(): readonly object[] {
    return [this.data, this.scenario];
  }

  // ---- listening ------------------------------------------------------------------------------------------------

  on(listener: LiveListener): void {
    this.listeners.push(listener);
  }

  private emit(e: LiveEvent): void {
    for (const l of this.listeners) l(e);
  }

  // ---- the clock ------------------------------------------------------------------------------------------------

  /** Exchange time now. */
  get nowTsMs(): number {
    return this.tsMs;
  }

  get date(): string {
    return cstDate(this.tsMs);
  }

  get deadlineDate(): string {
    return this.deadline;
  }

  /** 'listed', 'block', 'listed+block' or 'closed' at the exchange time now (of the home market). */
  get sessionNow(): string {
    const spec = this.home().market.spec;
    return this.state === 'ended'
      ? 'closed'
      : sessionName(cstMinute(this.tsMs), spec.modes.listed.sessions, spec.modes.block?.sessions ?? null);
  }

  /** Moves exchange time on by this much and runs the bots' looks up to it; at a day's end, opens the next. */
  advanceExchange(exchangeMs: number): void {
    if (this.state !== 'running') return;
    const step = stepClock(this.date, this.windows, this.tsMs, exchangeMs);
    const session = this.sessionNow;
    this.closeAuctionsDue(step.toTsMs);
    this.runBotsUntil(step.toTsMs);
    this.tsMs = step.toTsMs;
    if (step.dayOver) this.nextDay();
    // Sessions open and close with the clock (the block window at 13:00, the lunch break jumped): say so.
    else if (this.sessionNow !== session) this.emit({ kind: 'status' });
  }

  private runBotsUntil(tsMs: number): void {
    const ran = this.session.runUntil(tsMs);
    if (ran > 0) this.touchBooks();
  }

  private nextDay(): void {
    const bars = this.session.endDay();
    for (const b of bars) {
      this.barsByMarket.get(b.marketId)?.push(b);
      this.emit({ kind: 'bar', marketId: b.marketId, bar: b });
    }
    this.syncLog();
    for (const s of this.students.values()) {
      this.emit({ kind: 'private', studentId: s.studentId, what: 'order' });
      this.emit({ kind: 'private', studentId: s.studentId, what: 'compliance' });
    }
    if (this.session.done()) {
      this.state = 'ended';
      this.emit({ kind: 'status' });
      return;
    }
    const date = this.session.beginDay();
    this.tsMs = dayOpenTs(date, this.windows);
    this.syncLog();
    this.touchBooks();
    this.emit({ kind: 'status' });
  }

  private touchBooks(): void {
    for (const mw of this.session.world.markets)
      for (const ins of mw.market.spec.instruments)
        if (mw.market.listed.engine(ins.id) !== null)
          this.emit({ kind: 'book', marketId: mw.setup.id, instrumentId: ins.id });
  }

  // ---- instructor ----------------------------------------------------------------------------------------------

  start(): LiveResult<ClassroomState> {
    if (this.state !== 'setup')
      return refuse(LiveCode.BadState, `the classroom is ${this.state}, not waiting to start`);
    return this.setState('running');
  }

  pause(): LiveResult<ClassroomState> {
    if (this.state !== 'running') return refuse(LiveCode.BadState, `the classroom is ${this.state}, not running`);
    return this.setState('paused');
  }

  resume(): LiveResult<ClassroomState> {
    if (this.state !== 'paused') return refuse(LiveCode.BadState, `the classroom is ${this.state}, not paused`);
    return this.setState('running');
  }

  end(): LiveResult<ClassroomState> {
    if (this.state === 'ended') return refuse(LiveCode.Ended, 'the classroom has already ended');
    this.withdrawOpenAuctions();
    return this.setState('ended');
  }

  private setState(state: ClassroomState): LiveResult<ClassroomState> {
    this.state = state;
    this.emit({ kind: 'status' });
    return { ok: true, value: state };
  }

  /** Why these settings cannot be taken, or null (checked for both before either is set: a change is whole). */
  settingsProblem(x: { speed?: number; botIntensity?: number; seats?: number | null }): LiveRejection | null {
    const { speed, botIntensity, seats } = x;
    if (seats !== undefined && seats !== null) {
      if (!Number.isSafeInteger(seats) || seats < 0 || seats > MAX_STUDENTS)
        return refuse(LiveCode.BadInput, `seats: a whole number from 0 to ${MAX_STUDENTS}, or null for no cap`);
      if (seats < this.students.size)
        return refuse(
          LiveCode.BadInput,
          `${this.students.size} students have joined already: the seats cannot be fewer (revoke tokens instead)`,
        );
    }
    if (speed !== undefined && (!Number.isFinite(speed) || speed < 1 || speed > 3_600))
      return refuse(LiveCode.BadInput, `speed ${speed} is not between 1 (real time) and 3600 (an hour a second)`);
    if (botIntensity !== undefined && (!Number.isFinite(botIntensity) || botIntensity < 0 || botIntensity > 10))
      return refuse(LiveCode.BadInput, `bot intensity ${botIntensity} is not between 0 (no bots) and 10`);
    return null;
  }

  setSpeed(speed: number): LiveResult<number> {
    const bad = this.settingsProblem({ speed });
    if (bad !== null) return bad;
    this.speed = speed;
    this.emit({ kind: 'status' });
    return { ok: true, value: speed };
  }

  setBotIntensity(x: number): LiveResult<number> {
    const bad = this.settingsProblem({ botIntensity: x });
    if (bad !== null) return bad;
    this.botIntensity = x;
    // From the next day's draw of looks: today's are drawn already.
    this.session.activityScale = x;
    this.emit({ kind: 'status' });
    return { ok: true, value: x };
  }

  /** The scenario's timeline: what the instructor may fire, and whether it was. */
  timeline(): { index: number; date: string; kind: string; title: string; fired: boolean }[] {
    return this.scenario.events.map((e, index) => ({
      index,
      date: e.date,
      kind: e.kind,
      title: eventTitle(e),
      fired: this.firedEvents.has(index),
    }));
  }

  /** Fires timeline event `index` now, whatever its date (announcements and rule changes). */
  fire(index: number): LiveResult<NewsItem> {
    if (this.state === 'ended') return refuse(LiveCode.Ended, 'the classroom has ended');
    const e = this.scenario.events[index];
    if (!Number.isSafeInteger(index) || e === undefined)
      return refuse(
        LiveCode.UnknownEvent,
        `there is no timeline event ${index} (0..${this.scenario.events.length - 1})`,
      );
    if (
      !['announcement', 'coverage-plan', 'allocation-plan', 'ccer-outlook', 'band', 'offset-cap', 'deadline'].includes(
        e.kind,
      )
    )
      return refuse(
        LiveCode.BadInput,
        `a ${e.kind} event cannot be fired live; announcements, policy plans and rule changes can`,
      );
    const logged = this.session.fireEvent(e);
    this.firedEvents.add(index);
    if (e.kind === 'deadline') this.deadline = e.deadline;
    const item = this.addNews(eventTitle(e), logged.text);
    this.emit({ kind: 'status' });
    return { ok: true, value: item };
  }

  /** Moves the home market's deadline for the scenario's cycle to `date` (a rule change by notice). */
  moveDeadline(date: string): LiveResult<NewsItem> {
    const home = this.home();
    const cycle = home.setup.cycle;
    if (cycle === null) return refuse(LiveCode.BadInput, `${home.setup.id} has no compliance cycle in this scenario`);
    if (this.state === 'ended') return refuse(LiveCode.Ended, 'the classroom has ended');
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || date <= this.date)
      return refuse(LiveCode.BadInput, `the new deadline must be a date after today (${this.date}), as YYYY-MM-DD`);
    if (date > this.scenario.period.to)
      return refuse(
        LiveCode.BadInput,
        `the classroom runs until ${this.scenario.period.to}; pick a deadline within it`,
      );
    const e: ScenarioEvent = {
      date: this.date,
      kind: 'deadline',
      market: home.setup.id,
      cycle,
      deadline: date,
      note: 'moved by the instructor',
    } as ScenarioEvent;
    const logged = this.session.fireEvent(e);
    this.deadline = date;
    const item = this.addNews(`Deadline moved to ${date}`, logged.text);
    this.emit({ kind: 'status' });
    return { ok: true, value: item };
  }

  private addNews(title: string, text: string): NewsItem {
    const item = { seq: this.news.length + 1, tsMs: this.tsMs, title, text };
    this.news.push(item);
    this.emit({ kind: 'news', item });
    return item;
  }

  private loggedSeen = 0;
  /** The simulator's own event log (admissions, allocations, settlements ...) becomes news too. */
  private syncLog(): void {
    const log: readonly LoggedEvent[] = this.session.result().events;
    for (; this.loggedSeen < log.length; this.loggedSeen++) {
      const e = log[this.loggedSeen]!;
      if (e.kind === 'settlement' || e.kind === 'announcement')
        this.addNews(e.kind === 'settlement' ? 'Settlement' : 'News', e.text);
    }
  }

  // ---- students ------------------------------------------------------------------------------------------------

  /** Why these names cannot all join now, or null. Checked before anyone is added: a list joins whole or not at all. */
  joinProblem(names: readonly string[]): LiveRejection | null {
    for (const n of names) {
      const clean = n.trim();
      if (clean.length === 0 || clean.length > 40 || hasControlChars(clean))
        return refuse(LiveCode.BadInput, `"${n.slice(0, 40)}": a name is 1 to 40 printable characters`);
    }
    if (this.state === 'ended') return refuse(LiveCode.Ended, 'the classroom has ended');
    const free = this.seats() - this.students.size;
    if (names.length > free)
      return refuse(
        LiveCode.Full,
        free <= 0 ? 'the classroom is full: no seat is left' : `the classroom has room for ${free} more student(s)`,
      );
    return null;
  }

  /**
   * Names as the live server admits them (stricter than a journaled join, which must replay as it was accepted):
   * normalised (normaliseName) and unique in the classroom, case and width aside. Returns the names to join with,
   * or why not; a list is checked whole, against itself too.
   */
  admitNames(raw: readonly string[]): LiveResult<string[]> {
    const taken = new Set(this.studentList().map((s) => nameKey(s.name)));
    const out: string[] = [];
    for (const r of raw) {
      const name = normaliseName(r);
      if (name === null)
        return refuse(
          LiveCode.BadInput,
          `${JSON.stringify(r.slice(0, MAX_NAME_CHARS))}: a name is 1 to ${MAX_NAME_CHARS} characters with a letter ` +
            'or digit, and no control, zero-width or text-direction characters',
        );
      const key = nameKey(name);
      if (taken.has(key))
        return refuse(LiveCode.DuplicateName, `"${name}" is taken in this classroom; choose another name`);
      taken.add(key);
      out.push(name);
    }
    const bad = this.joinProblem(out);
    return bad ?? { ok: true, value: out };
  }

  /** Seats: how many students the classroom takes in all. */
  seats(): number {
    return Math.min(MAX_STUDENTS, this.firmQueue.length, this.seatLimit ?? Number.POSITIVE_INFINITY);
  }

  /** The instructor's cap on seats, or null for none. */
  get seatCap(): number | null {
    return this.seatLimit ?? null;
  }

  /** Caps the seats (null: no cap). Not below the students who joined already. */
  setSeats(n: number | null): LiveResult<number | null> {
    const bad = this.settingsProblem({ seats: n });
    if (bad !== null) return bad;
    if (n === null) delete this.seatLimit;
    else this.seatLimit = n;
    this.emit({ kind: 'status' });
    return { ok: true, value: n };
  }

  /** Revokes a student's token: the server no longer accepts it. The firm, its holdings and orders stay. */
  revokeStudent(studentId: number): LiveResult<number> {
    if (!this.students.has(studentId)) return this.noStudent(studentId);
    this.revoked ??= new Set();
    this.revoked.add(studentId);
    return { ok: true, value: studentId };
  }

  isRevoked(studentId: number): boolean {
    return this.revoked?.has(studentId) ?? false;
  }

  addStudent(name: string): LiveResult<Student> {
    const bad = this.joinProblem([name]);
    if (bad !== null) return bad;
    const clean = name.trim();
    const entityId = this.firmQueue[this.students.size]!;
    const home = this.home();
    const r = admitFirm(this.session.world, this.data, home, entityId, this.tsMs, home.venue.lastCloseFen);
    if (!r.ok) return r;
    const f = r.value;
    const s: Student = {
      studentId: this.students.size + 1,
      name: clean,
      accountId: f.accountId,
      entityId: f.entityId,
      firmName: f.firmName,
      marketId: home.setup.id,
      startCashFen: f.cashFen,
      startAllowancesT: f.allocatedT,
      joinedTsMs: this.tsMs,
    };
    this.students.set(s.studentId, s);
    this.byAccount.set(s.accountId, s);
    this.orders.set(s.studentId, []);
    this.fills.set(s.studentId, []);
    return { ok: true, value: s };
  }

  student(studentId: number): Student | null {
    return this.students.get(studentId) ?? null;
  }

  studentList(): Student[] {
    return [...this.students.values()];
  }

  studentOrders(studentId: number): readonly StudentOrder[] {
    return this.orders.get(studentId) ?? [];
  }

  /** Rebuilds the client order id index from the students' orders (after a snapshot is restored). */
  reindexClientOrderIds(): void {
    this.byClientId.clear();
    // In placement order, so that the newest order with an id wins, as it does live.
    for (const list of this.orders.values())
      for (const o of list)
        if (o.clientOrderId !== undefined) this.byClientId.set(`${o.studentId}:${o.clientOrderId}`, o);
  }

  /** A student's resting order placed with this client order id, or null. */
  openOrderByClientId(studentId: number, clientOrderId: string): StudentOrder | null {
    const o = this.byClientId.get(`${studentId}:${clientOrderId}`);
    return o !== undefined && this.restingT(o) > 0 ? o : null;
  }

  studentFills(studentId: number): readonly Fill[] {
    return this.fills.get(studentId) ?? [];
  }

  /** Resting tonnes of a student's order now (0 once filled, cancelled or expired). */
  restingT(o: StudentOrder): number {
    return this.marketOf(o.marketId)?.market.listed.engine(o.instrumentId)?.restingQtyT(o.orderId) ?? 0;
  }

  orderStatus(o: StudentOrder): OrderStatus {
    if (this.restingT(o) > 0) return 'resting';
    if (o.filledT >= o.qtyT) return 'filled';
    return o.cancelled ? 'cancelled' : 'expired';
  }

  // ---- student commands ----------------------------------------------------------------------------------------

  placeOrder(studentId: number, cmd: OrderInput): LiveResult<OrderAck> {
    const s = this.live(studentId);
    if (!s.ok) return s;
    const mw = this.marketOf(cmd.marketId);
    if (mw === null) return this.noMarket(cmd.marketId);
    const { marketId, instrumentId, side, priceFen, qtyT, tif, clientOrderId } = cmd;
    if (clientOrderId !== undefined) {
      const open = this.openOrderByClientId(studentId, clientOrderId);
      if (open !== null)
        return refuse(
          LiveCode.DuplicateClientOrderId,
          `you already have a resting order with client order id "${clientOrderId}" (order ${open.orderId})`,
        );
    }
    const r = mw.market.placeOrder({
      tsMs: this.tsMs,
      accountId: s.value.accountId,
      instrumentId,
      side,
      priceFen,
      qtyT,
      tif,
    });
    if (!r.ok) return r;
    const o: StudentOrder = {
      studentId: s.value.studentId,
      orderId: r.value.orderId,
      marketId,
      instrumentId,
      side,
      priceFen,
      qtyT,
      filledT: r.value.filledT,
      tif,
      tsMs: this.tsMs,
      cancelled: false,
      ...(clientOrderId === undefined ? {} : { clientOrderId }),
    };
    this.track(s.value, o);
    if (clientOrderId !== undefined) this.byClientId.set(`${studentId}:${clientOrderId}`, o);
    return this.after(s.value, marketId, instrumentId, r);
  }

  take(
    studentId: number,
    marketId: string,
    instrumentId: string,
    listingId: number,
    qtyT: number,
  ): LiveResult<OrderAck> {
    const s = this.live(studentId);
    if (!s.ok) return s;
    const mw = this.marketOf(marketId);
    if (mw === null) return this.noMarket(marketId);
    const listing = mw.market.listed.engine(instrumentId)?.getOrder(listingId) ?? null;
    const r = mw.market.take(this.tsMs, s.value.accountId, instrumentId, listingId, qtyT);
    if (!r.ok) return r;
    this.track(s.value, {
      studentId: s.value.studentId,
      orderId: r.value.orderId,
      marketId,
      instrumentId,
      side: listing !== null && listing.side === Side.Buy ? 'sell' : 'buy',
      priceFen: listing?.priceFen ?? null,
      qtyT,
      filledT: r.value.filledT,
      tif: 'take',
      tsMs: this.tsMs,
      cancelled: false,
    });
    return this.after(s.value, marketId, instrumentId, r);
  }

  amend(studentId: number, orderId: number, priceFen: number, qtyT: number): LiveResult<OrderAck> {
    const s = this.live(studentId);
    if (!s.ok) return s;
    const o = this.own(s.value, orderId);
    if (!o.ok) return o;
    const mw = this.marketOf(o.value.marketId)!;
    const r = mw.market.amend(this.tsMs, s.value.accountId, orderId, priceFen, qtyT);
    if (!r.ok) return r;
    // The order now stands at the new price, for what was filled (fills during the amend already counted by
    // onTrade) plus what rests.
    o.value.priceFen = priceFen;
    o.value.qtyT = o.value.filledT + r.value.restingT;
    return this.after(s.value, o.value.marketId, o.value.instrumentId, r);
  }

  cancel(studentId: number, orderId: number): LiveResult<{ orderId: number; cancelledT: number }> {
    const s = this.student(studentId);
    if (s === null) return this.noStudent(studentId);
    if (this.state === 'ended') return refuse(LiveCode.Ended, 'the classroom has ended');
    const o = this.own(s, orderId);
    if (!o.ok) return o;
    const mw = this.marketOf(o.value.marketId)!;
    const r = mw.market.cancel(this.tsMs, s.accountId, orderId);
    if (!r.ok) return r;
    o.value.cancelled = true;
    this.emit({ kind: 'book', marketId: o.value.marketId, instrumentId: o.value.instrumentId });
    this.emit({ kind: 'private', studentId, what: 'order' });
    this.emit({ kind: 'private', studentId, what: 'balance' });
    return r;
  }

  proposeBlock(
    studentId: number,
    cmd: {
      marketId: string;
      instrumentId: string;
      side: SideName;
      priceFen: number;
      qtyT: number;
      toStudentId: number | null;
    },
  ) {
    const s = this.live(studentId);
    if (!s.ok) return s;
    const mw = this.marketOf(cmd.marketId);
    if (mw === null) return this.noMarket(cmd.marketId);
    let counterpartyId: number | null = null;
    if (cmd.toStudentId !== null) {
      const to = this.student(cmd.toStudentId);
      if (to === null) return this.noStudent(cmd.toStudentId);
      counterpartyId = to.accountId;
    }
    const r = mw.market.proposeBlock({
      tsMs: this.tsMs,
      proposerId: s.value.accountId,
      counterpartyId,
      side: cmd.side,
      instrumentId: cmd.instrumentId,
      priceFen: cmd.priceFen,
      qtyT: cmd.qtyT,
    });
    if (r.ok) this.emit({ kind: 'private', studentId, what: 'balance' });
    if (r.ok && cmd.toStudentId !== null) this.emit({ kind: 'private', studentId: cmd.toStudentId, what: 'order' });
    return r;
  }

  /** Block proposals a student may see (theirs, addressed to them, or open to all), with the market they are in. */
  proposals(studentId: number) {
    const s = this.student(studentId);
    if (s === null) return [];
    const out = [];
    for (const mw of this.session.world.markets)
      for (const p of mw.market.block?.visibleTo(s.accountId) ?? []) out.push({ marketId: mw.setup.id, p });
    return out;
  }

  respondBlock(
    studentId: number,
    marketId: string,
    proposalId: number,
    action: 'accept' | 'reject' | 'counter',
    priceFen = 0,
    qtyT = 0,
  ) {
    const s = this.live(studentId);
    if (!s.ok) return s;
    const mw = this.marketOf(marketId);
    if (mw === null) return this.noMarket(marketId);
    const m: Market = mw.market;
    const r =
      action === 'accept'
        ? m.acceptBlock(this.tsMs, proposalId, s.value.accountId)
        : action === 'reject'
          ? m.rejectBlock(this.tsMs, proposalId, s.value.accountId)
          : m.counterBlock(this.tsMs, proposalId, s.value.accountId, priceFen, qtyT);
    if (r.ok) {
      this.emit({ kind: 'private', studentId, what: 'balance' });
      const proposer = m.block?.get(proposalId);
      const other = proposer === null || proposer === undefined ? undefined : this.byAccount.get(proposer.proposerId);
      if (other !== undefined) this.emit({ kind: 'private', studentId: other.studentId, what: 'order' });
    }
    return r;
  }

  /** Which market a proposal id belongs to, looking in every market's desk the student can see. */
  proposalMarket(studentId: number, proposalId: number): string | null {
    for (const x of this.proposals(studentId)) if (x.p.proposalId === proposalId) return x.marketId;
    return null;
  }

  surrender(studentId: number, instrumentId: string, qtyT: number): LiveResult<ComplianceView> {
    const s = this.live(studentId);
    if (!s.ok) return s;
    const home = this.home();
    const ctx = home.ctx;
    if (ctx === null || home.setup.cycle === null)
      return refuse(LiveCode.BadInput, 'there is no compliance cycle here');
    const r = surrender(ctx, s.value.entityId, home.setup.cycle, instrumentId, qtyT, this.tsMs);
    if (!r.ok) return r;
    this.emit({ kind: 'private', studentId, what: 'compliance' });
    this.emit({ kind: 'private', studentId, what: 'balance' });
    return { ok: true, value: this.compliance(studentId)! };
  }

  compliance(studentId: number): ComplianceView | null {
    const s = this.student(studentId);
    const home = this.home();
    if (s === null || home.ctx === null || home.setup.cycle === null) return null;
    const cycle = home.setup.cycle;
    const rep = entityReport(home.ctx, s.entityId, cycle);
    const o = obligation(home.ctx, s.entityId, cycle);
    if (!rep.ok || !o.ok) return null;
    const r = rep.value;
    const surrenderedT = r.surrenderedAllowancesT + r.surrenderedOffsetsT;
    const remainingT = Math.max(0, r.obligationT - surrenderedT);
    return {
      cycle,
      deadline: this.deadline,
      obligationT: r.obligationT,
      surrenderedT,
      remainingT,
      offsetCapT: offsetCapT(home.ctx, o.value),
      shortfallT: r.shortfallT,
      fineFen: r.fineFen,
      status: r.settled ? (r.shortfallT > 0 ? 'short' : 'met') : remainingT === 0 ? 'met' : 'open',
    };
  }

  // ---- market data ---------------------------------------------------------------------------------------------

  markets(): readonly MarketWorld[] {
    return this.session.world.markets;
  }

  marketOf(marketId: string): MarketWorld | null {
    return this.session.world.markets.find((m) => m.setup.id === marketId) ?? null;
  }

  /** The market students trade in and comply with: the scenario's first market. */
  home(): MarketWorld {
    return this.session.world.markets[0]!;
  }

  trades(marketId: string): readonly TradeRecord[] {
    return this.tape.get(marketId) ?? [];
  }

  /** The last `limit` trades of one instrument, newest first. */
  recentTrades(marketId: string, instrumentId: string, limit: number): TradeRecord[] {
    const tape = this.trades(marketId);
    const out: TradeRecord[] = [];
    for (let i = tape.length - 1; i >= 0 && out.length < limit; i--)
      if (tape[i]!.instrumentId === instrumentId) out.push(tape[i]!);
    return out;
  }

  bars(marketId: string): readonly DailyBar[] {
    return this.barsByMarket.get(marketId) ?? [];
  }

  /**
   * Why the books do not add up, or null: the ledger's cash and allowances equal the running sums of what was
   * minted, moved and burned, and every reservation is backed by a live order, proposal or bid.
   */
  integrity(): string | null {
    const w = this.session.world;
    const c = w.ledger.checkConservation();
    if (c !== null) return `ledger: ${c}`;
    // The markets share one ledger: each checks its own books, and the first checks the ledger's reservations
    // against every market's desks together.
    const [first, ...rest] = w.markets;
    for (const mw of rest) {
      const r = mw.market.listed.checkReservations();
      if (r !== null) return `${mw.setup.id}: ${r}`;
    }
    const r = first?.market.checkReservations(rest.flatMap((mw) => mw.market.desks())) ?? null;
    return r === null ? null : `${first!.setup.id}: ${r}`;
  }

  // ---- auctions of the government reserve (see auctions.ts) ---------------------------------------------------

  /** The instructor announces an auction of the reserve in the home market; bidding opens now. */
  announceAuction(input: AuctionInput): LiveResult<AuctionNotice> {
    if (this.state === 'ended') return refuse(LiveCode.Ended, 'the classroom has ended');
    const r = this.auctions.announce(this.session.world, this.home(), this.date, this.windows, this.tsMs, input);
    if (!r.ok) return r;
    const { title, text } = noticeText(r.value);
    this.addNews(title, text);
    return r;
  }

  /** A sealed bid: the student's cash for it is reserved until the close. */
  bidAuction(studentId: number, auctionId: string, priceFen: number, qtyT: number): LiveResult<BidView> {
    const s = this.live(studentId);
    if (!s.ok) return s;
    const desk = this.auctionDesk(auctionId);
    if (desk === null) return this.noAuction(auctionId);
    const bidId = this.auctions.nextBidId();
    const r = desk.bid({ auctionId, bidId, tsMs: this.tsMs, accountId: s.value.accountId, priceFen, qtyT });
    if (!r.ok) return r;
    this.auctions.bidSeq++;
    this.emit({ kind: 'private', studentId, what: 'bid' });
    this.emit({ kind: 'private', studentId, what: 'balance' });
    return r;
  }

  /** Withdraws a student's own live bid before the window ends. */
  cancelAuctionBid(studentId: number, auctionId: string, bidId: string): LiveResult<BidView> {
    const s = this.live(studentId);
    if (!s.ok) return s;
    const mw = this.auctionMarket(auctionId);
    if (mw === null) return this.noAuction(auctionId);
    const r = mw.market.cancelAuctionBid({ auctionId, bidId, tsMs: this.tsMs, accountId: s.value.accountId });
    // The desk answers "unknown" for another account's bid too (sealed): for a student that is a bid not found.
    if (!r.ok && r.code === 'MKT_ERR_UNKNOWN_ORDER')
      return refuse(LiveCode.UnknownBid, `you have no bid ${String(bidId).slice(0, 20)} in auction ${auctionId}`);
    if (!r.ok) return r;
    this.emit({ kind: 'private', studentId, what: 'bid' });
    this.emit({ kind: 'private', studentId, what: 'balance' });
    return r;
  }

  /** Every notice, newest first, with its outcome once closed. */
  auctionNotices(): AuctionNotice[] {
    const authorityId = this.auctions.authorityId ?? 0;
    return this.auctions.announced
      .map((x) => noticeOf(this.marketOf(x.marketId)!.market.auction!, x.marketId, x.auctionId, authorityId))
      .reverse();
  }

  /** A student's own bids (sealed: never anyone else's), in the order placed. */
  studentBids(studentId: number): BidView[] {
    const s = this.student(studentId);
    if (s === null) return [];
    return this.markets().flatMap((mw) => mw.market.auction?.myBids(s.accountId) ?? []);
  }

  /** Full results of a closed auction (who won what): the instructor's, as the initiator's agent. */
  auctionResult(auctionId: string) {
    const desk = this.auctionDesk(auctionId);
    if (desk === null || this.auctions.authorityId === null) return null;
    const r = desk.results(auctionId, this.auctions.authorityId);
    return r.ok ? r.value : null;
  }

  private auctionMarket(auctionId: string): MarketWorld | null {
    const marketId = this.auctions.marketOf(auctionId);
    return marketId === null ? null : this.marketOf(marketId);
  }

  private auctionDesk(auctionId: string) {
    return this.auctionMarket(auctionId)?.market.auction ?? null;
  }

  /** Closes, in the order they end, the auctions whose window ends by `toTsMs`: the bots trade up to each close. */
  private closeAuctionsDue(toTsMs: number): void {
    if (this.auctions.announced.length === 0) return;
    const due = this.auctionNotices()
      .filter((n) => n.outcome === null && n.withdrawnTs === null && n.closesTs <= toTsMs)
      .sort((a, b) => a.closesTs - b.closesTs);
    for (const n of due) {
      if (n.closesTs > this.tsMs) {
        this.runBotsUntil(n.closesTs);
        this.tsMs = n.closesTs;
      }
      const mw = this.marketOf(n.marketId)!;
      const r = mw.market.closeAuction(n.auctionId, this.tsMs);
      // The window was checked at the notice to end today and the day is still open: a refusal is a broken invariant.
      if (!r.ok) throw new Error(`closing auction ${n.auctionId} failed: ${r.message}`);
      const { title, text } = outcomeText(
        noticeOf(mw.market.auction!, n.marketId, n.auctionId, this.auctions.authorityId!),
      );
      this.addNews(title, text);
      this.tellBidders(mw.market.auction!, n.auctionId);
      this.emit({ kind: 'status' });
    }
  }

  /** The class ends: auctions still taking bids are called off (no allocation; every reservation released). */
  private withdrawOpenAuctions(): void {
    for (const { auctionId, marketId } of this.auctions.announced) {
      const desk = this.marketOf(marketId)!.market.auction!;
      if (desk.auction(auctionId)!.closed) continue;
      const r = desk.withdraw(auctionId, this.tsMs);
      if (!r.ok) throw new Error(`withdrawing auction ${auctionId} failed: ${r.message}`);
      const { title, text } = withdrawnText(noticeOf(desk, marketId, auctionId, this.auctions.authorityId!));
      this.addNews(title, text);
      this.tellBidders(desk, auctionId);
    }
  }

  /** Each student with a bid in the auction gets their bids and balance again (it closed or was withdrawn). */
  private tellBidders(desk: AuctionDesk, auctionId: string): void {
    for (const s of this.students.values())
      if (desk.myBids(s.accountId, auctionId).length > 0) {
        this.emit({ kind: 'private', studentId: s.studentId, what: 'bid' });
        this.emit({ kind: 'private', studentId: s.studentId, what: 'balance' });
      }
  }

  // ---- scoring -------------------------------------------------------------------------------------------------

  /**
   * Profit: the change in what the firm is worth at the last price: cash, plus allowances held, less the
   * allowances still owed for the cycle and any fine. Compliance cost: cash spent on the market (net of sales)
   * plus fines, plus what the allowances still missing would cost at the last price. Both at the home market's
   * last close or trade.
   */
  scores(): { student: Student; profitFen: number; costFen: number }[] {
    const home = this.home();
    const ins = home.setup.instrument;
    const markFen = this.lastPriceFen(home.setup.id, ins);
    return this.studentList().map((s) => {
      const a = this.session.world.ledger.account(s.accountId)!;
      const heldT = this.session.world.ledger.holding(s.accountId, ins).totalT;
      const c = this.compliance(s.studentId);
      const owedT = c?.remainingT ?? 0;
      const fine = c?.fineFen ?? 0;
      const worth = a.cashFen + (heldT - owedT) * markFen - fine;
      const start = s.startCashFen + (s.startAllowancesT - (c?.obligationT ?? 0)) * markFen;
      const missingT = Math.max(0, owedT - heldT);
      return { student: s, profitFen: worth - start, costFen: s.startCashFen - a.cashFen + fine + missingT * markFen };
    });
  }

  /** The last listed trade's price, else the last close. Block and auction trades are negotiated or sealed prices
   * outside the book: like the close, the last price ignores them. */
  lastPriceFen(marketId: string, instrumentId: string): number {
    const t = this.tape.get(marketId) ?? [];
    for (let i = t.length - 1; i >= 0; i--) {
      const x = t[i]!;
      if (x.instrumentId === instrumentId && x.mode === 'listed') return x.priceFen;
    }
    return this.marketOf(marketId)?.market.stats.closeFen(instrumentId) ?? 0;
  }

  // ---- internals -----------------------------------------------------------------------------------------------

  private onTrade(marketId: string, t: TradeRecord): void {
    this.tape.get(marketId)!.push(t);
    for (const [accountId, side] of [
      [t.buyerId, 'buy'],
      [t.sellerId, 'sell'],
    ] as const) {
      const s = this.byAccount.get(accountId);
      if (s === undefined) continue;
      const orderId = t.mode === 'listed' ? this.ownOrderOf(s, t) : null;
      this.fills.get(s.studentId)!.push({
        tradeId: t.tradeId,
        orderId,
        marketId,
        instrumentId: t.instrumentId,
        side,
        priceFen: t.priceFen,
        qtyT: t.qtyT,
        feeFen: side === 'buy' ? t.buyerFeeFen : t.sellerFeeFen,
        mode: t.mode,
        tsMs: t.tsMs,
      });
      if (orderId !== null) {
        const o = this.orderIndex.get(marketId)?.get(orderId);
        // The order being placed is tracked after the command returns with its fills: count only resting makers.
        if (o !== undefined) o.filledT += t.qtyT;
      }
      this.emit({ kind: 'private', studentId: s.studentId, what: 'fill' });
      // A resting order that was hit changed too (filled, resting): its owner's order list is news.
      this.emit({ kind: 'private', studentId: s.studentId, what: 'order' });
      this.emit({ kind: 'private', studentId: s.studentId, what: 'balance' });
    }
    this.emit({ kind: 'trade', marketId, trade: t });
  }

  private ownOrderOf(s: Student, t: TradeRecord): number | null {
    // Both orders of a fill are still known to the desk while it settles (a filled maker is dropped just after).
    const desk = this.marketOf(t.marketId)?.market.listed;
    for (const ref of [t.makerRef, t.takerRef]) if (desk?.orderOf(ref)?.accountId === s.accountId) return ref;
    return null;
  }

  private track(s: Student, o: StudentOrder): void {
    this.orders.get(s.studentId)!.push(o);
    let byId = this.orderIndex.get(o.marketId);
    if (byId === undefined) {
      byId = new Map();
      this.orderIndex.set(o.marketId, byId);
    }
    byId.set(o.orderId, o);
  }

  private after<T>(s: Student, marketId: string, instrumentId: string, r: Result<T>): LiveResult<T> {
    this.emit({ kind: 'book', marketId, instrumentId });
    this.emit({ kind: 'private', studentId: s.studentId, what: 'order' });
    this.emit({ kind: 'private', studentId: s.studentId, what: 'balance' });
    return r;
  }

  private own(s: Student, orderId: number): LiveResult<StudentOrder> {
    // The same id may exist in two markets' desks: prefer the student's order that still rests.
    let o: StudentOrder | undefined;
    for (const byId of this.orderIndex.values()) {
      const x = byId.get(orderId);
      if (x === undefined || x.studentId !== s.studentId) continue;
      if (o === undefined || this.restingT(x) > 0) o = x;
    }
    if (o === undefined) return refuse(LiveCode.UnknownOrder, `you have no order ${orderId}`);
    return { ok: true, value: o };
  }

  private live(studentId: number): LiveResult<Student> {
    const s = this.student(studentId);
    if (s === null) return this.noStudent(studentId);
    if (this.state === 'ended') return refuse(LiveCode.Ended, 'the classroom has ended');
    if (this.state !== 'running')
      return refuse(LiveCode.NotRunning, `the market is ${this.state === 'setup' ? 'not open yet' : 'paused'}`);
    return { ok: true, value: s };
  }

  private noStudent(studentId: number): LiveRejection {
    return refuse(LiveCode.UnknownStudent, `there is no student ${studentId}`);
  }

  private noAuction(auctionId: string): LiveRejection {
    return refuse(LiveCode.UnknownAuction, `there is no auction ${String(auctionId).slice(0, 40)}`);
  }

  private noMarket(marketId: string): LiveRejection {
    return refuse(LiveCode.UnknownMarket, `this classroom has no market "${String(marketId).slice(0, 40)}"`);
  }
}

function eventTitle(e: ScenarioEvent): string {
  switch (e.kind) {
    case 'announcement':
      return e.title;
    case 'deadline':
      return `Deadline of cycle ${e.cycle} in ${e.market} moved to ${e.deadline}`;
    case 'band':
      return `${e.market} ${e.mode} price band set to ±${e.bandBps / 100}%`;
    case 'offset-cap':
      return `Offset cap in ${e.market} set`;
    default:
      return `${e.kind} (${e.date})`;
  }
}

/** True when a text holds control characters (C0 or DEL): not allowed in names. */
function hasControlChars(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}
