// The reference engine: the README's "order book engine" written as plainly as possible, to be compared
// with the fast engine (src/engine/engine.ts) by the property tests. It shares no code with it beyond the
// constant tables and the sink interface.
//
// The whole book is one flat array of live orders. Every question ("which levels are there", "who is
// oldest at this price", "what is the level total") is answered by filtering and sorting that array again.
// Speed does not matter here; being obviously right does. Money checks (band edges, notional) and every sum (level
// totals, the day's volume and turnover) use BigInt: a sum past 2^53 - 1 is reported as an error, never rounded.

import { Code } from '../../src/engine/codes.ts';
import type { EngineConfig } from '../../src/engine/config.ts';
import { CancelReason, MatchMode, OrderType, SessionState, Side, Stp, Tif } from '../../src/engine/constants.ts';
import type { EngineSink } from '../../src/engine/events.ts';
import { NullSink } from '../../src/engine/events.ts';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const MAX_SAFE_N = BigInt(MAX_SAFE);

/** A sum as a number; one past the safe range is a bug the engine should have refused (throws). */
const exact = (v: bigint, what: string): number => {
  if (v > MAX_SAFE_N || v < -MAX_SAFE_N) throw new RangeError(`reference engine: ${what} ${v} is past the safe range`);
  return Number(v);
};

const isSafeInt = (v: number): boolean => Number.isSafeInteger(v);
const isPositiveInt = (v: number): boolean => Number.isSafeInteger(v) && v > 0;
const isOneOf = (v: number, allowed: readonly number[]): boolean => allowed.includes(v);

const SIDES = [Side.Buy, Side.Sell] as const;
const TIFS = [Tif.GFD, Tif.GTC, Tif.IOC, Tif.FOK] as const;
const STPS = [Stp.None, Stp.CancelNewest, Stp.CancelOldest, Stp.CancelBoth, Stp.Decrement] as const;
const SESSION_STATES = [SessionState.Closed, SessionState.Open, SessionState.Halted] as const;

export interface NaiveOrder {
  orderId: number;
  accountId: number;
  side: number;
  priceFen: number;
  qtyT: number;
  tif: number;
  stp: number;
  /** Time priority: the seq of the event that put the order at the back of its level (accepted or amended). */
  prio: number;
}

export interface NaiveLiveOrder {
  orderId: number;
  accountId: number;
  side: number;
  priceFen: number;
  qtyT: number;
  tif: number;
  stp: number;
}

export interface NaiveDayStats {
  openFen: number;
  highFen: number;
  lowFen: number;
  lastFen: number;
  volumeT: number;
  turnoverFen: number;
  tradeCount: number;
}

/** An order that is matching against the book: a new limit or market order, or an amend that moved the price. */
interface Taker {
  orderId: number;
  accountId: number;
  side: number;
  /** The limit; for a market order the protection price. */
  limitFen: number;
  tif: number;
  stp: number;
  isMarket: boolean;
  /** Where the remainder will sit in time priority if it rests. */
  prio: number;
}

/** Day statistics with exact sums. */
interface Stats {
  openFen: number;
  highFen: number;
  lowFen: number;
  lastFen: number;
  volumeT: bigint;
  turnoverFen: bigint;
  tradeCount: number;
}

const emptyStats = (): Stats => ({
  openFen: 0,
  highFen: 0,
  lowFen: 0,
  lastFen: 0,
  volumeT: 0n,
  turnoverFen: 0n,
  tradeCount: 0,
});

export class NaiveEngine {
  private readonly config: EngineConfig;
  private readonly sink: EngineSink;
  /** Every live order, in no particular order. */
  private orders: NaiveOrder[] = [];
  private seq = 0;
  private lastTs = 0;
  private sessionState: number = SessionState.Closed;
  /** Band centre; null: no band. */
  private refPriceFen: number | null;
  private stats: Stats = emptyStats();

  constructor(config: EngineConfig, sink: EngineSink = new NullSink()) {
    this.config = config;
    this.sink = sink;
    this.refPriceFen = config.refPriceFen === null || config.refPriceFen === 0 ? null : config.refPriceFen;
  }

  // ---------------------------------------------------------------- reading the book

