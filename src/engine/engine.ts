import { Code, codeMessage } from './codes.ts';
import { bandEdges, checkEngineConfig, type EngineConfig, frozenConfig } from './config.ts';
import { CancelReason, MAX_SAFE, MatchMode, OrderType, SessionState, Side, Stp, Tif } from './constants.ts';
import { type EngineSink, NullSink } from './events.ts';
import { IdIndex } from './id-index.ts';
import { checkInvariants } from './invariants.ts';
import { type Level, LevelPool } from './level.ts';
import { ACCT, FLAGS, flagsOf, ID, LEVEL, NEXT, OrderStore, QTY, SEQ, sideOf, stpOf, tifOf } from './order-store.ts';
import { DENSE_MAX_TICKS, SideBook } from './side-book.ts';
import { buildSnapshot, checkSnapshot, type EngineSnapshot, type SnapshotOrder } from './snapshot.ts';
import { DayStats } from './stats.ts';

export class EngineError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'EngineError';
    this.code = code;
  }
}

export interface OrderView {
  orderId: number;
  accountId: number;
  side: Side;
  priceFen: number;
  qtyT: number;
  tif: Tif;
  stp: Stp;
}

export interface LevelView {
  priceFen: number;
  qtyT: number;
  count: number;
}

const isPosInt = (v: number): boolean => Number.isSafeInteger(v) && v > 0;
const idOrZero = (v: number): number => (Number.isSafeInteger(v) ? v : 0);

/**
 * The matching engine for one instrument. Pure: no clock, no randomness, no I/O; integers only.
 * Every command returns a Code (0 = Ok) and reports what happened to the sink, which must not call back
 * into the engine. Orders are rows of an OrderStore addressed by slot; see README "The order book engine".
 */
export class Engine {
  /** Frozen; replaced whole only when endOfDay changes the band width (a rule change between days). */
  config: EngineConfig;
  /** Day statistics (open, high, low, last, volume, turnover, trade count); reset by endOfDay. */
  readonly dayStats: DayStats;
  /** @internal Replaced (levels moved) when the band changes: see rebuildBooks. */ bids: SideBook;
  /** @internal */ asks: SideBook;
  /** @internal */ readonly store: OrderStore;
  /** @internal order id -> slot */ readonly index: IdIndex;
  /** @internal */ readonly levelPool: LevelPool;
  private sink: EngineSink;
  private readonly listed: boolean;
  /** @internal */ seqNo: number;
  /** @internal */ lastTsMs: number;
  /** @internal */ state: SessionState;
  /** @internal */ refFen: number;
  private bandOn: boolean;
  private bandLow: number;
  private bandHigh: number;
  /** Details of the last rejection, for a human-readable message without allocating on the hot path. */
  lastRejectCode: number;
  lastRejectValue: number;
  lastRejectLimit: number;

  constructor(config: EngineConfig, sink: EngineSink = new NullSink()) {
    const problem = checkEngineConfig(config);
    if (problem !== null) throw new EngineError('ENG_ERR_CONFIG', `engine config: ${problem}`);
    this.config = frozenConfig(config);
    this.dayStats = new DayStats();
    this.levelPool = new LevelPool();
    this.bids = new SideBook(Side.Buy, this.levelPool);
    this.asks = new SideBook(Side.Sell, this.levelPool);
    this.store = new OrderStore();
    this.index = new IdIndex();
    this.sink = sink;
    this.listed = config.mode === MatchMode.Listed;
    this.seqNo = 0;
    this.lastTsMs = 0;
    this.state = SessionState.Closed;
    this.refFen = 0;
    this.bandOn = false;
    this.bandLow = 0;
    this.bandHigh = MAX_SAFE;
    this.lastRejectCode = 0;
    this.lastRejectValue = 0;
    this.lastRejectLimit = 0;
    this.setReference(config.refPriceFen ?? 0);
    this.rebuildBooks(false);
  }

  setSink(sink: EngineSink): void {
    this.sink = sink;
  }

  // ---------------------------------------------------------------- reading

  get seq(): number {
    return this.seqNo;
  }
  get session(): SessionState {
    return this.state;
  }
  /** Band centre; 0 when there is no band. */
  get refPriceFen(): number {
    return this.refFen;
  }
  get bandLowFen(): number {
    return this.bandOn ? this.bandLow : 0;
  }
  get bandHighFen(): number {
    return this.bandOn ? this.bandHigh : 0;
  }
  get orderCount(): number {
    return this.index.size;
  }
  bestBidFen(): number {
    return this.bids.bestFen;
  }
  bestAskFen(): number {
    return this.asks.bestFen;
  }
  bestBidQtyT(): number {
    return this.bids.best()?.qtyT ?? 0;
  }
  bestAskQtyT(): number {
    return this.asks.best()?.qtyT ?? 0;
  }

  /** The best n levels of a side, best first. */
  depth(side: Side, n: number): LevelView[] {
    const book = side === Side.Buy ? this.bids : this.asks;
    const out: LevelView[] = [];
    for (let l = book.best(); l !== null && out.length < n; l = book.worse(l))
      out.push({ priceFen: l.priceFen, qtyT: l.qtyT, count: l.count });
    return out;
  }

  getOrder(orderId: number): OrderView | null {
    if (!isPosInt(orderId)) return null;
    const h = this.index.get(orderId);
    return h === 0 ? null : this.view(h);
  }

