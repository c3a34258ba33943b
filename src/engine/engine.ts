import { Code, codeMessage } from './codes.ts';
import { bandEdges, checkEngineConfig, type EngineConfig } from './config.ts';
import { CancelReason, MAX_SAFE, MatchMode, OrderType, SessionState, Side, Stp, Tif } from './constants.ts';
import { type EngineSink, NullSink } from './events.ts';
import { checkInvariants } from './invariants.ts';
import { AccountOrders, type Level, type Order } from './order.ts';
import { LevelPool, OrderPool } from './pool.ts';
import { SideBook } from './side-book.ts';
import { buildSnapshot, checkSnapshot, type EngineSnapshot } from './snapshot.ts';
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
 * Every command returns a Code (0 = Ok) and reports what happened to the sink. See README "The order book engine".
 */
export class Engine {
  readonly config: EngineConfig;
  /** Day statistics (open, high, low, last, volume, turnover, trade count); reset by endOfDay. */
  readonly dayStats: DayStats;
  /** @internal */ readonly bids: SideBook;
  /** @internal */ readonly asks: SideBook;
  /** @internal */ readonly orders: Map<number, Order>;
  /** @internal */ readonly accounts: Map<number, AccountOrders>;
  private readonly orderPool: OrderPool;
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
    this.config = Object.freeze({ ...config });
    this.dayStats = new DayStats();
    const levelPool = new LevelPool();
    this.bids = new SideBook(Side.Buy, levelPool);
    this.asks = new SideBook(Side.Sell, levelPool);
    this.orders = new Map();
    this.accounts = new Map();
    this.orderPool = new OrderPool();
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
    return this.orders.size;
  }
  bestBidFen(): number {
    return this.bids.best()?.priceFen ?? 0;
  }
  bestAskFen(): number {
    return this.asks.best()?.priceFen ?? 0;
  }
  bestBidQtyT(): number {
    return this.bids.best()?.qtyT ?? 0;
  }
  bestAskQtyT(): number {
    return this.asks.best()?.qtyT ?? 0;
  }

  /** The best n levels of a side, best first. */
  depth(side: Side, n: number): LevelView[] {
    const arr = (side === Side.Buy ? this.bids : this.asks).levels;
    const out: LevelView[] = [];
    for (let i = arr.length - 1; i >= 0 && out.length < n; i--) {
      const l = arr[i]!;
      out.push({ priceFen: l.priceFen, qtyT: l.qtyT, count: l.count });
    }
    return out;
  }

  getOrder(orderId: number): OrderView | null {
    const o = this.orders.get(orderId);
    return o === undefined ? null : view(o);
  }

  /** Every live order in time-priority order (oldest first). */
  liveOrders(): OrderView[] {
    return [...this.orders.values()].sort((a, b) => a.entrySeq - b.entrySeq).map(view);
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
    Object.assign(e.dayStats, snap.dayStats);
    for (const [orderId, accountId, side, priceFen, qtyT, tif, stp, entrySeq] of snap.orders) {
      const o = e.orderPool.acquire();
      o.orderId = orderId;
      o.accountId = accountId;
      o.side = side;
      o.priceFen = priceFen;
      o.qtyT = qtyT;
      o.tif = tif;
      o.stp = stp;
      o.entrySeq = entrySeq;
      (side === Side.Buy ? e.bids : e.asks).getOrCreate(priceFen).push(o);
      e.accountOf(accountId).push(o);
      e.orders.set(orderId, o);
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
    const c = this.checkTime(tsMs, orderId);
    if (c !== Code.Ok) return c;
    if (!isPosInt(orderId)) return this.reject(tsMs, orderId, Code.BadOrderId, orderId, 0);
    if (!isPosInt(accountId)) return this.reject(tsMs, orderId, Code.BadAccount, accountId, 0);
    if (side !== Side.Buy && side !== Side.Sell) return this.reject(tsMs, orderId, Code.BadSide, side, 0);
    if (!(tif === Tif.GFD || tif === Tif.GTC || tif === Tif.IOC || tif === Tif.FOK))
      return this.reject(tsMs, orderId, Code.BadTif, tif, 0);
    if (!validStp(stp)) return this.reject(tsMs, orderId, Code.BadStp, stp, 0);
    if (!isPosInt(priceFen)) return this.reject(tsMs, orderId, Code.BadPrice, priceFen, 0);
    if (!isPosInt(qtyT)) return this.reject(tsMs, orderId, Code.BadQty, qtyT, 0);
    const s = this.checkOpen(tsMs, orderId);
    if (s !== Code.Ok) return s;
    if (this.orders.has(orderId)) return this.reject(tsMs, orderId, Code.DuplicateOrderId, orderId, 0);
    const p = this.checkPrice(tsMs, orderId, priceFen);
    if (p !== Code.Ok) return p;
    const q = this.checkSize(tsMs, orderId, qtyT);
    if (q !== Code.Ok) return q;
    if (priceFen * qtyT > MAX_SAFE) return this.reject(tsMs, orderId, Code.NotionalOverflow, priceFen * qtyT, MAX_SAFE);

    this.lastTsMs = tsMs;
    const t = this.newOrder(orderId, accountId, side, priceFen, qtyT, tif, stp);
    this.sink.accepted(t.entrySeq, tsMs, orderId, accountId, side, OrderType.Limit, priceFen, qtyT, tif);
    this.execute(tsMs, t, null);
    return Code.Ok;
  }

  placeMarket(tsMs: number, orderId: number, accountId: number, side: Side, qtyT: number, tif: Tif, stp: Stp): number {
    const c = this.checkTime(tsMs, orderId);
    if (c !== Code.Ok) return c;
    if (!isPosInt(orderId)) return this.reject(tsMs, orderId, Code.BadOrderId, orderId, 0);
    if (!isPosInt(accountId)) return this.reject(tsMs, orderId, Code.BadAccount, accountId, 0);
    if (side !== Side.Buy && side !== Side.Sell) return this.reject(tsMs, orderId, Code.BadSide, side, 0);
    if (!(tif === Tif.GFD || tif === Tif.GTC || tif === Tif.IOC || tif === Tif.FOK))
      return this.reject(tsMs, orderId, Code.BadTif, tif, 0);
    if (tif === Tif.GFD || tif === Tif.GTC) return this.reject(tsMs, orderId, Code.MarketTifNotAllowed, tif, 0);
    if (!validStp(stp)) return this.reject(tsMs, orderId, Code.BadStp, stp, 0);
    if (!isPosInt(qtyT)) return this.reject(tsMs, orderId, Code.BadQty, qtyT, 0);
    const s = this.checkOpen(tsMs, orderId);
    if (s !== Code.Ok) return s;
    if (this.orders.has(orderId)) return this.reject(tsMs, orderId, Code.DuplicateOrderId, orderId, 0);
    const q = this.checkSize(tsMs, orderId, qtyT);
    if (q !== Code.Ok) return q;

    this.lastTsMs = tsMs;
    // Protection: a market order never trades outside the band. Without a band it reaches any price.
    const protFen = side === Side.Buy ? (this.bandOn ? this.bandHigh : MAX_SAFE) : this.bandOn ? this.bandLow : 0;
    const t = this.newOrder(orderId, accountId, side, protFen, qtyT, tif, stp);
    this.sink.accepted(t.entrySeq, tsMs, orderId, accountId, side, OrderType.Market, protFen, qtyT, tif);
    this.execute(tsMs, t, null);
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
    if (this.orders.has(orderId)) return this.reject(tsMs, orderId, Code.DuplicateOrderId, orderId, 0);
    const m = this.orders.get(listingId);
    if (m === undefined) return this.reject(tsMs, orderId, Code.UnknownOrder, listingId, 0);
    if (m.accountId === accountId) return this.reject(tsMs, orderId, Code.TakeOwnListing, listingId, 0);
    const book = m.side === Side.Buy ? this.bids : this.asks;
    const edge = book.nthBestPrice(this.config.listedDepth);
    if (m.side === Side.Buy ? m.priceFen < edge : m.priceFen > edge)
      return this.reject(tsMs, orderId, Code.TakeBeyondDepth, listingId, this.config.listedDepth);
    if (qtyT > m.qtyT) return this.reject(tsMs, orderId, Code.TakeQtyExceedsListing, qtyT, m.qtyT);
    if (qtyT % this.config.lotT !== 0) return this.reject(tsMs, orderId, Code.QtyOffLot, qtyT, this.config.lotT);
    if (qtyT < this.config.minQtyT && qtyT !== m.qtyT)
      return this.reject(tsMs, orderId, Code.QtyBelowMin, qtyT, this.config.minQtyT);
    if (qtyT > this.config.maxQtyT) return this.reject(tsMs, orderId, Code.QtyAboveMax, qtyT, this.config.maxQtyT);

    this.lastTsMs = tsMs;
    const takerSide: Side = m.side === Side.Buy ? Side.Sell : Side.Buy;
    const priceFen = m.priceFen;
    this.sink.accepted(++this.seqNo, tsMs, orderId, accountId, takerSide, OrderType.Take, priceFen, qtyT, Tif.IOC);
    const lvl = m.level!;
    m.qtyT -= qtyT;
    lvl.qtyT -= qtyT;
    this.dayStats.record(priceFen, qtyT);
    this.sink.trade(
      ++this.seqNo,
      tsMs,
      m.orderId,
      orderId,
      m.accountId,
      accountId,
      takerSide,
      priceFen,
      qtyT,
      m.qtyT,
      0,
    );
    if (m.qtyT === 0) this.removeOrder(m);
    this.emitLevel(tsMs, lvl, book);
    return Code.Ok;
  }

  cancel(tsMs: number, orderId: number, accountId: number): number {
    const c = this.checkTime(tsMs, orderId);
    if (c !== Code.Ok) return c;
    if (!isPosInt(orderId)) return this.reject(tsMs, orderId, Code.BadOrderId, orderId, 0);
    if (!isPosInt(accountId)) return this.reject(tsMs, orderId, Code.BadAccount, accountId, 0);
    const o = this.orders.get(orderId);
    if (o === undefined) return this.reject(tsMs, orderId, Code.UnknownOrder, orderId, 0);
    if (o.accountId !== accountId) return this.reject(tsMs, orderId, Code.NotOwner, orderId, 0);
    this.lastTsMs = tsMs;
    this.cancelResting(tsMs, o, CancelReason.User);
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
    const o = this.orders.get(orderId);
    if (o === undefined) return this.reject(tsMs, orderId, Code.UnknownOrder, orderId, 0);
    if (o.accountId !== accountId) return this.reject(tsMs, orderId, Code.NotOwner, orderId, 0);
    if (priceFen === o.priceFen && qtyT === o.qtyT) return this.reject(tsMs, orderId, Code.AmendNoChange, orderId, 0);
    const p = this.checkPrice(tsMs, orderId, priceFen);
    if (p !== Code.Ok) return p;
    if (qtyT !== o.qtyT) {
      const q = this.checkSize(tsMs, orderId, qtyT);
      if (q !== Code.Ok) return q;
    }
    if (priceFen * qtyT > MAX_SAFE) return this.reject(tsMs, orderId, Code.NotionalOverflow, priceFen * qtyT, MAX_SAFE);

    this.lastTsMs = tsMs;
    const lvl = o.level!;
    const book = o.side === Side.Buy ? this.bids : this.asks;
    if (priceFen === o.priceFen) {
      if (qtyT < o.qtyT) {
        lvl.qtyT -= o.qtyT - qtyT;
        o.qtyT = qtyT;
        this.sink.amended(++this.seqNo, tsMs, orderId, priceFen, qtyT, true);
      } else {
        const acct = o.account!;
        lvl.unlink(o);
        acct.unlink(o);
        o.qtyT = qtyT;
        o.entrySeq = ++this.seqNo;
        lvl.push(o);
        acct.push(o);
        this.sink.amended(o.entrySeq, tsMs, orderId, priceFen, qtyT, false);
      }
      this.emitLevel(tsMs, lvl, book);
      return Code.Ok;
    }
    // Another price: out of the book, then in again as an incoming order. It stays in the orders map
    // meanwhile (execute drops it there only if it does not rest), which saves two map operations.
    const acct = o.account!;
    lvl.unlink(o);
    acct.unlink(o);
    o.priceFen = priceFen;
    o.qtyT = qtyT;
    o.entrySeq = ++this.seqNo;
    this.sink.amended(o.entrySeq, tsMs, orderId, priceFen, qtyT, false);
    this.emitLevel(tsMs, lvl, book);
    this.execute(tsMs, o, acct);
    return Code.Ok;
  }

  cancelAll(tsMs: number, accountId: number): number {
    const c = this.checkTime(tsMs, 0);
    if (c !== Code.Ok) return c;
    if (!isPosInt(accountId)) return this.reject(tsMs, 0, Code.BadAccount, accountId, 0);
    this.lastTsMs = tsMs;
    const acct = this.accounts.get(accountId);
    if (acct === undefined) return Code.Ok;
    let o = acct.head;
    while (o !== null) {
      const next = o.acctNext;
      this.cancelResting(tsMs, o, CancelReason.CancelAll);
      o = next;
    }
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
   */
  endOfDay(tsMs: number, nextRefPriceFen: number): number {
    const c = this.checkTime(tsMs, 0);
    if (c !== Code.Ok) return c;
    if (!(Number.isSafeInteger(nextRefPriceFen) && nextRefPriceFen >= 0 && nextRefPriceFen <= 2 ** 40))
      return this.reject(tsMs, 0, Code.BadPrice, nextRefPriceFen, 0);
    if (this.state !== SessionState.Closed) return this.reject(tsMs, 0, Code.SessionNotClosed, this.state, 0);
    if (nextRefPriceFen % this.config.tickFen !== 0)
      return this.reject(tsMs, 0, Code.PriceOffTick, nextRefPriceFen, this.config.tickFen);
    this.lastTsMs = tsMs;
    this.setReference(nextRefPriceFen);
    this.sweepEndOfDay(tsMs, this.bids);
    this.sweepEndOfDay(tsMs, this.asks);
    this.dayStats.reset();
    this.sink.dayEnded(++this.seqNo, tsMs, this.refFen, this.bandLowFen, this.bandHighFen);
    return Code.Ok;
  }

  // ---------------------------------------------------------------- matching

  /**
   * Matches an incoming order, then rests or cancels what is left. acct is null for a new order; for an order
   * amended to another price it is the order's account list (the order is still in the orders map).
   */
  private execute(tsMs: number, t: Order, acct: AccountOrders | null): void {
    const buy = t.side === Side.Buy;
    const opp = buy ? this.asks : this.bids;
    let limFen = t.priceFen;
    if (this.listed) {
      // Listed agreement: only the counterparty's best N levels, as they stand on arrival.
      const edge = opp.nthBestPrice(this.config.listedDepth);
      if (edge !== 0 && (buy ? edge < limFen : edge > limFen)) limFen = edge;
    }
    if (t.tif === Tif.FOK && !this.fokFillable(t, opp, limFen)) {
      this.sink.cancelled(++this.seqNo, tsMs, t.orderId, t.qtyT, 0, CancelReason.FokKilled);
      this.drop(t, acct);
      return;
    }
    if (this.match(tsMs, t, opp, limFen)) {
      this.drop(t, acct); // cancelled by self-trade prevention
      return;
    }
    if (t.qtyT === 0) {
      this.drop(t, acct);
      return;
    }
    if (t.tif === Tif.IOC || t.tif === Tif.FOK) {
      this.sink.cancelled(++this.seqNo, tsMs, t.orderId, t.qtyT, 0, CancelReason.IocRemainder);
      this.drop(t, acct);
      return;
    }
    const best = opp.best();
    if (best !== null && (buy ? best.priceFen <= t.priceFen : best.priceFen >= t.priceFen)) {
      // Listed mode only: resting here would cross the levels beyond N.
      this.sink.cancelled(++this.seqNo, tsMs, t.orderId, t.qtyT, 0, CancelReason.DepthLimit);
      this.drop(t, acct);
      return;
    }
    const book = buy ? this.bids : this.asks;
    const lvl = book.getOrCreate(t.priceFen);
    lvl.push(t);
    if (acct === null) {
      this.accountOf(t.accountId).push(t);
      this.orders.set(t.orderId, t);
    } else acct.push(t);
    this.sink.level(++this.seqNo, tsMs, t.side, lvl.priceFen, lvl.qtyT, lvl.count);
  }

  /** Walks the opposite side up to limFen. Returns true when self-trade prevention cancelled the taker. */
  private match(tsMs: number, t: Order, opp: SideBook, limFen: number): boolean {
    const buy = t.side === Side.Buy;
    const sink = this.sink;
    const stats = this.dayStats;
    while (t.qtyT > 0) {
      const lvl = opp.best();
      if (lvl === null) return false;
      const priceFen = lvl.priceFen;
      if (buy ? priceFen > limFen : priceFen < limFen) return false;
      let killed = false;
      let changed = false;
      let m = lvl.head;
      while (m !== null && t.qtyT > 0) {
        const next = m.next;
        if (m.accountId === t.accountId && t.stp !== Stp.None) {
          // Every mode but CancelNewest touches the resting order.
          if (t.stp !== Stp.CancelNewest) changed = true;
          killed = this.selfTrade(tsMs, t, m);
          if (killed) break;
        } else {
          changed = true;
          const q = Math.min(m.qtyT, t.qtyT);
          m.qtyT -= q;
          t.qtyT -= q;
          lvl.qtyT -= q;
          stats.record(priceFen, q);
          sink.trade(
            ++this.seqNo,
            tsMs,
            m.orderId,
            t.orderId,
            m.accountId,
            t.accountId,
            t.side,
            priceFen,
            q,
            m.qtyT,
            t.qtyT,
          );
          if (m.qtyT === 0) this.removeOrder(m);
        }
        m = next;
      }
      if (changed) {
        sink.level(++this.seqNo, tsMs, lvl.side, priceFen, lvl.qtyT, lvl.count);
        if (lvl.count === 0) opp.remove(lvl);
      }
      if (killed) return true;
    }
    return false;
  }

  /** Self-trade prevention between taker t and its own resting order m. Returns true when t is cancelled. */
  private selfTrade(tsMs: number, t: Order, m: Order): boolean {
    const sink = this.sink;
    switch (t.stp) {
      case Stp.CancelNewest:
        sink.cancelled(++this.seqNo, tsMs, t.orderId, t.qtyT, 0, CancelReason.SelfTrade);
        t.qtyT = 0;
        return true;
      case Stp.CancelOldest:
        sink.cancelled(++this.seqNo, tsMs, m.orderId, m.qtyT, 0, CancelReason.SelfTrade);
        this.removeOrder(m);
        return false;
      case Stp.CancelBoth:
        sink.cancelled(++this.seqNo, tsMs, m.orderId, m.qtyT, 0, CancelReason.SelfTrade);
        this.removeOrder(m);
        sink.cancelled(++this.seqNo, tsMs, t.orderId, t.qtyT, 0, CancelReason.SelfTrade);
        t.qtyT = 0;
        return true;
      default: {
        // Decrement: both shrink by the smaller quantity; no trade.
        const d = Math.min(m.qtyT, t.qtyT);
        m.qtyT -= d;
        m.level!.qtyT -= d;
        t.qtyT -= d;
        sink.cancelled(++this.seqNo, tsMs, m.orderId, d, m.qtyT, CancelReason.SelfTrade);
        sink.cancelled(++this.seqNo, tsMs, t.orderId, d, t.qtyT, CancelReason.SelfTrade);
        if (m.qtyT === 0) this.removeOrder(m);
        return t.qtyT === 0;
      }
    }
  }

  /** FOK: can t fill in full right now, in the order matching would go? */
  private fokFillable(t: Order, opp: SideBook, limFen: number): boolean {
    const buy = t.side === Side.Buy;
    let needT = t.qtyT;
    const arr = opp.levels;
    for (let i = arr.length - 1; i >= 0; i--) {
      const lvl = arr[i]!;
      if (buy ? lvl.priceFen > limFen : lvl.priceFen < limFen) return false;
      for (let m = lvl.head; m !== null; m = m.next) {
        if (m.accountId === t.accountId && t.stp !== Stp.None) {
          if (t.stp === Stp.CancelOldest) continue;
          return false;
        }
        needT -= m.qtyT;
        if (needT <= 0) return true;
      }
    }
    return false;
  }

  // ---------------------------------------------------------------- helpers

  private newOrder(
    orderId: number,
    accountId: number,
    side: Side,
    priceFen: number,
    qtyT: number,
    tif: Tif,
    stp: Stp,
  ): Order {
    const t = this.orderPool.acquire();
    t.orderId = orderId;
    t.accountId = accountId;
    t.side = side;
    t.priceFen = priceFen;
    t.qtyT = qtyT;
    t.tif = tif;
    t.stp = stp;
    t.entrySeq = ++this.seqNo;
    return t;
  }

  /** Frees an incoming order that does not rest (an amended one also leaves the orders map). */
  private drop(t: Order, acct: AccountOrders | null): void {
    if (acct !== null) this.orders.delete(t.orderId);
    this.orderPool.release(t);
  }

  private accountOf(accountId: number): AccountOrders {
    let a = this.accounts.get(accountId);
    if (a === undefined) {
      a = new AccountOrders();
      this.accounts.set(accountId, a);
    }
    return a;
  }

  /** Takes a resting order out of its level and account and frees it. Does not remove an emptied level. */
  private removeOrder(o: Order): void {
    o.level!.unlink(o);
    o.account!.unlink(o);
    this.orders.delete(o.orderId);
    this.orderPool.release(o);
  }

  private cancelResting(tsMs: number, o: Order, reason: CancelReason): void {
    const lvl = o.level!;
    const book = o.side === Side.Buy ? this.bids : this.asks;
    this.sink.cancelled(++this.seqNo, tsMs, o.orderId, o.qtyT, 0, reason);
    this.removeOrder(o);
    this.emitLevel(tsMs, lvl, book);
  }

  /** Reports a level's new aggregate and drops it from the book when empty. */
  private emitLevel(tsMs: number, lvl: Level, book: SideBook): void {
    this.sink.level(++this.seqNo, tsMs, lvl.side, lvl.priceFen, lvl.qtyT, lvl.count);
    if (lvl.count === 0) book.remove(lvl);
  }

  private sweepEndOfDay(tsMs: number, book: SideBook): void {
    const levels = [...book.levels].reverse(); // best first
    for (const lvl of levels) {
      let changed = false;
      let o = lvl.head;
      while (o !== null) {
        const next = o.next;
        if (o.tif === Tif.GFD) {
          this.sink.expired(++this.seqNo, tsMs, o.orderId, o.qtyT);
          this.removeOrder(o);
          changed = true;
        } else if (this.bandOn && (o.priceFen < this.bandLow || o.priceFen > this.bandHigh)) {
          this.sink.cancelled(++this.seqNo, tsMs, o.orderId, o.qtyT, 0, CancelReason.OutOfBand);
          this.removeOrder(o);
          changed = true;
        }
        o = next;
      }
      if (changed) this.emitLevel(tsMs, lvl, book);
    }
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
    if (priceFen % tick !== 0) return this.reject(tsMs, orderId, Code.PriceOffTick, priceFen, tick);
    if (this.bandOn) {
      if (priceFen > this.bandHigh) return this.reject(tsMs, orderId, Code.PriceAboveBand, priceFen, this.bandHigh);
      if (priceFen < this.bandLow) return this.reject(tsMs, orderId, Code.PriceBelowBand, priceFen, this.bandLow);
    }
    return Code.Ok;
  }

  private checkSize(tsMs: number, orderId: number, qtyT: number): number {
    const cfg = this.config;
    if (qtyT % cfg.lotT !== 0) return this.reject(tsMs, orderId, Code.QtyOffLot, qtyT, cfg.lotT);
    if (qtyT < cfg.minQtyT) return this.reject(tsMs, orderId, Code.QtyBelowMin, qtyT, cfg.minQtyT);
    if (qtyT > cfg.maxQtyT) return this.reject(tsMs, orderId, Code.QtyAboveMax, qtyT, cfg.maxQtyT);
    return Code.Ok;
  }

  private reject(tsMs: number, orderId: number, code: number, value: number, limit: number): number {
    this.lastRejectCode = code;
    this.lastRejectValue = value;
    this.lastRejectLimit = limit;
    this.sink.rejected(++this.seqNo, tsMs, idOrZero(orderId), code);
    return code;
  }
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

function view(o: Order): OrderView {
  return {
    orderId: o.orderId,
    accountId: o.accountId,
    side: o.side,
    priceFen: o.priceFen,
    qtyT: o.qtyT,
    tif: o.tif,
    stp: o.stp,
  };
}