  get dayStats(): NaiveDayStats {
    const s = this.stats;
    return {
      ...s,
      volumeT: exact(s.volumeT, 'day volume'),
      turnoverFen: exact(s.turnoverFen, 'day turnover'),
    };
  }

  bestBidFen(): number {
    return this.levelPrices(Side.Buy)[0] ?? 0;
  }

  bestAskFen(): number {
    return this.levelPrices(Side.Sell)[0] ?? 0;
  }

  depth(side: number, n: number): { priceFen: number; qtyT: number; count: number }[] {
    return this.levelPrices(side)
      .slice(0, n)
      .map((priceFen) => ({ priceFen, ...this.levelTotal(side, priceFen) }));
  }

  liveOrders(): NaiveLiveOrder[] {
    return [...this.orders]
      .sort((a, b) => a.prio - b.prio)
      .map((o) => ({
        orderId: o.orderId,
        accountId: o.accountId,
        side: o.side,
        priceFen: o.priceFen,
        qtyT: o.qtyT,
        tif: o.tif,
        stp: o.stp,
      }));
  }

  // ---------------------------------------------------------------- book helpers

  /** Distinct prices of one side, best first (highest bid, lowest ask). */
  private levelPrices(side: number): number[] {
    const prices = [...new Set(this.orders.filter((o) => o.side === side).map((o) => o.priceFen))];
    return prices.sort((a, b) => (side === Side.Buy ? b - a : a - b));
  }

  /** The orders of one level, oldest first. */
  private levelQueue(side: number, priceFen: number): NaiveOrder[] {
    return this.orders.filter((o) => o.side === side && o.priceFen === priceFen).sort((a, b) => a.prio - b.prio);
  }

  private levelTotal(side: number, priceFen: number): { qtyT: number; count: number } {
    const queue = this.levelQueue(side, priceFen);
    return { qtyT: exact(this.levelSum(side, priceFen), `level ${priceFen} total`), count: queue.length };
  }

  /** Tonnes resting at one price, exactly. */
  private levelSum(side: number, priceFen: number): bigint {
    return this.levelQueue(side, priceFen).reduce((sum, o) => sum + BigInt(o.qtyT), 0n);
  }

  private findLive(orderId: number): NaiveOrder | undefined {
    return this.orders.find((o) => o.orderId === orderId);
  }

  private remove(order: NaiveOrder): void {
    this.orders = this.orders.filter((o) => o !== order);
  }

  /** [low, high] of the band around `ref`, or null when there is no band. */
  private bandFor(ref: number | null): [number, number] | null {
    const bps = this.config.bandBps;
    if (bps === null || ref === null || ref === 0) return null;
    const r = BigInt(ref);
    const b = BigInt(bps);
    const t = BigInt(this.config.tickFen);
    const den = 10_000n * t;
    const high = ((r * (10_000n + b)) / den) * t; // BigInt division of non-negatives is floor
    const lowNum = r * (10_000n - b);
    let low = ((lowNum + den - 1n) / den) * t; // ceil
    if (low < t) low = t;
    return [Number(low), Number(high)];
  }

  private band(): [number, number] | null {
    return this.bandFor(this.refPriceFen);
  }

  // ---------------------------------------------------------------- events

  private nextSeq(): number {
    this.seq += 1;
    return this.seq;
  }

  /**
   * The rejected event carries the command's time, except for BadTime: a malformed time is replaced by the last
   * accepted time (0 at the start), so that no event ever carries a time that is not a safe integer. Likewise a
   * malformed order id is reported as 0.
   */
  private reject(tsMs: number, orderId: number, code: number): number {
    const eventTs = code === Code.BadTime ? this.lastTs : tsMs;
    this.sink.rejected(this.seq + 1, eventTs, isSafeInt(orderId) ? orderId : 0, code);
    return code;
  }

  private emitLevel(tsMs: number, side: number, priceFen: number): void {
    const { qtyT, count } = this.levelTotal(side, priceFen);
    this.sink.level(this.nextSeq(), tsMs, side as Side, priceFen, qtyT, count);
  }

  private emitCancelled(tsMs: number, orderId: number, cancelledT: number, remainingT: number, reason: number): void {
    this.sink.cancelled(this.nextSeq(), tsMs, orderId, cancelledT, remainingT, reason as CancelReason);
  }