  /** Tonnes still resting of a live order, 0 when it is not on the book (no view built). */
  restingQtyT(orderId: number): number {
    if (!isPosInt(orderId)) return 0;
    const h = this.index.get(orderId);
    return h === 0 ? 0 : this.store.f[(h << 2) + QTY]!;
  }

  /** Every live order in time-priority order (oldest first). */
  liveOrders(): OrderView[] {
    return this.liveSlots().map((h) => this.view(h));
  }

  /** @internal Slots of all live orders, oldest first. */
  liveSlots(): number[] {
    const out: number[] = [];
    const lk = this.store.i;
    for (const book of [this.bids, this.asks])
      for (let lvl = book.best(); lvl !== null; lvl = book.worse(lvl))
        for (let h = lvl.head; h !== 0; h = lk[(h << 2) + NEXT]!) out.push(h);
    const f = this.store.f;
    return out.sort((a, b) => f[(a << 2) + SEQ]! - f[(b << 2) + SEQ]!);
  }

  /** null when every internal structure is sound, else the first broken invariant (O(n), for tests). */
  checkInvariants(): string | null {
    return checkInvariants(this);
  }

  /** The whole state as plain JSON; Engine.restore(snapshot) continues exactly like this engine. */
  snapshot(): EngineSnapshot {
    return buildSnapshot(this);
  }

  /** Rebuilds an engine from a snapshot. Throws EngineError (ENG_ERR_SNAPSHOT) when the snapshot is malformed. */
  static restore(snap: EngineSnapshot, sink: EngineSink = new NullSink()): Engine {
    const problem = checkSnapshot(snap);
    if (problem !== null) throw new EngineError('ENG_ERR_SNAPSHOT', problem);
    const e = new Engine(snap.config, sink);
    e.seqNo = snap.seq;
    e.lastTsMs = snap.lastTsMs;
    e.state = snap.session;
    e.setReference(snap.refPriceFen);
    e.rebuildBooks(false);
    // A dense book holds only the band's prices; orders outside it (not from a live engine) get a sparse one.
    const fits = (o: SnapshotOrder) => (o[2] === Side.Buy ? e.bids : e.asks).covers(o[3]);
    if (!snap.orders.every(fits)) e.rebuildBooks(true);
    Object.assign(e.dayStats, snap.dayStats);
    for (const [orderId, accountId, side, priceFen, qtyT, tif, stp, entrySeq] of snap.orders) {
      const h = e.store.acquire(orderId, accountId, flagsOf(side, tif, stp), qtyT, entrySeq);
      e.store.pushLevel((side === Side.Buy ? e.bids : e.asks).getOrCreate(priceFen), h);
      e.index.set(orderId, h);
    }
    const broken = e.checkInvariants();
    if (broken !== null) throw new EngineError('ENG_ERR_SNAPSHOT', `snapshot does not form a sound book: ${broken}`);
    return e;
  }

  lastRejectMessage(): string {
    return codeMessage(this.lastRejectCode, this.lastRejectValue, this.lastRejectLimit);
  }

  // ---------------------------------------------------------------- commands

  placeLimit(
    tsMs: number,
    orderId: number,
    accountId: number,
    side: Side,
    priceFen: number,
    qtyT: number,
    tif: Tif,
    stp: Stp,
  ): number {
    const c = this.checkOrderHead(tsMs, orderId, accountId, side, tif);
    if (c !== Code.Ok) return c;
    if (!validStp(stp)) return this.reject(tsMs, orderId, Code.BadStp, stp, 0);
    if (!isPosInt(priceFen)) return this.reject(tsMs, orderId, Code.BadPrice, priceFen, 0);
    if (!isPosInt(qtyT)) return this.reject(tsMs, orderId, Code.BadQty, qtyT, 0);
    const s = this.checkOpen(tsMs, orderId);
    if (s !== Code.Ok) return s;
    if (this.index.get(orderId) !== 0) return this.reject(tsMs, orderId, Code.DuplicateOrderId, orderId, 0);
    const p = this.checkPrice(tsMs, orderId, priceFen);
    if (p !== Code.Ok) return p;
    const q = this.checkSize(tsMs, orderId, qtyT);
    if (q !== Code.Ok) return q;
    if (priceFen * qtyT > MAX_SAFE) return this.reject(tsMs, orderId, Code.NotionalOverflow, priceFen * qtyT, MAX_SAFE);
    if (tif === Tif.GFD || tif === Tif.GTC) {
      const r = this.checkLevelRoom(tsMs, orderId, side, priceFen, qtyT);
      if (r !== Code.Ok) return r;
    }
    const d = this.checkDayRoom(tsMs, orderId, side === Side.Buy, priceFen, qtyT);
    if (d !== Code.Ok) return d;

    this.lastTsMs = tsMs;
    const seq = ++this.seqNo;
    const t = this.store.acquire(orderId, accountId, flagsOf(side, tif, stp), qtyT, seq);
    this.sink.accepted(seq, tsMs, orderId, accountId, side, OrderType.Limit, priceFen, qtyT, tif);
    this.execute(tsMs, t, priceFen, false);
    return Code.Ok;
  }

