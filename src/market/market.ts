// One market (the national market, a pilot, CCER ...) as its catalogue entry describes it: listed trading through
// the engine, block agreements beside it, daily statistics and the close, all settling into a ledger that may be
// shared with other markets (an entity trades CEA nationally and CCER in Beijing from one set of accounts).
//
// Time arrives with every command (tsMs) and is read in China Standard Time. A day runs openDay → commands →
// closeDay; commands are accepted only on the open trading day and inside the mode's session windows.

import { AuctionDesk } from './auction.ts';
import type { AnnounceCmd, AuctionResult, AuctionView, BidCmd, BidView, CancelBidCmd } from './auction-types.ts';
import { BlockDesk, type Proposal, type ProposeBlock } from './block.ts';
import { sessionIndexAt } from './calendar.ts';
import type { MarketSpec } from './catalogue/schema.ts';
import { comprehensivePriceFen, type DailyBar, DailyStats } from './daily-stats.ts';
import { ok, type Rejection, type Result, reject } from './errors.ts';
import type { AccountKind, Ledger } from './ledger.ts';
import { ListedDesk, type OrderAck, type PlaceOrder, type TifName } from './listed.ts';
import { checkReservations, type Reserver } from './reservations.ts';
import { changedSpec, type RuleChange } from './rule-change.ts';
import { cstDate, cstDay, cstMinute } from './time.ts';
import type { Fill, FillListener, SideName, TradeListener, TradeRecord } from './trade.ts';

/** What the market needs of the trading calendar. */
export interface TradingDays {
  isTradingDay(date: string): boolean;
}

export interface MarketOptions {
  readonly calendar: TradingDays;
  /** Previous close per instrument (fen) before the first day: the first band reference. */
  readonly initialCloseFen?: Readonly<Record<string, number>>;
  /** Comprehensive price weights per instrument; null or missing: by listed volume. */
  readonly comprehensiveWeights?: Readonly<Record<string, number>> | null;
  /** Keep every trade for trades() (default true). Simulations count and aggregate through onTrade instead. */
  readonly keepTape?: boolean;
}

export interface DayEnd {
  readonly date: string;
  readonly bars: readonly DailyBar[];
  /** SEEE-style comprehensive price over the instruments (vintages), fen, or null. */
  readonly comprehensiveFen: number | null;
  readonly expiredProposals: number;
}

type Mode = 'listed' | 'block';

export class Market {
  /** The catalogue entry in force; replaced whole by applyRuleChange. */
  spec: MarketSpec;
  readonly ledger: Ledger;
  readonly listed: ListedDesk;
  readonly block: BlockDesk | null;
  readonly auction: AuctionDesk | null;
  readonly stats: DailyStats;
  private readonly calendar: TradingDays;
  private readonly weights: Readonly<Record<string, number>> | null;
  private readonly listeners: TradeListener[] = [];
  private readonly fillListeners: FillListener[] = [];
  private readonly tape: TradeRecord[] = [];
  private readonly keepTape: boolean;
  private openDate: string | null = null;
  /** openDate as a day number: the per-order day check compares numbers, not freshly built strings. */
  private openDay_ = -1;
  private lastDate = '';
  private tradeSeq = 0;

  constructor(spec: MarketSpec, ledger: Ledger, opts: MarketOptions) {
    this.spec = spec;
    this.ledger = ledger;
    this.calendar = opts.calendar;
    this.weights = opts.comprehensiveWeights ?? null;
    this.keepTape = opts.keepTape ?? true;
    const ids = spec.instruments.map((i) => i.id);
    const initial = opts.initialCloseFen ?? {};
    for (const id of Object.keys(initial))
      if (!ids.includes(id)) throw new RangeError(`initialCloseFen: ${id} is not an instrument of ${spec.id}`);
    const onTrade = (t: TradeRecord): void => this.recordTrade(t);
    const onFill = (f: Fill): void => this.recordFill(f);
    // Listed fills build a TradeRecord only for someone who keeps or reads one.
    const recordsWanted = (): boolean => this.keepTape || this.listeners.length > 0;
    const nextTradeId = (): number => ++this.tradeSeq;
    this.stats = new DailyStats(ids, spec.close.previousCloseIfListedVolumeAtMostT, initial);
    this.listed = new ListedDesk(ledger, {
      marketId: spec.id,
      spec: spec.modes.listed,
      instrumentIds: ids,
      initialCloseFen: initial,
      lockDays: spec.resaleLockDays,
      nextTradeId,
      onTrade,
      recordsWanted,
      onFill,
    });
    const blockSpec = spec.modes.block;
    this.block =
      blockSpec === null
        ? null
        : new BlockDesk(ledger, {
            marketId: spec.id,
            spec: blockSpec,
            lockDays: spec.resaleLockDays,
            previousCloseFen: (id) => this.stats.closeFen(id),
            hasInstrument: (id) => ids.includes(id),
            nextTradeId,
            onTrade,
          });
    const auctionSpec = spec.modes.auction;
    this.auction =
      auctionSpec === null
        ? null
        : new AuctionDesk(ledger, auctionSpec, {
            lockDays: spec.resaleLockDays,
            instrumentKind: (id) => spec.instruments.find((i) => i.id === id)?.kind ?? null,
          });
  }