  private recordTrade(priceFen: number, qtyT: number): void {
    const s = this.stats;
    if (s.tradeCount === 0) {
      s.openFen = priceFen;
      s.highFen = priceFen;
      s.lowFen = priceFen;
    } else {
      s.highFen = Math.max(s.highFen, priceFen);
      s.lowFen = Math.min(s.lowFen, priceFen);
    }
    s.lastFen = priceFen;
    s.volumeT += BigInt(qtyT);
    s.turnoverFen += BigInt(priceFen) * BigInt(qtyT);
    s.tradeCount += 1;
  }

  // ---------------------------------------------------------------- check helpers (0 = passes)

  private timeCheck(tsMs: number): number {
    if (!(isSafeInt(tsMs) && tsMs >= 0)) return Code.BadTime;
    if (tsMs < this.lastTs) return Code.TimeBackwards;
    return 0;
  }

  private openCheck(): number {
    if (this.sessionState === SessionState.Closed) return Code.SessionClosed;
    if (this.sessionState === SessionState.Halted) return Code.SessionHalted;
    return 0;
  }

  private priceRuleCheck(priceFen: number): number {
    if (priceFen % this.config.tickFen !== 0) return Code.PriceOffTick;
    const band = this.band();
    if (band !== null && priceFen > band[1]) return Code.PriceAboveBand;
    if (band !== null && priceFen < band[0]) return Code.PriceBelowBand;
    return 0;
  }

  private qtyRuleCheck(qtyT: number): number {
    if (qtyT % this.config.lotT !== 0) return Code.QtyOffLot;
    if (qtyT < this.config.minQtyT) return Code.QtyBelowMin;
    if (qtyT > this.config.maxQtyT) return Code.QtyAboveMax;
    return 0;
  }

  private notionalCheck(priceFen: number, qtyT: number): number {
    return BigInt(priceFen) * BigInt(qtyT) > MAX_SAFE_N ? Code.NotionalOverflow : 0;
  }

  /**
   * An order that may rest: its whole quantity, added to what rests at its price (without `self`, an order being
   * amended there), must stay a safe integer.
   */
  private levelRoomCheck(side: number, priceFen: number, qtyT: number, self?: NaiveOrder): number {
    const others = this.levelSum(side, priceFen) - (self === undefined ? 0n : BigInt(self.qtyT));
    return others + BigInt(qtyT) > MAX_SAFE_N ? Code.LevelTotalOverflow : 0;
  }

  /**
   * An order that crosses the book on arrival may trade all of qtyT, each tonne at most at the highest price it can
   * meet: a buy, the lower of its limit and the highest ask; a sell, the best bid. The day's turnover must stay safe.
   */
  private dayRoomCheck(side: number, limitFen: number, qtyT: number): number {
    let topFen: number;
    if (side === Side.Buy) {
      const asks = this.levelPrices(Side.Sell);
      if (asks.length === 0 || asks[0]! > limitFen) return 0;
      topFen = Math.min(limitFen, asks[asks.length - 1]!);
    } else {
      const bids = this.levelPrices(Side.Buy);
      if (bids.length === 0 || bids[0]! < limitFen) return 0;
      topFen = bids[0]!;
    }
    return this.tradeRoomCheck(topFen, qtyT);
  }

  /**
   * qtyT more tonnes traded at up to priceFen keep the day's turnover a safe integer (and so the volume: prices are
   * at least 1 fen, the volume is never more than the turnover; dayStats would throw if it were).
   */
  private tradeRoomCheck(priceFen: number, qtyT: number): number {
    if (this.stats.turnoverFen + BigInt(priceFen) * BigInt(qtyT) > MAX_SAFE_N) return Code.DayTurnoverOverflow;
    return 0;
  }

  // ---------------------------------------------------------------- commands