  placeMarket(tsMs: number, orderId: number, accountId: number, side: Side, qtyT: number, tif: Tif, stp: Stp): number {
    const c = this.checkOrderHead(tsMs, orderId, accountId, side, tif);
    if (c !== Code.Ok) return c;
    if (tif === Tif.GFD || tif === Tif.GTC) return this.reject(tsMs, orderId, Code.MarketTifNotAllowed, tif, 0);
    if (!validStp(stp)) return this.reject(tsMs, orderId, Code.BadStp, stp, 0);
    if (!isPosInt(qtyT)) return this.reject(tsMs, orderId, Code.BadQty, qtyT, 0);
    const s = this.checkOpen(tsMs, orderId);
    if (s !== Code.Ok) return s;
    if (this.index.get(orderId) !== 0) return this.reject(tsMs, orderId, Code.DuplicateOrderId, orderId, 0);
    const q = this.checkSize(tsMs, orderId, qtyT);
    if (q !== Code.Ok) return q;
    // Protection: a market order never trades outside the band. Without a band it reaches any price.
    const protFen = side === Side.Buy ? (this.bandOn ? this.bandHigh : MAX_SAFE) : this.bandOn ? this.bandLow : 0;
    const d = this.checkDayRoom(tsMs, orderId, side === Side.Buy, protFen, qtyT);
    if (d !== Code.Ok) return d;

    this.lastTsMs = tsMs;
    const seq = ++this.seqNo;
    const t = this.store.acquire(orderId, accountId, flagsOf(side, tif, stp), qtyT, seq);
    this.sink.accepted(seq, tsMs, orderId, accountId, side, OrderType.Market, protFen, qtyT, tif);
    this.execute(tsMs, t, protFen, false);
    return Code.Ok;
  }

  /** Listed agreement: take listing `listingId` (any listing within the best N levels) for qtyT at its price. */
  take(tsMs: number, orderId: number, accountId: number, listingId: number, qtyT: number): number {
    const c = this.checkTime(tsMs, orderId);
    if (c !== Code.Ok) return c;
    if (!isPosInt(orderId)) return this.reject(tsMs, orderId, Code.BadOrderId, orderId, 0);
    if (!isPosInt(accountId)) return this.reject(tsMs, orderId, Code.BadAccount, accountId, 0);
    if (!isPosInt(qtyT)) return this.reject(tsMs, orderId, Code.BadQty, qtyT, 0);
    const s = this.checkOpen(tsMs, orderId);
    if (s !== Code.Ok) return s;
    if (!this.listed) return this.reject(tsMs, orderId, Code.TakeNotListedMode, 0, 0);
    if (this.index.get(orderId) !== 0) return this.reject(tsMs, orderId, Code.DuplicateOrderId, orderId, 0);
    const m = isPosInt(listingId) ? this.index.get(listingId) : 0;
    if (m === 0) return this.reject(tsMs, orderId, Code.UnknownOrder, listingId, 0);
    const n = this.store.f;
    const mb = m << 2;
    const lvl = this.levelOf(m);
    const mSide = lvl.side;
    const mPrice = lvl.priceFen;
    const mQty = n[mb + QTY]!;
    const mAcct = n[mb + ACCT]!;
    if (mAcct === accountId) return this.reject(tsMs, orderId, Code.TakeOwnListing, listingId, 0);
    const book = mSide === Side.Buy ? this.bids : this.asks;
    const edge = book.nthBestPrice(this.config.listedDepth);
    if (mSide === Side.Buy ? mPrice < edge : mPrice > edge)
      return this.reject(tsMs, orderId, Code.TakeBeyondDepth, listingId, this.config.listedDepth);
    if (qtyT > mQty) return this.reject(tsMs, orderId, Code.TakeQtyExceedsListing, qtyT, mQty);
    if (qtyT % this.config.lotT !== 0) return this.reject(tsMs, orderId, Code.QtyOffLot, qtyT, this.config.lotT);
    if (qtyT < this.config.minQtyT && qtyT !== mQty)
      return this.reject(tsMs, orderId, Code.QtyBelowMin, qtyT, this.config.minQtyT);
    if (qtyT > this.config.maxQtyT) return this.reject(tsMs, orderId, Code.QtyAboveMax, qtyT, this.config.maxQtyT);
    if (this.dayStats.turnoverFen + mPrice * qtyT > MAX_SAFE)
      return this.reject(tsMs, orderId, Code.DayTurnoverOverflow, qtyT, mPrice);

    this.lastTsMs = tsMs;
    const takerSide: Side = mSide === Side.Buy ? Side.Sell : Side.Buy;
    this.sink.accepted(++this.seqNo, tsMs, orderId, accountId, takerSide, OrderType.Take, mPrice, qtyT, Tif.IOC);
    const left = mQty - qtyT;
    n[mb + QTY] = left;
    lvl.qtyT -= qtyT;
    this.dayStats.record(mPrice, qtyT);
    this.sink.trade(++this.seqNo, tsMs, n[mb + ID]!, orderId, mAcct, accountId, takerSide, mPrice, qtyT, left, 0);
    if (left === 0) this.removeOrder(m, lvl);
    this.emitLevel(tsMs, lvl, book);
    return Code.Ok;
  }

  cancel(tsMs: number, orderId: number, accountId: number): number {
    const c = this.checkTime(tsMs, orderId);
    if (c !== Code.Ok) return c;
    if (!isPosInt(orderId)) return this.reject(tsMs, orderId, Code.BadOrderId, orderId, 0);
    if (!isPosInt(accountId)) return this.reject(tsMs, orderId, Code.BadAccount, accountId, 0);
    const h = this.index.get(orderId);
    if (h === 0) return this.reject(tsMs, orderId, Code.UnknownOrder, orderId, 0);
    if (this.store.f[(h << 2) + ACCT] !== accountId) return this.reject(tsMs, orderId, Code.NotOwner, orderId, 0);
    this.lastTsMs = tsMs;
    this.cancelResting(tsMs, h, CancelReason.User);
    return Code.Ok;
  }

