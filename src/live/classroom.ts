// A live classroom market: a scenario's world (markets, rules, bots: the simulator's own agents) run against an
// exchange clock, with students trading beside the bots as covered firms. The instructor starts, pauses, resumes and
// ends it, fires the scenario's shocks when they choose and may move the deadline.
//
// Pure: no I/O and no clock. Every change is a command (commands.ts; the server moves exchange time on with tick
// commands), so the journal can replay it; what happens is reported to listeners as LiveEvents (trades, book
// changes, bars, news, status, private updates). Tokens and persistence are the server's business.
//
// This file keeps construction, the clock and the lifecycle. Each other concern is a slice sharing one context
// (context.ts): students, orders, blocks, compliance, timeline, auctions, market data; the methods below the
// lifecycle are the read models the server may use (it sees nothing past them: test/unit/arch/server-facade).
// A class runs in rounds (rounds.ts), each in a world of its own: the round's slices are built again with it
// (roundSlices); the class's own (students, rounds, presence) stay.
import type { BidView } from '../market/auction-types.ts';
import type { OrderAck } from '../market/listed.ts';
import { cstMinute } from '../market/time.ts';
import type { TradeRecord } from '../market/trade.ts';
import type { MarketWorld } from '../sim/world.ts';
import { Alerts } from './alerts.ts';
import type { AuctionNotice } from './auction-notices.ts';
import { Auctions } from './auctions.ts';
import { Blocks } from './blocks.ts';
import { dayOpenTs, sessionName } from './clock.ts';
import { applyCommand } from './commands.ts';
import { Compliance } from './compliance.ts';
import { RoomContext } from './context.ts';
import { advanceDay } from './day.ts';
import { LiveCode, type LiveRejection, type LiveResult, refuse } from './errors.ts';
import { MarketData } from './market-data.ts';
import { Orders } from './orders.ts';
import { Positions, type PositionView } from './positions.ts';
import { Presence } from './presence.ts';
import { type RoundResult, Rounds, type RoundView } from './rounds.ts';
import { Students } from './students.ts';
import { Timeline } from './timeline.ts';
import type {
  ClassroomConfig,
  ClassroomState,
  ComplianceView,
  Fill,
  LiveListener,
  NewsItem,
  OrderInput,
  OrderStatus,
  Student,
  StudentOrder,
} from './types.ts';
import { RULES_BEFORE_ROUNDS } from './types.ts';

export type * from './types.ts';

export class Classroom {
  readonly id: string;
  name: string;
  readonly seed: number;
  speed: number;
  botIntensity: number;
  private readonly ctx: RoomContext;
  // The class's slices.
  readonly students: Students;
  readonly rounds: Rounds;
  readonly presence: Presence;
  // The round's: built again with each round's world (openWorld).
  marketData!: MarketData;
  orders!: Orders;
  blocks!: Blocks;
  timeline!: Timeline;
  compliance!: Compliance;
  auctions!: Auctions;
  standings!: Positions;
  alerts!: Alerts;

  constructor(cfg: ClassroomConfig) {
    this.id = cfg.id;
    this.name = cfg.name;
    this.seed = cfg.seed;
    this.speed = cfg.speed;
    this.botIntensity = cfg.botIntensity;
    const ctx = new RoomContext(cfg);
    this.ctx = ctx;
    this.students = new Students(ctx);
    this.rounds = new Rounds(ctx, cfg.seed);
    this.presence = new Presence(ctx);
    this.roundSlices();
  }

  /** A fresh world from the scenario for a new round (rounds.ts seats the students in it again). */
  openWorld(seed: number): void {
    this.ctx.openWorld(seed, this.botIntensity);
    this.students.newWorld();
    this.roundSlices();
  }

  /** The round's slices, on the round's world, whose first day begins. */
  private roundSlices(): void {
    const { ctx } = this;
    // Slices that keep something of every trade subscribe in this order: the tape first, then the students' fills.
    this.marketData = new MarketData(ctx);
    this.orders = new Orders(ctx);
    this.blocks = new Blocks(ctx);
    this.timeline = new Timeline(ctx);
    this.compliance = new Compliance(ctx, this.timeline, this.marketData);
    this.auctions = new Auctions(ctx, this.timeline);
    this.standings = new Positions(ctx, this.compliance, this.marketData, this.timeline, (id) => ({
      autoSurrender: this.autoSurrenderOf(id),
      away: this.isAway(id),
    }));
    this.alerts = new Alerts(ctx, this.auctions, this.standings);
    ctx.tsMs = dayOpenTs(ctx.session.beginDay(), ctx.windows);
  }