  placeLimit(
    tsMs: number,
    orderId: number,
    accountId: number,
    side: number,
    priceFen: number,
    qtyT: number,
    tif: number,
    stp: number,
  ): number {
    let code = this.timeCheck(tsMs);
    if (!code && !isPositiveInt(orderId)) code = Code.BadOrderId;
    if (!code && !isPositiveInt(accountId)) code = Code.BadAccount;
    if (!code && !isOneOf(side, SIDES)) code = Code.BadSide;
    if (!code && !isOneOf(tif, TIFS)) code = Code.BadTif;
    if (!code && !isOneOf(stp, STPS)) code = Code.BadStp;
    if (!code && !isPositiveInt(priceFen)) code = Code.BadPrice;
    if (!code && !isPositiveInt(qtyT)) code = Code.BadQty;
    if (!code) code = this.openCheck();
    if (!code && this.findLive(orderId)) code = Code.DuplicateOrderId;
    if (!code) code = this.priceRuleCheck(priceFen);
    if (!code) code = this.qtyRuleCheck(qtyT);
    if (!code) code = this.notionalCheck(priceFen, qtyT);
    if (!code && (tif === Tif.GFD || tif === Tif.GTC)) code = this.levelRoomCheck(side, priceFen, qtyT);
    if (!code) code = this.dayRoomCheck(side, priceFen, qtyT);
    if (code) return this.reject(tsMs, orderId, code);

    this.lastTs = tsMs;
    const seq = this.nextSeq();
    this.sink.accepted(seq, tsMs, orderId, accountId, side as Side, OrderType.Limit, priceFen, qtyT, tif as Tif);
    const taker: Taker = { orderId, accountId, side, limitFen: priceFen, tif, stp, isMarket: false, prio: seq };
    this.match(tsMs, taker, qtyT);
    return Code.Ok;
  }

  placeMarket(
    tsMs: number,
    orderId: number,
    accountId: number,
    side: number,
    qtyT: number,
    tif: number,
    stp: number,
  ): number {
    let code = this.timeCheck(tsMs);
    if (!code && !isPositiveInt(orderId)) code = Code.BadOrderId;
    if (!code && !isPositiveInt(accountId)) code = Code.BadAccount;
    if (!code && !isOneOf(side, SIDES)) code = Code.BadSide;
    if (!code && !isOneOf(tif, TIFS)) code = Code.BadTif;
    if (!code && (tif === Tif.GFD || tif === Tif.GTC)) code = Code.MarketTifNotAllowed;
    if (!code && !isOneOf(stp, STPS)) code = Code.BadStp;
    if (!code && !isPositiveInt(qtyT)) code = Code.BadQty;
    if (!code) code = this.openCheck();
    if (!code && this.findLive(orderId)) code = Code.DuplicateOrderId;
    if (!code) code = this.qtyRuleCheck(qtyT);
    const band = this.band();
    const protection = side === Side.Buy ? (band ? band[1] : MAX_SAFE) : band ? band[0] : 0;
    if (!code) code = this.dayRoomCheck(side, protection, qtyT);
    if (code) return this.reject(tsMs, orderId, code);

    this.lastTs = tsMs;
    const seq = this.nextSeq();
    this.sink.accepted(seq, tsMs, orderId, accountId, side as Side, OrderType.Market, protection, qtyT, tif as Tif);
    const taker: Taker = { orderId, accountId, side, limitFen: protection, tif, stp, isMarket: true, prio: seq };
    this.match(tsMs, taker, qtyT);
    return Code.Ok;
  }

  take(tsMs: number, orderId: number, accountId: number, listingId: number, qtyT: number): number {
    let code = this.timeCheck(tsMs);
    if (!code && !isPositiveInt(orderId)) code = Code.BadOrderId;
    if (!code && !isPositiveInt(accountId)) code = Code.BadAccount;
    if (!code && !isPositiveInt(qtyT)) code = Code.BadQty;
    if (!code) code = this.openCheck();
    if (!code && this.config.mode !== MatchMode.Listed) code = Code.TakeNotListedMode;
    if (!code && this.findLive(orderId)) code = Code.DuplicateOrderId;
    const listing = isPositiveInt(listingId) ? this.findLive(listingId) : undefined;
    if (!code && listing === undefined) code = Code.UnknownOrder;
    if (code || listing === undefined) return this.reject(tsMs, orderId, code);

    if (listing.accountId === accountId) code = Code.TakeOwnListing;
    const reachable = this.levelPrices(listing.side).slice(0, this.config.listedDepth);
    if (!code && !reachable.includes(listing.priceFen)) code = Code.TakeBeyondDepth;
    if (!code && qtyT > listing.qtyT) code = Code.TakeQtyExceedsListing;
    if (!code && qtyT % this.config.lotT !== 0) code = Code.QtyOffLot;
    if (!code && qtyT < this.config.minQtyT && qtyT !== listing.qtyT) code = Code.QtyBelowMin;
    if (!code && qtyT > this.config.maxQtyT) code = Code.QtyAboveMax;
    if (!code) code = this.tradeRoomCheck(listing.priceFen, qtyT);
    if (code) return this.reject(tsMs, orderId, code);

    this.lastTs = tsMs;
    const takerSide = listing.side === Side.Buy ? Side.Sell : Side.Buy;
    const price = listing.priceFen;
    this.sink.accepted(this.nextSeq(), tsMs, orderId, accountId, takerSide, OrderType.Take, price, qtyT, Tif.IOC);
    listing.qtyT -= qtyT;
    this.sink.trade(
      this.nextSeq(),
      tsMs,
      listing.orderId,
      orderId,
      listing.accountId,
      accountId,
      takerSide,
      price,
      qtyT,
      listing.qtyT,
      0,
    );
    this.recordTrade(price, qtyT);
    if (listing.qtyT === 0) this.remove(listing);
    this.emitLevel(tsMs, listing.side, price);
    return Code.Ok;
  }

