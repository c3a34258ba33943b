// One market as the agents see it: the Market they send commands to, the instrument they trade, the public valuation
// of an allowance (fairFen, from the market's fundamentals: src/sim/fundamentals), the market price, the closes so
// far, and the order helpers every agent uses (prices rounded to the tick and
// kept inside today's band, sizes inside the order limits, commands counted). Rejections are counted, not hidden:
// the run's manifest reports them.

import { bandEdges } from '../../engine/index.ts';
import { DOUBLE_HINT } from '../../market/double-hint.ts';
import type { TifName } from '../../market/listed.ts';
import type { Market } from '../../market/market.ts';
import type { SideName } from '../../market/trade.ts';

export interface Counters {
  orders: number;
  rejected: number;
  /** Rejections by code, for the manifest. */
  readonly byCode: Map<string, number>;
}

export class Venue {
  readonly id: string;
  readonly market: Market;
  readonly instrumentId: string;
  /**
   * The public valuation of an allowance today, fen: what the market's fundamentals say (updated each morning by the
   * session, src/sim/fundamentals/daily.ts). Each valuing agent scales it by its own view, drawn once.
   */
  fairFen = 0;
  /** Price of the last listed trade of the traded instrument (the opening price before any), fen. */
  lastTradeFen = 0;
  /** Average of the last closes (up to 20), fen: the penalty's reference price as agents estimate it. */
  recentAvgFen = 0;
  /** Daily closes (fen), oldest first; the opening price first. */
  readonly closes: number[];
  /** Listed volume of the traded instrument on the last trading day, tonnes. */
  lastListedT = 0;
  /** Multiplies every agent's wakes today (news raises activity for a while). */
  activity = 1;
  private readonly counters: Counters;

  constructor(market: Market, instrumentId: string, openingFen: number, counters: Counters) {
    this.id = market.id;
    this.market = market;
    this.instrumentId = instrumentId;
    this.closes = [openingFen];
    this.counters = counters;
    this.activity = DOUBLE_HINT; // see DOUBLE_HINT
    this.activity = 1;
    this.fairFen = DOUBLE_HINT;
    this.fairFen = openingFen;
    this.recentAvgFen = DOUBLE_HINT;
    this.recentAvgFen = openingFen;
    this.lastTradeFen = openingFen;
  }

  /**
   * The market price as a trader reads it now: the middle of the best bid and ask when both are there and less than
   * 2 % apart; with one side only, the last trade moved to it (bids above the last trade, or asks below it, say the
   * market stands there); else the last trade. No scripted level: only what the book and the tape show.
   */
  markFen(): number {
    const last = this.lastTradeFen;
    const e = this.market.listed.engine(this.instrumentId);
    if (e === null) return last;
    const bid = e.bestBidFen();
    const ask = e.bestAskFen();
    if (bid > 0 && ask > 0) return ask - bid < 0.02 * ask ? (bid + ask) / 2 : Math.min(ask, Math.max(bid, last));
    if (bid > 0) return Math.max(bid, last);
    if (ask > 0) return Math.min(ask, last);
    return last;
  }

  get tickFen(): number {
    return this.market.spec.modes.listed.tickFen;
  }

  get lastCloseFen(): number {
    return this.closes[this.closes.length - 1]!;
  }

  /** Close n trading days ago (0: the last), or the oldest known. */
  closeAgo(n: number): number {
    return this.closes[Math.max(0, this.closes.length - 1 - n)]!;
  }

  /** A price rounded to the tick and clamped into today's listed band. */
  listedPrice(fen: number): number {
    const tick = this.tickFen;
    return this.inBand(Math.round(fen / tick) * tick);
  }

  /** A price on the tick (a whole number of fen) clamped into today's listed band. */
  private inBand(onTick: number): number {
    const tick = this.tickFen;
    let p = onTick;
    const e = this.market.listed.engine(this.instrumentId);
    if (e !== null && e.bandHighFen > 0) {
      if (p > e.bandHighFen) p = e.bandHighFen;
      if (p < e.bandLowFen) p = e.bandLowFen;
    }
    return Math.max(tick, p);
  }

  /** A block price rounded to the block tick and clamped into the block band around the last close. */
  blockPrice(fen: number): number {
    const b = this.market.spec.modes.block!;
    // The same edges the block desk checks against.
    const [lo, hi] = bandEdges(this.market.stats.closeFen(this.instrumentId), b.bandBps, b.tickFen);
    return Math.min(hi, Math.max(lo, Math.round(fen / b.tickFen) * b.tickFen));
  }

  /** Listed order size clamped to the mode's limits and lot; 0 when too small to send. */
  listedQty(qtyT: number): number {
    const l = this.market.spec.modes.listed;
    const q = Math.min(Math.floor(qtyT / l.lotT) * l.lotT, l.maxQtyT);
    return q >= l.minQtyT ? q : 0;
  }

  /** Places a listed order; returns the order id if it rests, 0 otherwise. */
  place(tsMs: number, accountId: number, side: SideName, priceFen: number, qtyT: number, tif: TifName): number {
    if (!this.send(tsMs, accountId, side, priceFen, qtyT, tif)) return 0;
    const ack = this.market.listed.last;
    return ack.restingT > 0 ? ack.orderId : 0;
  }

  /**
   * Sends a listed order (price to the tick and band, size to the limits); true when accepted, its acknowledgement
   * then in market.listed.last (no command or result objects: this runs for every order of a run).
   */
  send(tsMs: number, accountId: number, side: SideName, priceFen: number, qtyT: number, tif: TifName): boolean {
    const q = this.listedQty(qtyT);
    if (q <= 0) return false;
    this.counters.orders++;
    // listedPrice, with the rounding to the tick done here: an agent's price is a fraction of a fen, and handed to a
    // method the compiler did not inline it was boxed, a heap number per order; the whole fen it rounds to is not.
    const tick = this.tickFen;
    const price = this.inBand(Math.round(priceFen / tick) * tick);
    const bad = this.market.submitOrder(tsMs, accountId, this.instrumentId, side, price, q, tif);
    if (bad !== null) {
      this.reject(bad.code);
      return false;
    }
    return true;
  }

  cancel(tsMs: number, accountId: number, orderId: number): void {
    if (orderId === 0) return;
    // An order filled or expired since is gone: nothing to cancel, not an error of the agent's.
    if (!this.market.listed.isLive(orderId)) return;
    this.counters.orders++;
    const bad = this.market.cancelOrder(tsMs, accountId, orderId);
    if (bad !== null) this.reject(bad.code);
  }

  reject(code: string): void {
    this.counters.rejected++;
    this.counters.byCode.set(code, (this.counters.byCode.get(code) ?? 0) + 1);
  }

  count(): void {
    this.counters.orders++;
  }
}