  get id(): string {
    return this.spec.id;
  }

  /** The open trading day, or null between days. */
  get date(): string | null {
    return this.openDate;
  }

  onTrade(listener: TradeListener): void {
    this.listeners.push(listener);
  }

  /**
   * Every trade as a Fill that may be reused once the call returns (copy what you keep), called before the onTrade
   * listeners: for aggregates. A market that keeps no tape and has only fill listeners builds no TradeRecord (nor
   * its ref text) for a listed fill.
   */
  onFill(listener: FillListener): void {
    this.fillListeners.push(listener);
  }

  /** Every trade of the market so far; a market made with { keepTape: false } has none to give: that is an error. */
  trades(): readonly TradeRecord[] {
    if (!this.keepTape) throw new RangeError(`${this.spec.id} keeps no tape (made with keepTape: false)`);
    return this.tape;
  }

  // ---- the day ----------------------------------------------------------------------------------------------

  openDay(tsMs: number): Result<string> {
    const date = cstDate(tsMs);
    if (this.openDate !== null)
      return reject('SessionClosed', `the day ${this.openDate} is still open; close it first`);
    if (!this.calendar.isTradingDay(date))
      return reject('NotTradingDay', `${date} is not a trading day (weekend or public holiday)`);
    if (date <= this.lastDate) return reject('BadInput', `${date} is not after the last trading day, ${this.lastDate}`);
    this.ledger.rollDay(date);
    this.listed.setSession(tsMs, true);
    this.openDate = date;
    this.openDay_ = cstDay(tsMs);
    return ok(date);
  }

  /** End of day: block proposals expire, the close is set, day orders expire, the next band is centred. */
  closeDay(tsMs: number): Result<DayEnd> {
    const date = this.openDate;
    if (date === null) return reject('SessionClosed', 'no trading day is open');
    if (cstDate(tsMs) !== date) return reject('BadInput', `the close must happen on ${date}`);
    const expiredProposals = this.block?.expireAll() ?? 0;
    this.listed.setSession(tsMs, false);
    const bars = this.stats.endDay(date);
    const tick = this.spec.modes.listed.tickFen;
    const bandBps = this.spec.modes.listed.bandBps;
    for (const ins of this.spec.instruments) {
      const close = this.stats.closeFen(ins.id);
      this.listed.endOfDay(tsMs, ins.id, Math.round(close / tick) * tick, bandBps);
    }
    this.openDate = null;
    this.openDay_ = -1;
    this.lastDate = date;
    return ok({ date, bars, comprehensiveFen: comprehensivePriceFen(bars, this.weights), expiredProposals });
  }

  /**
   * A rule change by notice. A block band or an offset cap applies at once; a listed band from the next trading day
   * (bands are set at the close), so announce it before the close of the day before it takes effect.
   */
  applyRuleChange(change: RuleChange): Result<MarketSpec> {
    const next = changedSpec(this.spec, change);
    if (!next.ok) return next;
    this.spec = next.value;
    if (this.block !== null && next.value.modes.block !== null) this.block.setSpec(next.value.modes.block);
    return next;
  }

  // ---- listed -----------------------------------------------------------------------------------------------

  placeOrder(cmd: PlaceOrder): Result<OrderAck> {
    const bad = this.gate(cmd.tsMs, cmd.accountId, 'listed', cmd.instrumentId);
    if (bad !== null) return bad;
    return this.listed.place(cmd);
  }

  /**
   * placeOrder without the command and result objects (the simulator's agents send hundreds of thousands of orders):
   * null when accepted, the acknowledgement then in listed.last until the next command.
   */
  submitOrder(
    tsMs: number,
    accountId: number,
    instrumentId: string,
    side: SideName,
    priceFen: number | null,
    qtyT: number,
    tif: TifName,
  ): Rejection | null {
    const bad = this.gate(tsMs, accountId, 'listed', instrumentId);
    if (bad !== null) return bad;
    return this.listed.submit(tsMs, accountId, instrumentId, side, priceFen, qtyT, tif);
  }