  cancel(tsMs: number, orderId: number, accountId: number): number {
    let code = this.timeCheck(tsMs);
    if (!code && !isPositiveInt(orderId)) code = Code.BadOrderId;
    if (!code && !isPositiveInt(accountId)) code = Code.BadAccount;
    const order = this.findLive(orderId);
    if (!code && order === undefined) code = Code.UnknownOrder;
    if (!code && order !== undefined && order.accountId !== accountId) code = Code.NotOwner;
    if (code || order === undefined) return this.reject(tsMs, orderId, code);

    this.lastTs = tsMs;
    this.remove(order);
    this.emitCancelled(tsMs, order.orderId, order.qtyT, 0, CancelReason.User);
    this.emitLevel(tsMs, order.side, order.priceFen);
    return Code.Ok;
  }

  amend(tsMs: number, orderId: number, accountId: number, priceFen: number, qtyT: number): number {
    let code = this.timeCheck(tsMs);
    if (!code && !isPositiveInt(orderId)) code = Code.BadOrderId;
    if (!code && !isPositiveInt(accountId)) code = Code.BadAccount;
    if (!code && !isPositiveInt(priceFen)) code = Code.BadPrice;
    if (!code && !isPositiveInt(qtyT)) code = Code.BadQty;
    if (!code) code = this.openCheck();
    const order = this.findLive(orderId);
    if (!code && order === undefined) code = Code.UnknownOrder;
    if (code || order === undefined) return this.reject(tsMs, orderId, code);

    if (order.accountId !== accountId) code = Code.NotOwner;
    if (!code && priceFen === order.priceFen && qtyT === order.qtyT) code = Code.AmendNoChange;
    if (!code) code = this.priceRuleCheck(priceFen);
    if (!code && qtyT !== order.qtyT) code = this.qtyRuleCheck(qtyT);
    if (!code) code = this.notionalCheck(priceFen, qtyT);
    if (!code) code = this.levelRoomCheck(order.side, priceFen, qtyT, priceFen === order.priceFen ? order : undefined);
    if (!code && priceFen !== order.priceFen) code = this.dayRoomCheck(order.side, priceFen, qtyT);
    if (code) return this.reject(tsMs, orderId, code);

    this.lastTs = tsMs;
    if (priceFen === order.priceFen && qtyT < order.qtyT) {
      // Pure decrease: in place, keeps its time priority.
      order.qtyT = qtyT;
      this.sink.amended(this.nextSeq(), tsMs, orderId, priceFen, qtyT, true);
      this.emitLevel(tsMs, order.side, priceFen);
      return Code.Ok;
    }
    const seq = this.nextSeq();
    this.sink.amended(seq, tsMs, orderId, priceFen, qtyT, false);
    if (priceFen === order.priceFen) {
      // Increase at the same price: to the back of its level.
      order.qtyT = qtyT;
      order.prio = seq;
      this.emitLevel(tsMs, order.side, priceFen);
      return Code.Ok;
    }
    // New price: leave the old level, then come in again as an incoming order.
    this.remove(order);
    this.emitLevel(tsMs, order.side, order.priceFen);
    const taker: Taker = {
      orderId,
      accountId,
      side: order.side,
      limitFen: priceFen,
      tif: order.tif,
      stp: order.stp,
      isMarket: false,
      prio: seq,
    };
    this.match(tsMs, taker, qtyT);
    return Code.Ok;
  }