  /** What the classroom was built from and never changes (catalogue, calendar, registry, scenario): snapshots
   * refer to it rather than copy it. */
  statics(): readonly object[] {
    return [this.ctx.data, this.ctx.scenario];
  }

  on(listener: LiveListener): void {
    this.ctx.on(listener);
  }

  /** Hands the trades of the command just run to the slices (commands.ts calls it after each command). */
  settle(): void {
    this.ctx.settle();
  }

  /** After a snapshot is restored: what is derived rather than kept is derived again. */
  restored(): void {
    this.orders.reindex();
  }

  // ---- the clock ------------------------------------------------------------------------------------------------

  get state(): ClassroomState {
    return this.ctx.state;
  }

  /** A class started before rounds keeps the rules of then (types.ts) until it is reset: no lobby, no rounds. */
  get beforeRounds(): boolean {
    return this.ctx.rules === RULES_BEFORE_ROUNDS;
  }

  /** Exchange time now. */
  get nowTsMs(): number {
    return this.ctx.tsMs;
  }

  get date(): string {
    return this.ctx.date;
  }

  get deadlineDate(): string {
    return this.timeline.deadline();
  }

  /** 'listed', 'block', 'listed+block' or 'closed' at the exchange time now (of the home market). */
  get sessionNow(): string {
    const spec = this.ctx.home().market.spec;
    return this.state === 'ended'
      ? 'closed'
      : sessionName(cstMinute(this.ctx.tsMs), spec.modes.listed.sessions, spec.modes.block?.sessions ?? null);
  }

  /** Moves exchange time on by this much and runs the bots' looks up to it; at a day's end, opens the next (day.ts). */
  advanceExchange(exchangeMs: number): void {
    if (this.state === 'running') advanceDay(this, this.ctx, exchangeMs);
  }

  // ---- lifecycle (commands in lifecycle.ts) ---------------------------------------------------------------------

  start(): LiveResult<ClassroomState> {
    if (this.state !== 'setup')
      return refuse(LiveCode.BadState, `the classroom is ${this.state}, not waiting to start`);
    this.rounds.opened();
    return this.setState('running');
  }

  pause(): LiveResult<ClassroomState> {
    if (this.state !== 'running') return refuse(LiveCode.BadState, `the classroom is ${this.state}, not running`);
    return this.setState('paused');
  }

  resume(): LiveResult<ClassroomState> {
    if (this.state !== 'paused') return refuse(LiveCode.BadState, `the classroom is ${this.state}, not paused`);
    if (this.rounds.phase === 'over')
      return refuse(LiveCode.BadState, 'the round is over: start the next round or end the class');
    return this.setState('running');
  }

  end(): LiveResult<ClassroomState> {
    if (this.state === 'ended') return refuse(LiveCode.Ended, 'the classroom has already ended');
    this.auctions.withdrawOpen();
    this.rounds.close(this);
    return this.setState('ended');
  }

  private setState(state: ClassroomState): LiveResult<ClassroomState> {
    this.ctx.state = state;
    this.ctx.emit({ kind: 'status' });
    return { ok: true, value: state };
  }

  /** Why these settings cannot be taken, or null (checked for both before either is set: a change is whole). */
  settingsProblem(x: { speed?: number; botIntensity?: number; seats?: number | null }): LiveRejection | null {
    const { speed, botIntensity } = x;
    const seats = this.students.seatsProblem(x.seats);
    if (seats !== null) return seats;
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
    this.ctx.emit({ kind: 'status' });
    return { ok: true, value: speed };
  }

  setBotIntensity(x: number): LiveResult<number> {
    const bad = this.settingsProblem({ botIntensity: x });
    if (bad !== null) return bad;
    this.botIntensity = x;
    // From the next day's draw of looks: today's are drawn already.
    this.ctx.session.activityScale = x;
    this.ctx.emit({ kind: 'status' });
    return { ok: true, value: x };
  }

  /** A student's order, as the server's order route and the WebSocket order op place it (the journaled command). */
  placeOrder(studentId: number, input: OrderInput): LiveResult<OrderAck> {
    return applyCommand<'order'>(this, { op: 'order', studentId, ...input });
  }

  // ---- read models: what the server may see -----------------------------------------------------------------------