  /** New price and new remaining quantity. Same price and less quantity keeps priority; anything else loses it. */
  amend(tsMs: number, orderId: number, accountId: number, priceFen: number, qtyT: number): number {
    const c = this.checkTime(tsMs, orderId);
    if (c !== Code.Ok) return c;
    if (!isPosInt(orderId)) return this.reject(tsMs, orderId, Code.BadOrderId, orderId, 0);
    if (!isPosInt(accountId)) return this.reject(tsMs, orderId, Code.BadAccount, accountId, 0);
    if (!isPosInt(priceFen)) return this.reject(tsMs, orderId, Code.BadPrice, priceFen, 0);
    if (!isPosInt(qtyT)) return this.reject(tsMs, orderId, Code.BadQty, qtyT, 0);
    const s = this.checkOpen(tsMs, orderId);
    if (s !== Code.Ok) return s;
    const h = this.index.get(orderId);
    if (h === 0) return this.reject(tsMs, orderId, Code.UnknownOrder, orderId, 0);
    const n = this.store.f;
    const b = h << 2;
    if (n[b + ACCT] !== accountId) return this.reject(tsMs, orderId, Code.NotOwner, orderId, 0);
    const lvl = this.levelOf(h);
    const oldPriceFen = lvl.priceFen;
    const oldQtyT = n[b + QTY]!;
    if (priceFen === oldPriceFen && qtyT === oldQtyT) return this.reject(tsMs, orderId, Code.AmendNoChange, orderId, 0);
    const p = this.checkPrice(tsMs, orderId, priceFen);
    if (p !== Code.Ok) return p;
    if (qtyT !== oldQtyT) {
      const q = this.checkSize(tsMs, orderId, qtyT);
      if (q !== Code.Ok) return q;
    }
    if (priceFen * qtyT > MAX_SAFE) return this.reject(tsMs, orderId, Code.NotionalOverflow, priceFen * qtyT, MAX_SAFE);
    if (priceFen !== oldPriceFen) {
      const r = this.checkLevelRoom(tsMs, orderId, lvl.side, priceFen, qtyT);
      if (r !== Code.Ok) return r;
      const d = this.checkDayRoom(tsMs, orderId, lvl.side === Side.Buy, priceFen, qtyT);
      if (d !== Code.Ok) return d;
    } else if (qtyT > oldQtyT && lvl.qtyT - oldQtyT + qtyT > MAX_SAFE) {
      return this.reject(tsMs, orderId, Code.LevelTotalOverflow, qtyT, MAX_SAFE - (lvl.qtyT - oldQtyT));
    }

    this.lastTsMs = tsMs;
    const store = this.store;
    const book = lvl.side === Side.Buy ? this.bids : this.asks;
    if (priceFen === oldPriceFen && qtyT < oldQtyT) {
      lvl.qtyT -= oldQtyT - qtyT;
      n[b + QTY] = qtyT;
      this.sink.amended(++this.seqNo, tsMs, orderId, priceFen, qtyT, true);
      this.emitLevel(tsMs, lvl, book);
      return Code.Ok;
    }
    // Priority is lost: out of the level, back in at the tail. The order keeps its slot and its index entry
    // meanwhile (execute drops them only if it does not rest).
    store.unlinkLevel(lvl, h);
    n[b + QTY] = qtyT;
    const seq = ++this.seqNo;
    n[b + SEQ] = seq;
    if (priceFen === oldPriceFen) {
      store.pushLevel(lvl, h);
      this.sink.amended(seq, tsMs, orderId, priceFen, qtyT, false);
      this.emitLevel(tsMs, lvl, book);
      return Code.Ok;
    }
    this.sink.amended(seq, tsMs, orderId, priceFen, qtyT, false);
    this.emitLevel(tsMs, lvl, book);
    this.execute(tsMs, h, priceFen, true);
    return Code.Ok;
  }

  cancelAll(tsMs: number, accountId: number): number {
    const c = this.checkTime(tsMs, 0);
    if (c !== Code.Ok) return c;
    if (!isPosInt(accountId)) return this.reject(tsMs, 0, Code.BadAccount, accountId, 0);
    this.lastTsMs = tsMs;
    // The account's orders, oldest first. There is no per-account list to keep on every order (it cost two
    // more random rows per cancel); this walks the book instead, which only this command pays for.
    const f = this.store.f;
    const mine = this.liveSlots().filter((h) => f[(h << 2) + ACCT] === accountId);
    for (const h of mine) this.cancelResting(tsMs, h, CancelReason.CancelAll);
    return Code.Ok;
  }

  setSession(tsMs: number, state: SessionState): number {
    const c = this.checkTime(tsMs, 0);
    if (c !== Code.Ok) return c;
    if (!(state === SessionState.Closed || state === SessionState.Open || state === SessionState.Halted))
      return this.reject(tsMs, 0, Code.BadSessionState, state, 0);
    this.lastTsMs = tsMs;
    this.state = state;
    this.sink.session(++this.seqNo, tsMs, state);
    return Code.Ok;
  }