  cancelAll(tsMs: number, accountId: number): number {
    let code = this.timeCheck(tsMs);
    if (!code && !isPositiveInt(accountId)) code = Code.BadAccount;
    if (code) return this.reject(tsMs, 0, code);

    this.lastTs = tsMs;
    const mine = this.orders.filter((o) => o.accountId === accountId).sort((a, b) => a.prio - b.prio);
    for (const order of mine) {
      this.remove(order);
      this.emitCancelled(tsMs, order.orderId, order.qtyT, 0, CancelReason.CancelAll);
      this.emitLevel(tsMs, order.side, order.priceFen);
    }
    return Code.Ok;
  }

  setSession(tsMs: number, state: number): number {
    let code = this.timeCheck(tsMs);
    if (!code && !isOneOf(state, SESSION_STATES)) code = Code.BadSessionState;
    if (code) return this.reject(tsMs, 0, code);

    this.lastTs = tsMs;
    this.sessionState = state;
    this.sink.session(this.nextSeq(), tsMs, state as SessionState);
    return Code.Ok;
  }

  endOfDay(tsMs: number, nextRefPriceFen: number): number {
    let code = this.timeCheck(tsMs);
    if (!code && !(isSafeInt(nextRefPriceFen) && nextRefPriceFen >= 0 && nextRefPriceFen <= 2 ** 40))
      code = Code.BadPrice;
    if (!code && this.sessionState !== SessionState.Closed) code = Code.SessionNotClosed;
    if (!code && nextRefPriceFen !== 0 && nextRefPriceFen % this.config.tickFen !== 0) code = Code.PriceOffTick;
    if (code) return this.reject(tsMs, 0, code);

    this.lastTs = tsMs;
    const newRef = nextRefPriceFen === 0 ? null : nextRefPriceFen;
    const newBand = this.bandFor(newRef);
    for (const side of [Side.Buy, Side.Sell]) {
      for (const price of this.levelPrices(side)) {
        let changed = false;
        for (const order of this.levelQueue(side, price)) {
          if (order.tif === Tif.GFD) {
            this.remove(order);
            this.sink.expired(this.nextSeq(), tsMs, order.orderId, order.qtyT);
            changed = true;
          } else if (newBand !== null && (order.priceFen < newBand[0] || order.priceFen > newBand[1])) {
            this.remove(order);
            this.emitCancelled(tsMs, order.orderId, order.qtyT, 0, CancelReason.OutOfBand);
            changed = true;
          }
        }
        if (changed) this.emitLevel(tsMs, side, price);
      }
    }
    this.refPriceFen = newRef;
    this.sink.dayEnded(this.nextSeq(), tsMs, nextRefPriceFen, newBand ? newBand[0] : 0, newBand ? newBand[1] : 0);
    this.stats = emptyStats();
    return Code.Ok;
  }

  // ---------------------------------------------------------------- matching