  take(tsMs: number, accountId: number, instrumentId: string, listingId: number, qtyT: number): Result<OrderAck> {
    const bad = this.gate(tsMs, accountId, 'listed', instrumentId);
    if (bad !== null) return bad;
    return this.listed.take(tsMs, accountId, instrumentId, listingId, qtyT);
  }

  amend(tsMs: number, accountId: number, orderId: number, priceFen: number, qtyT: number): Result<OrderAck> {
    const bad = this.gate(tsMs, accountId, 'listed', null);
    if (bad !== null) return bad;
    return this.listed.amend(tsMs, accountId, orderId, priceFen, qtyT);
  }

  /** Cancels are accepted whenever the day is open, lunch break included. */
  cancel(tsMs: number, accountId: number, orderId: number): Result<{ orderId: number; cancelledT: number }> {
    const bad = this.dayGate(tsMs);
    if (bad !== null) return bad;
    return this.listed.cancel(tsMs, accountId, orderId);
  }

  /** cancel without the result object: null when cancelled. */
  cancelOrder(tsMs: number, accountId: number, orderId: number): Rejection | null {
    return this.dayGate(tsMs) ?? this.listed.withdraw(tsMs, accountId, orderId);
  }

  // ---- block ------------------------------------------------------------------------------------------------

  proposeBlock(cmd: ProposeBlock): Result<Readonly<Proposal>> {
    const bad = this.gate(cmd.tsMs, cmd.proposerId, 'block', cmd.instrumentId);
    if (bad !== null) return bad;
    return this.block!.propose(cmd);
  }

  acceptBlock(tsMs: number, proposalId: number, accountId: number): Result<TradeRecord> {
    const bad = this.gate(tsMs, accountId, 'block', null);
    if (bad !== null) return bad;
    return this.block!.accept(tsMs, proposalId, accountId);
  }

  counterBlock(
    tsMs: number,
    proposalId: number,
    accountId: number,
    priceFen: number,
    qtyT: number,
  ): Result<Readonly<Proposal>> {
    const bad = this.gate(tsMs, accountId, 'block', null);
    if (bad !== null) return bad;
    return this.block!.counter(tsMs, proposalId, accountId, priceFen, qtyT);
  }

  rejectBlock(tsMs: number, proposalId: number, accountId: number): Result<Readonly<Proposal>> {
    const bad = this.block === null ? this.noMode('block') : this.dayGate(tsMs);
    if (bad !== null) return bad;
    return this.block!.rejectProposal(proposalId, accountId);
  }

  withdrawBlock(tsMs: number, proposalId: number, accountId: number): Result<Readonly<Proposal>> {
    const bad = this.block === null ? this.noMode('block') : this.dayGate(tsMs);
    if (bad !== null) return bad;
    return this.block!.withdraw(proposalId, accountId);
  }

  // ---- one-way auction -------------------------------------------------------------------------------------
  // Announced case by case: the notice sets the window, so only the trading day is checked here, not the hours.

  announceAuction(cmd: AnnounceCmd): Result<AuctionView> {
    const bad = this.auctionNoticeProblem(cmd);
    if (bad !== null) return bad;
    return this.auction!.announce(cmd);
  }

  /**
   * Why this notice would be refused, or null; changes nothing (the initiator's holdings or cash are not checked).
   * `opening`: the initiator's account is about to be opened with this kind (checked as if it were open), so a
   * caller can open it only for a notice that will be taken.
   */
  auctionNoticeProblem(cmd: AnnounceCmd, opening: AccountKind | null = null): Rejection | null {
    if (opening !== null && this.ledger.has(cmd.initiatorId))
      return reject('DuplicateId', `account ${cmd.initiatorId} already exists`);
    // The competent authority may ask for an auction of its reserve though it is no participant of the market.
    const bad = this.gate(cmd.tsMs, cmd.initiatorId, 'auction', cmd.instrumentId, true, opening);
    return bad ?? this.auction!.noticeProblem(cmd, opening !== null);
  }

  bidAuction(cmd: BidCmd): Result<BidView> {
    const bad = this.gate(cmd.tsMs, cmd.accountId, 'auction', null);
    if (bad !== null) return bad;
    return this.auction!.bid(cmd);
  }

  cancelAuctionBid(cmd: CancelBidCmd): Result<BidView> {
    const bad = this.auction === null ? this.noMode('auction') : this.dayGate(cmd.tsMs);
    if (bad !== null) return bad;
    return this.auction!.cancelBid(cmd);
  }