  /**
   * End of the trading day (session closed): day orders expire, GTC orders outside the next band are cancelled,
   * the day statistics reset and the band moves to nextRefPriceFen (0: no band). Read dayStats before calling.
   * nextBandBps, when given, changes the band's half-width from the next day on (null: no band), as an exchange
   * does by notice; resting orders outside the new band are cancelled with the day's sweep.
   */
  endOfDay(tsMs: number, nextRefPriceFen: number, nextBandBps?: number | null): number {
    const c = this.checkTime(tsMs, 0);
    if (c !== Code.Ok) return c;
    if (!(Number.isSafeInteger(nextRefPriceFen) && nextRefPriceFen >= 0 && nextRefPriceFen <= 2 ** 40))
      return this.reject(tsMs, 0, Code.BadPrice, nextRefPriceFen, 0);
    if (this.state !== SessionState.Closed) return this.reject(tsMs, 0, Code.SessionNotClosed, this.state, 0);
    if (nextRefPriceFen % this.config.tickFen !== 0)
      return this.reject(tsMs, 0, Code.PriceOffTick, nextRefPriceFen, this.config.tickFen);
    if (nextBandBps !== undefined && nextBandBps !== this.config.bandBps) {
      const next = frozenConfig(this.config, nextBandBps);
      if (checkEngineConfig(next) !== null) return this.reject(tsMs, 0, Code.BadPrice, nextBandBps ?? -1, 10_000);
      this.config = next;
    }
    this.lastTsMs = tsMs;
    this.setReference(nextRefPriceFen);
    this.sweepEndOfDay(tsMs, this.bids);
    this.sweepEndOfDay(tsMs, this.asks);
    this.rebuildBooks(false);
    this.store.levelCeilT = Math.max(largestLevelT(this.bids), largestLevelT(this.asks));
    this.dayStats.reset();
    this.sink.dayEnded(++this.seqNo, tsMs, this.refFen, this.bandLowFen, this.bandHighFen);
    return Code.Ok;
  }

  // ---------------------------------------------------------------- matching

  /**
   * Matches the incoming order in slot t at priceFen, then rests or cancels what is left. amended: an order
   * amended to another price (it is still in the index, so it leaves it unless it rests).
   */
  private execute(tsMs: number, t: number, priceFen: number, amended: boolean): void {
    const flags = this.store.i[(t << 2) + FLAGS]!;
    const buy = sideOf(flags) === Side.Buy;
    const tif = tifOf(flags);
    const opp = buy ? this.asks : this.bids;
    let limFen = priceFen;
    if (this.listed) {
      // Listed agreement: only the counterparty's best N levels, as they stand on arrival.
      const edge = opp.nthBestPrice(this.config.listedDepth);
      if (edge !== 0 && (buy ? edge < limFen : edge > limFen)) limFen = edge;
    }
    const oppFen = opp.bestFen;
    // Most orders (and almost every amend) do not cross: skip the matcher's set-up for them.
    if (oppFen !== 0 && (buy ? oppFen <= limFen : oppFen >= limFen)) {
      if (tif === Tif.FOK && !this.fokFillable(t, opp, limFen)) {
        this.killFok(tsMs, t, amended);
        return;
      }
      if (this.match(tsMs, t, opp, limFen)) {
        this.drop(t, amended); // cancelled by self-trade prevention
        return;
      }
    } else if (tif === Tif.FOK) {
      this.killFok(tsMs, t, amended);
      return;
    }
    const f = this.store.f;
    const tb = t << 2;
    const qtyT = f[tb + QTY]!;
    if (qtyT === 0) {
      this.drop(t, amended);
      return;
    }
    if (tif === Tif.IOC || tif === Tif.FOK) {
      this.sink.cancelled(++this.seqNo, tsMs, f[tb + ID]!, qtyT, 0, CancelReason.IocRemainder);
      this.drop(t, amended);
      return;
    }
    const best = opp.bestFen;
    if (best !== 0 && (buy ? best <= priceFen : best >= priceFen)) {
      // Listed mode only: resting here would cross the levels beyond N.
      this.sink.cancelled(++this.seqNo, tsMs, f[tb + ID]!, qtyT, 0, CancelReason.DepthLimit);
      this.drop(t, amended);
      return;
    }
    const lvl = (buy ? this.bids : this.asks).getOrCreate(priceFen);
    this.store.pushLevel(lvl, t);
    if (!amended) this.index.set(f[tb + ID]!, t);
    this.sink.level(++this.seqNo, tsMs, lvl.side, priceFen, lvl.qtyT, lvl.count);
  }

  private killFok(tsMs: number, t: number, amended: boolean): void {
    const f = this.store.f;
    this.sink.cancelled(++this.seqNo, tsMs, f[(t << 2) + ID]!, f[(t << 2) + QTY]!, 0, CancelReason.FokKilled);
    this.drop(t, amended);
  }