  /** Matches an incoming order with `remaining` tonnes against the book, then rests or cancels the rest. */
  private match(tsMs: number, taker: Taker, remaining: number): void {
    const opposite = taker.side === Side.Buy ? Side.Sell : Side.Buy;
    const crosses = (p: number): boolean => (taker.side === Side.Buy ? taker.limitFen >= p : taker.limitFen <= p);

    // Listed mode: only the levels that are among the best N when the order arrives may be reached.
    let withinDepth = (_p: number): boolean => true;
    if (this.config.mode === MatchMode.Listed) {
      const prices = this.levelPrices(opposite);
      const boundary = prices[Math.min(this.config.listedDepth, prices.length) - 1];
      if (boundary !== undefined)
        withinDepth = (p: number): boolean => (taker.side === Side.Buy ? p <= boundary : p >= boundary);
    }
    const sameAccountStp = (maker: NaiveOrder): boolean =>
      maker.accountId === taker.accountId && taker.stp !== Stp.None;

    if (taker.tif === Tif.FOK && !this.fokCanFill(opposite, crosses, withinDepth, sameAccountStp, taker, remaining)) {
      this.emitCancelled(tsMs, taker.orderId, remaining, 0, CancelReason.FokKilled);
      return;
    }

    let takerGone = false; // cancelled whole by self-trade prevention
    while (remaining > 0 && !takerGone) {
      const best = this.levelPrices(opposite)[0];
      if (best === undefined || !crosses(best) || !withinDepth(best)) break;
      let levelChanged = false;
      for (const maker of this.levelQueue(opposite, best)) {
        if (remaining === 0 || takerGone) break;
        if (sameAccountStp(maker)) {
          if (taker.stp === Stp.CancelNewest) {
            this.emitCancelled(tsMs, taker.orderId, remaining, 0, CancelReason.SelfTrade);
            remaining = 0;
            takerGone = true;
          } else if (taker.stp === Stp.CancelOldest) {
            this.remove(maker);
            this.emitCancelled(tsMs, maker.orderId, maker.qtyT, 0, CancelReason.SelfTrade);
            levelChanged = true;
          } else if (taker.stp === Stp.CancelBoth) {
            this.remove(maker);
            this.emitCancelled(tsMs, maker.orderId, maker.qtyT, 0, CancelReason.SelfTrade);
            levelChanged = true;
            this.emitCancelled(tsMs, taker.orderId, remaining, 0, CancelReason.SelfTrade);
            remaining = 0;
            takerGone = true;
          } else {
            // Decrement: both shrink by the smaller quantity, nothing trades.
            const d = Math.min(remaining, maker.qtyT);
            maker.qtyT -= d;
            remaining -= d;
            this.emitCancelled(tsMs, maker.orderId, d, maker.qtyT, CancelReason.SelfTrade);
            this.emitCancelled(tsMs, taker.orderId, d, remaining, CancelReason.SelfTrade);
            if (maker.qtyT === 0) this.remove(maker);
            levelChanged = true;
          }
          continue;
        }
        const q = Math.min(remaining, maker.qtyT);
        maker.qtyT -= q;
        remaining -= q;
        this.sink.trade(
          this.nextSeq(),
          tsMs,
          maker.orderId,
          taker.orderId,
          maker.accountId,
          taker.accountId,
          taker.side as Side,
          maker.priceFen,
          q,
          maker.qtyT,
          remaining,
        );
        this.recordTrade(maker.priceFen, q);
        if (maker.qtyT === 0) this.remove(maker);
        levelChanged = true;
      }
      if (levelChanged) this.emitLevel(tsMs, opposite, best);
    }

    if (takerGone || remaining === 0) return;
    if (taker.isMarket || taker.tif === Tif.IOC || taker.tif === Tif.FOK) {
      this.emitCancelled(tsMs, taker.orderId, remaining, 0, CancelReason.IocRemainder);
      return;
    }
    const best = this.levelPrices(opposite)[0];
    if (best !== undefined && crosses(best)) {
      // Listed mode: the rest would still cross beyond the reachable levels; a listing never crosses.
      this.emitCancelled(tsMs, taker.orderId, remaining, 0, CancelReason.DepthLimit);
      return;
    }
    this.orders.push({
      orderId: taker.orderId,
      accountId: taker.accountId,
      side: taker.side,
      priceFen: taker.limitFen,
      qtyT: remaining,
      tif: taker.tif,
      stp: taker.stp,
      prio: taker.prio,
    });
    this.emitLevel(tsMs, taker.side, taker.limitFen);
  }

  /** FOK precheck: walks what the matching loop would meet, without changing anything. */
  private fokCanFill(
    opposite: number,
    crosses: (p: number) => boolean,
    withinDepth: (p: number) => boolean,
    sameAccountStp: (maker: NaiveOrder) => boolean,
    taker: Taker,
    remaining: number,
  ): boolean {
    let fillable = 0;
    for (const price of this.levelPrices(opposite)) {
      if (!crosses(price) || !withinDepth(price)) return false;
      for (const maker of this.levelQueue(opposite, price)) {
        if (sameAccountStp(maker)) {
          if (taker.stp === Stp.CancelOldest) continue; // it would be cancelled, matching goes on
          return false; // CancelNewest, CancelBoth, Decrement: the FOK cannot fill in full
        }
        fillable += maker.qtyT;
        if (fillable >= remaining) return true;
      }
    }
    return false;
  }
}