  round(): RoundView {
    return this.rounds.view(this.deadlineDate);
  }
  roundResults(): readonly RoundResult[] {
    return this.rounds.results;
  }
  get leaderboardVisible(): boolean {
    return this.rounds.leaderboardVisible;
  }
  /** The class's automatic surrender (the instructor's switch); autoSurrenderOf: a student's own. */
  get autoSurrender(): boolean {
    return this.rounds.autoSurrender;
  }
  autoSurrenderOf(studentId: number): boolean {
    return this.rounds.autoSurrenderOf(studentId);
  }
  isAway(studentId: number): boolean {
    return this.presence.isAway(studentId);
  }

  seats(): number {
    return this.students.seats();
  }
  get seatCap(): number | null {
    return this.students.seatCap;
  }
  isRevoked(studentId: number): boolean {
    return this.students.isRevoked(studentId);
  }
  admitNames(raw: readonly string[]): LiveResult<string[]> {
    return this.students.admitNames(raw);
  }
  student(studentId: number): Student | null {
    return this.ctx.student(studentId);
  }
  studentList(): Student[] {
    return this.students.list();
  }
  studentOrders(studentId: number): readonly StudentOrder[] {
    return this.orders.list(studentId);
  }
  studentFills(studentId: number): readonly Fill[] {
    return this.orders.fills(studentId);
  }
  openOrderByClientId(studentId: number, id: string): StudentOrder | null {
    return this.orders.openByClientId(studentId, id);
  }
  restingT(o: StudentOrder): number {
    return this.orders.restingT(o);
  }
  orderStatus(o: StudentOrder): OrderStatus {
    return this.orders.status(o);
  }
  proposals(studentId: number) {
    return this.blocks.visibleTo(studentId);
  }
  proposalMarket(studentId: number, proposalId: number): string | null {
    return this.blocks.marketOf(studentId, proposalId);
  }
  complianceOf(studentId: number): ComplianceView | null {
    return this.compliance.view(studentId);
  }
  scores() {
    return this.compliance.scores();
  }
  position(studentId: number): PositionView | null {
    return this.standings.of(studentId);
  }
  positions(): PositionView[] {
    return this.standings.all();
  }
  timelineView() {
    return this.timeline.list();
  }
  get news(): readonly NewsItem[] {
    return this.timeline.news;
  }
  auctionNotices(): AuctionNotice[] {
    return this.auctions.notices();
  }
  studentBids(studentId: number): BidView[] {
    return this.auctions.studentBids(studentId);
  }
  auctionResult(auctionId: string) {
    return this.auctions.result(auctionId);
  }
  trades(marketId: string): readonly TradeRecord[] {
    return this.marketData.trades(marketId);
  }
  recentTrades(marketId: string, instrumentId: string, limit: number): TradeRecord[] {
    return this.marketData.recentTrades(marketId, instrumentId, limit);
  }
  lastPriceFen(marketId: string, instrumentId: string): number {
    return this.marketData.lastPriceFen(marketId, instrumentId);
  }
  integrity(): string | null {
    return this.marketData.integrity();
  }

  marketList() {
    return this.marketData.markets();
  }
  homeMarket(): { marketId: string; instrumentId: string } {
    return this.marketData.home();
  }
  hasMarket(marketId: string): boolean {
    return this.marketData.hasMarket(marketId);
  }
  hasBook(marketId: string, instrumentId: string): boolean {
    return this.marketData.hasBook(marketId, instrumentId);
  }
  marketRules(marketId: string) {
    return this.marketData.rules(marketId);
  }
  depth(marketId: string, instrumentId: string, levels: number) {
    return this.marketData.depth(marketId, instrumentId, levels);
  }
  ticker(marketId: string, instrumentId: string) {
    return this.marketData.ticker(marketId, instrumentId);
  }
  bars(marketId: string) {
    return this.marketData.bars(marketId);
  }
  /** A student's cash and holdings, or null for no such student. */
  account(studentId: number) {
    const s = this.ctx.student(studentId);
    return s === null ? null : this.marketData.account(s.accountId);
  }

  // ---- for the core's own tools and tests (not the server's: see the façade test) --------------------------------

  /** The market world behind a market id (the engine, desks and bots): benches and tests look inside. */
  marketOf(marketId: string): MarketWorld | null {
    return this.ctx.marketOf(marketId);
  }

  /** The simulator session the classroom runs (its world, ledger and bots). */
  get session() {
    return this.ctx.session;
  }
}