  /** Walks the opposite side up to limFen. Returns true when self-trade prevention cancelled the taker. */
  private match(tsMs: number, t: number, opp: SideBook, limFen: number): boolean {
    const n = this.store.f;
    const lk = this.store.i;
    const sink = this.sink;
    const stats = this.dayStats;
    const tb = t << 2;
    const takerId = n[tb + ID]!;
    const takerAcct = n[tb + ACCT]!;
    const flags = lk[(t << 2) + FLAGS]!;
    const takerSide = sideOf(flags);
    const stp = stpOf(flags);
    const buy = takerSide === Side.Buy;
    let rem = n[tb + QTY]!;
    while (rem > 0) {
      const lvl = opp.best();
      if (lvl === null) break;
      const priceFen = lvl.priceFen;
      if (buy ? priceFen > limFen : priceFen < limFen) break;
      let killed = false;
      let changed = false;
      let m = lvl.head;
      while (m !== 0 && rem > 0) {
        const mb = m << 2;
        const next = lk[(m << 2) + NEXT]!;
        if (n[mb + ACCT] === takerAcct && stp !== Stp.None) {
          // Every mode but CancelNewest touches the resting order.
          if (stp !== Stp.CancelNewest) changed = true;
          n[tb + QTY] = rem;
          killed = this.selfTrade(tsMs, t, m, lvl);
          rem = n[tb + QTY]!;
          if (killed) break;
        } else {
          changed = true;
          const mq = n[mb + QTY]!;
          const q = Math.min(mq, rem);
          n[mb + QTY] = mq - q;
          rem -= q;
          lvl.qtyT -= q;
          stats.record(priceFen, q);
          sink.trade(
            ++this.seqNo,
            tsMs,
            n[mb + ID]!,
            takerId,
            n[mb + ACCT]!,
            takerAcct,
            takerSide,
            priceFen,
            q,
            mq - q,
            rem,
          );
          if (mq === q) this.removeOrder(m, lvl);
        }
        m = next;
      }
      if (changed) {
        sink.level(++this.seqNo, tsMs, lvl.side, priceFen, lvl.qtyT, lvl.count);
        if (lvl.count === 0) opp.remove(lvl);
      }
      if (killed) {
        n[tb + QTY] = rem;
        return true;
      }
    }
    n[tb + QTY] = rem;
    return false;
  }

  /** Self-trade prevention between taker t and its own resting order m. Returns true when t is cancelled. */
  private selfTrade(tsMs: number, t: number, m: number, lvl: Level): boolean {
    const sink = this.sink;
    const n = this.store.f;
    const tb = t << 2;
    const mb = m << 2;
    switch (stpOf(this.store.i[(t << 2) + FLAGS]!)) {
      case Stp.CancelNewest:
        sink.cancelled(++this.seqNo, tsMs, n[tb + ID]!, n[tb + QTY]!, 0, CancelReason.SelfTrade);
        n[tb + QTY] = 0;
        return true;
      case Stp.CancelOldest:
        sink.cancelled(++this.seqNo, tsMs, n[mb + ID]!, n[mb + QTY]!, 0, CancelReason.SelfTrade);
        this.removeOrder(m, lvl);
        return false;
      case Stp.CancelBoth:
        sink.cancelled(++this.seqNo, tsMs, n[mb + ID]!, n[mb + QTY]!, 0, CancelReason.SelfTrade);
        this.removeOrder(m, lvl);
        sink.cancelled(++this.seqNo, tsMs, n[tb + ID]!, n[tb + QTY]!, 0, CancelReason.SelfTrade);
        n[tb + QTY] = 0;
        return true;
      default: {
        // Decrement: both shrink by the smaller quantity; no trade.
        const d = Math.min(n[mb + QTY]!, n[tb + QTY]!);
        n[mb + QTY] = n[mb + QTY]! - d;
        lvl.qtyT -= d;
        n[tb + QTY] = n[tb + QTY]! - d;
        sink.cancelled(++this.seqNo, tsMs, n[mb + ID]!, d, n[mb + QTY]!, CancelReason.SelfTrade);
        sink.cancelled(++this.seqNo, tsMs, n[tb + ID]!, d, n[tb + QTY]!, CancelReason.SelfTrade);
        if (n[mb + QTY] === 0) this.removeOrder(m, lvl);
        return n[tb + QTY] === 0;
      }
    }
  }

  /** FOK: can t fill in full right now, in the order matching would go? */
  private fokFillable(t: number, opp: SideBook, limFen: number): boolean {
    const n = this.store.f;
    const lk = this.store.i;
    const tb = t << 2;
    const flags = lk[(t << 2) + FLAGS]!;
    const buy = sideOf(flags) === Side.Buy;
    const acct = n[tb + ACCT];
    const stp = stpOf(flags);
    let needT = n[tb + QTY]!;
    for (let lvl = opp.best(); lvl !== null; lvl = opp.worse(lvl)) {
      if (buy ? lvl.priceFen > limFen : lvl.priceFen < limFen) return false;
      for (let m = lvl.head; m !== 0; m = lk[(m << 2) + NEXT]!) {
        if (n[(m << 2) + ACCT] === acct && stp !== Stp.None) {
          if (stp === Stp.CancelOldest) continue;
          return false;
        }
        needT -= n[(m << 2) + QTY]!;
        if (needT <= 0) return true;
      }
    }
    return false;
  }

  // ---------------------------------------------------------------- helpers

  private levelOf(h: number): Level {
    return this.levelPool.all[this.store.i[(h << 2) + LEVEL]!]!;
  }

  /** @internal Price of a resting order (its level's). */
  priceOf(h: number): number {
    return this.levelOf(h).priceFen;
  }

  /** Frees an incoming order that does not rest (an amended one also leaves the index). */
  private drop(t: number, amended: boolean): void {
    if (amended) this.index.delete(this.store.f[(t << 2) + ID]!);
    this.store.release(t);
  }