  /** Allocates, settles and publishes; each allocation becomes an auction trade (never in the close). */
  closeAuction(auctionId: string, tsMs: number): Result<AuctionResult> {
    const bad = this.auction === null ? this.noMode('auction') : this.dayGate(tsMs);
    if (bad !== null) return bad;
    const r = this.auction!.close(auctionId, tsMs);
    if (!r.ok) return r;
    const a = this.auction!.auction(auctionId)!;
    for (const row of r.value.allocations) {
      this.recordTrade({
        tradeId: ++this.tradeSeq,
        tsMs,
        marketId: this.spec.id,
        instrumentId: a.instrumentId,
        mode: 'auction',
        buyerId: a.side === 'sell' ? row.accountId : a.initiatorId,
        sellerId: a.side === 'sell' ? a.initiatorId : row.accountId,
        priceFen: row.priceFen,
        qtyT: row.qtyT,
        buyerFeeFen: row.feeFen,
        sellerFeeFen: row.feeFen,
        makerRef: 0,
        takerRef: 0,
        aggressor: a.side === 'sell' ? 'buy' : 'sell',
        ref: `auction ${auctionId} bid ${row.bidId}`,
      });
    }
    return r;
  }

  // ---- checks -----------------------------------------------------------------------------------------------

  /**
   * null when every live order's reservation matches what it may still need and, if this market has the ledger to
   * itself, the ledger's reserves equal the sum of the desks' (pass the other markets' desks when it is shared).
   */
  checkReservations(others: readonly Reserver[] = []): string | null {
    return this.listed.checkReservations() ?? checkReservations(this.ledger, [...this.desks(), ...others]);
  }

  /** The desks holding reservations in this market's ledger. */
  desks(): Reserver[] {
    const out: Reserver[] = [this.listed];
    if (this.block !== null) out.push(this.block);
    if (this.auction !== null) out.push(this.auction);
    return out;
  }

  private dayGate(tsMs: number): Rejection | null {
    if (!Number.isSafeInteger(tsMs) || tsMs < 0)
      return reject('BadInput', `the time ${tsMs} is not a whole number of milliseconds`);
    if (this.openDate === null) return reject('SessionClosed', `${this.spec.name} is closed (no trading day open)`);
    if (cstDay(tsMs) !== this.openDay_)
      return reject('SessionClosed', `the open trading day is ${this.openDate}, not ${cstDate(tsMs)}`);
    return null;
  }

  private noMode(mode: 'block' | 'auction'): Rejection {
    const name = mode === 'block' ? 'block agreement trading' : 'one-way auctions';
    return reject('ModeNotOffered', `${this.spec.name} has no ${name}`);
  }

  private gate(
    tsMs: number,
    accountId: number,
    mode: Mode | 'auction',
    instrumentId: string | null,
    authorityMay = false,
    kindIfNew: AccountKind | null = null,
  ): Rejection | null {
    if (mode === 'block' && this.block === null) return this.noMode('block');
    if (mode === 'auction' && this.auction === null) return this.noMode('auction');
    const day = this.dayGate(tsMs);
    if (day !== null) return day;
    if (mode !== 'auction') {
      const sessions = mode === 'listed' ? this.spec.modes.listed.sessions : this.spec.modes.block!.sessions;
      if (sessionIndexAt(sessions, cstMinute(tsMs)) < 0) {
        const windows = sessions.map(([a, b]) => `${a}-${b}`).join(', ');
        return reject('SessionClosed', `${mode} trading in ${this.spec.name} runs ${windows} China time`);
      }
    }
    const kind = kindIfNew ?? this.ledger.kindOf(accountId);
    if (kind === null) return reject('UnknownAccount', `there is no account ${accountId}`);
    const p = this.spec.participants;
    const allowed =
      (kind === 'authority' && authorityMay) ||
      (kind === 'entity' && p.complianceEntities) ||
      (kind === 'institution' && p.institutions) ||
      (kind === 'individual' && p.individuals);
    if (!allowed) return reject('NotEligible', `${kind} accounts may not trade in ${this.spec.name}`);
    if (instrumentId !== null) {
      // An index loop, not find or for-of: no closure or iterator per order.
      let ins: MarketSpec['instruments'][number] | undefined;
      const list = this.spec.instruments;
      for (let i = 0; i < list.length; i++)
        if (list[i]!.id === instrumentId) {
          ins = list[i];
          break;
        }
      if (ins === undefined)
        return reject('UnknownInstrument', `${instrumentId} is not an instrument of ${this.spec.name}`);
      if (ins.listedFrom > this.openDate!)
        return reject('UnknownInstrument', `${instrumentId} is listed from ${ins.listedFrom}`);
    }
    return null;
  }

  private recordTrade(t: TradeRecord): void {
    if (this.keepTape) this.tape.push(t);
    this.stats.add(t);
    for (const l of this.fillListeners) l(t);
    for (const l of this.listeners) l(t);
  }

  private recordFill(f: Fill): void {
    this.stats.add(f);
    for (const l of this.fillListeners) l(f);
  }
}