  /** Takes a resting order out of its level and the index, and frees its slot. Leaves an empty level. */
  private removeOrder(h: number, lvl: Level): void {
    const store = this.store;
    store.unlinkLevel(lvl, h);
    this.index.delete(store.f[(h << 2) + ID]!);
    store.release(h);
  }

  private cancelResting(tsMs: number, h: number, reason: CancelReason): void {
    const n = this.store.f;
    const b = h << 2;
    const lvl = this.levelOf(h);
    const book = lvl.side === Side.Buy ? this.bids : this.asks;
    this.sink.cancelled(++this.seqNo, tsMs, n[b + ID]!, n[b + QTY]!, 0, reason);
    this.removeOrder(h, lvl);
    this.emitLevel(tsMs, lvl, book);
  }

  /** Reports a level's new aggregate and drops it from the book when empty. */
  private emitLevel(tsMs: number, lvl: Level, book: SideBook): void {
    this.sink.level(++this.seqNo, tsMs, lvl.side, lvl.priceFen, lvl.qtyT, lvl.count);
    if (lvl.count === 0) book.remove(lvl);
  }

  private sweepEndOfDay(tsMs: number, book: SideBook): void {
    const n = this.store.f;
    const lk = this.store.i;
    for (const lvl of book.levelsBestFirst()) {
      const out = this.bandOn && (lvl.priceFen < this.bandLow || lvl.priceFen > this.bandHigh);
      let changed = false;
      let h = lvl.head;
      while (h !== 0) {
        const next = lk[(h << 2) + NEXT]!;
        const b = h << 2;
        if (tifOf(lk[(h << 2) + FLAGS]!) === Tif.GFD) {
          this.sink.expired(++this.seqNo, tsMs, n[b + ID]!, n[b + QTY]!);
          this.removeOrder(h, lvl);
          changed = true;
        } else if (out) {
          this.sink.cancelled(++this.seqNo, tsMs, n[b + ID]!, n[b + QTY]!, 0, CancelReason.OutOfBand);
          this.removeOrder(h, lvl);
          changed = true;
        }
        h = next;
      }
      if (changed) this.emitLevel(tsMs, lvl, book);
    }
  }

  /** Does the band call for dense books (a band of at most DENSE_MAX_TICKS ticks)? */
  private denseBooks(): boolean {
    return this.bandOn && (this.bandHigh - this.bandLow) / this.config.tickFen < DENSE_MAX_TICKS;
  }

  /**
   * @internal Gives both sides the layout the band calls for, moving their levels over (the Level objects, so
   * the orders' LEVEL links stay valid): dense over the band when denseBooks() and every level fits in it,
   * else sparse (always when forceSparse). A dense side staying dense is moved in place (SideBook.rebase): the
   * band moves every day, and new books each time were most of a simulation's allocation.
   */
  rebuildBooks(forceSparse: boolean): void {
    this.bids = this.rebuildSide(this.bids, forceSparse);
    this.asks = this.rebuildSide(this.asks, forceSparse);
  }

  private rebuildSide(old: SideBook, forceSparse: boolean): SideBook {
    const levels = old.levelsBestFirst();
    let book: SideBook | null = null;
    if (!forceSparse && this.denseBooks()) {
      const low = this.bandLow;
      const high = this.bandHigh;
      const tick = this.config.tickFen;
      const n = (high - low) / tick + 1;
      const fits = (p: number): boolean => p >= low && (p - low) % tick === 0 && (p - low) / tick < n; // covers()
      if (levels.every((l) => fits(l.priceFen))) {
        if (old.dense) {
          old.rebase(levels, low, high, tick);
          return old;
        }
        book = new SideBook(old.side, this.levelPool, low, high, tick);
      }
    }
    if (book === null) {
      if (!old.dense) return old;
      book = new SideBook(old.side, this.levelPool);
    }
    old.dispose();
    for (const l of levels) book.adopt(l);
    return book;
  }

  /** @internal Sets the band centre (0: no band). */
  setReference(refFen: number): void {
    this.refFen = refFen;
    const bps = this.config.bandBps;
    if (bps === null || refFen === 0) {
      this.bandOn = false;
      this.bandLow = 0;
      this.bandHigh = MAX_SAFE;
      return;
    }
    const [low, high] = bandEdges(refFen, bps, this.config.tickFen);
    this.bandOn = true;
    this.bandLow = low;
    this.bandHigh = high;
  }

  private view(h: number): OrderView {
    const s = this.store;
    const flags = s.lnk(h, FLAGS);
    return {
      orderId: s.get(h, ID),
      accountId: s.get(h, ACCT),
      side: sideOf(flags),
      priceFen: this.priceOf(h),
      qtyT: s.get(h, QTY),
      tif: tifOf(flags),
      stp: stpOf(flags),
    };
  }

  /** The checks every new limit or market order starts with: time, ids, side, time in force. */
  private checkOrderHead(tsMs: number, orderId: number, accountId: number, side: Side, tif: Tif): number {
    const c = this.checkTime(tsMs, orderId);
    if (c !== Code.Ok) return c;
    if (!isPosInt(orderId)) return this.reject(tsMs, orderId, Code.BadOrderId, orderId, 0);
    if (!isPosInt(accountId)) return this.reject(tsMs, orderId, Code.BadAccount, accountId, 0);
    if (side !== Side.Buy && side !== Side.Sell) return this.reject(tsMs, orderId, Code.BadSide, side, 0);
    if (!(tif === Tif.GFD || tif === Tif.GTC || tif === Tif.IOC || tif === Tif.FOK))
      return this.reject(tsMs, orderId, Code.BadTif, tif, 0);
    return Code.Ok;
  }

  private checkTime(tsMs: number, orderId: number): number {
    if (!(Number.isSafeInteger(tsMs) && tsMs >= 0)) return this.reject(this.lastTsMs, orderId, Code.BadTime, tsMs, 0);
    if (tsMs < this.lastTsMs) return this.reject(tsMs, orderId, Code.TimeBackwards, tsMs, this.lastTsMs);
    return Code.Ok;
  }

  private checkOpen(tsMs: number, orderId: number): number {
    if (this.state === SessionState.Open) return Code.Ok;
    return this.reject(
      tsMs,
      orderId,
      this.state === SessionState.Halted ? Code.SessionHalted : Code.SessionClosed,
      0,
      0,
    );
  }

  private checkPrice(tsMs: number, orderId: number, priceFen: number): number {
    const tick = this.config.tickFen;
    // (A tick or lot of 1 skips the division: an integer remainder is a slow instruction.)
    if (tick !== 1 && priceFen % tick !== 0) return this.reject(tsMs, orderId, Code.PriceOffTick, priceFen, tick);
    if (this.bandOn) {
      if (priceFen > this.bandHigh) return this.reject(tsMs, orderId, Code.PriceAboveBand, priceFen, this.bandHigh);
      if (priceFen < this.bandLow) return this.reject(tsMs, orderId, Code.PriceBelowBand, priceFen, this.bandLow);
    }
    return Code.Ok;
  }

  private checkSize(tsMs: number, orderId: number, qtyT: number): number {
    const cfg = this.config;
    if (cfg.lotT !== 1 && qtyT % cfg.lotT !== 0) return this.reject(tsMs, orderId, Code.QtyOffLot, qtyT, cfg.lotT);
    if (qtyT < cfg.minQtyT) return this.reject(tsMs, orderId, Code.QtyBelowMin, qtyT, cfg.minQtyT);
    if (qtyT > cfg.maxQtyT) return this.reject(tsMs, orderId, Code.QtyAboveMax, qtyT, cfg.maxQtyT);
    return Code.Ok;
  }

  /**
   * An order that may rest at priceFen: its whole quantity must fit in the level's total (a partial fill first would
   * leave less; counted in full, the check is the same for every order). The level is looked up only when the largest
   * total any level has had leaves too little room (store.levelCeilT): almost never.
   */
  private checkLevelRoom(tsMs: number, orderId: number, side: Side, priceFen: number, qtyT: number): number {
    if (this.store.levelCeilT + qtyT <= MAX_SAFE) return Code.Ok;
    const lvl = (side === Side.Buy ? this.bids : this.asks).find(priceFen);
    const restingT = lvl === null ? 0 : lvl.qtyT;
    if (restingT + qtyT > MAX_SAFE)
      return this.reject(tsMs, orderId, Code.LevelTotalOverflow, qtyT, MAX_SAFE - restingT);
    return Code.Ok;
  }

  /**
   * An order that crosses the book on arrival trades at most qtyT tonnes, each at no more than the highest price it can
   * meet: a buy, its limit (or protection) or the highest ask, whichever is lower; a sell, the best bid. The day's
   * turnover must stay a safe integer with all of it, and so then does the volume (every price is at least 1 fen, so
   * the volume never exceeds the turnover). Comparing sums and products of safe integers with MAX_SAFE is exact: a
   * true value above 2^53 - 1 never rounds down to it.
   */
  private checkDayRoom(tsMs: number, orderId: number, buy: boolean, limFen: number, qtyT: number): number {
    let pFen: number;
    if (buy) {
      const ask = this.asks.bestFen;
      if (ask === 0 || ask > limFen) return Code.Ok;
      pFen = limFen;
    } else {
      pFen = this.bids.bestFen;
      if (pFen === 0 || pFen < limFen) return Code.Ok;
    }
    const turnoverFen = this.dayStats.turnoverFen;
    if (turnoverFen + qtyT * pFen > MAX_SAFE) {
      if (buy) pFen = Math.min(pFen, this.asks.worstFen());
      if (turnoverFen + qtyT * pFen > MAX_SAFE) return this.reject(tsMs, orderId, Code.DayTurnoverOverflow, qtyT, pFen);
    }
    return Code.Ok;
  }

  private reject(tsMs: number, orderId: number, code: number, value: number, limit: number): number {
    this.lastRejectCode = code;
    this.lastRejectValue = value;
    this.lastRejectLimit = limit;
    // A rejection is reported with the number the next book event will carry, without taking it: a refused
    // command leaves the engine as it was (a replayed journal, which holds no refusals, gives the same numbers).
    this.sink.rejected(this.seqNo + 1, tsMs, idOrZero(orderId), code);
    return code;
  }
}

/** The largest total of a side's levels, 0 when it is empty. */
function largestLevelT(book: SideBook): number {
  let m = 0;
  for (const l of book.levelsBestFirst()) if (l.qtyT > m) m = l.qtyT;
  return m;
}

function validStp(stp: number): boolean {
  return (
    stp === Stp.None ||
    stp === Stp.CancelNewest ||
    stp === Stp.CancelOldest ||
    stp === Stp.CancelBoth ||
    stp === Stp.Decrement
  );
}
