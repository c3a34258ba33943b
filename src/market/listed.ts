// Listed trading (挂牌): one engine per instrument, wrapped in the account rules. Before an order reaches the
// engine its worst-case cost is reserved (buy: qty x (limit + fee ceiling per tonne); sell: the tonnes), so every
// fill the engine makes can settle at once, both legs together, inside the engine's trade event. Whatever leaves
// the book unfilled (cancel, IOC remainder, expiry, self-trade prevention) releases its share of the reservation.
//
// Invariant, checked by the conservation property test: for a live order, reserved = remaining x reservePerT.

import {
  Code,
  codeName,
  Engine,
  type EngineSink,
  MatchMode,
  NullSink,
  SessionState,
  Side,
  Stp,
  Tif,
} from '../engine/index.ts';
import type { ListedModeSpec } from './catalogue/schema.ts';
import { ok, type Rejection, type Result, reject } from './errors.ts';
import type { Ledger } from './ledger.ts';
import { feeCeilPerTonneFen, feeFen } from './money.ts';
import type { Reservation } from './reservations.ts';
import type { SideName, TradeListener } from './trade.ts';

export type TifName = 'day' | 'gtc' | 'ioc' | 'fok';
const TIF: Record<TifName, Tif> = { day: Tif.GFD, gtc: Tif.GTC, ioc: Tif.IOC, fok: Tif.FOK };

export interface PlaceOrder {
  readonly tsMs: number;
  readonly accountId: number;
  readonly instrumentId: string;
  readonly side: SideName;
  /** null: a market order (IOC or FOK), protected by the price band. */
  readonly priceFen: number | null;
  readonly qtyT: number;
  readonly tif: TifName;
}

export interface OrderAck {
  readonly orderId: number;
  /** Tonnes filled while the command ran. */
  readonly filledT: number;
  /** Tonnes left resting in the book (0: the order is done). */
  readonly restingT: number;
}

interface OrderMeta {
  readonly accountId: number;
  readonly instrumentId: string;
  readonly side: SideName;
  /** Buy: fen reserved per remaining tonne. Sell: 0 (tonnes are reserved one for one). */
  reservePerTFen: number;
  /** Buy: fen still reserved. Sell: tonnes still reserved. */
  reserved: number;
  filledT: number;
}

export interface ListedDeskOptions {
  readonly marketId: string;
  readonly spec: ListedModeSpec;
  readonly instrumentIds: readonly string[];
  /** Previous close per instrument: the first day's band reference. Missing: no band until a close exists. */
  readonly initialCloseFen: Readonly<Record<string, number>>;
  readonly lockDays: number;
  readonly nextTradeId: () => number;
  readonly onTrade: TradeListener;
}

function engineRejection(engine: Engine, code: number): Rejection {
  return { ok: false, code: codeName(code), message: engine.lastRejectMessage(), status: code < 200 ? 400 : 409 };
}

export class ListedDesk {
  private readonly engines = new Map<string, Engine>();
  private readonly orders = new Map<number, OrderMeta>();
  private nextOrderId = 1;
  private readonly opts: ListedDeskOptions;
  private readonly ledger: Ledger;

  constructor(ledger: Ledger, opts: ListedDeskOptions) {
    this.ledger = ledger;
    this.opts = opts;
    // best-price is the engine's listed mode reaching one level: within it the oldest order trades first.
    const mode = opts.spec.matching === 'price-time' ? MatchMode.PriceTime : MatchMode.Listed;
    const depth = opts.spec.matching === 'best-price' ? 1 : opts.spec.listedDepth;
    for (const id of opts.instrumentIds) {
      const ref = opts.initialCloseFen[id];
      const e = new Engine(
        {
          mode,
          listedDepth: depth,
          tickFen: opts.spec.tickFen,
          lotT: opts.spec.lotT,
          minQtyT: opts.spec.minQtyT,
          maxQtyT: opts.spec.maxQtyT,
          bandBps: opts.spec.bandBps,
          refPriceFen: ref ?? null,
        },
        new NullSink(),
      );
      e.setSink(this.sinkFor(id));
      this.engines.set(id, e);
    }
  }

  engine(instrumentId: string): Engine | null {
    return this.engines.get(instrumentId) ?? null;
  }

  setSession(tsMs: number, open: boolean): void {
    for (const e of this.engines.values()) {
      const want = open ? SessionState.Open : SessionState.Closed;
      if (e.session !== want) e.setSession(tsMs, want);
    }
  }

  /** End of day for one instrument: day orders expire, GTC orders outside the new band are cancelled. */
  endOfDay(tsMs: number, instrumentId: string, nextRefFen: number, nextBandBps?: number): void {
    const e = this.engines.get(instrumentId)!;
    const code = e.endOfDay(tsMs, nextRefFen, nextBandBps);
    if (code !== Code.Ok) throw new Error(`end of day of ${instrumentId} failed: ${e.lastRejectMessage()}`);
  }

  orderOf(orderId: number): { accountId: number; instrumentId: string; side: SideName } | null {
    const m = this.orders.get(orderId);
    return m === undefined ? null : { accountId: m.accountId, instrumentId: m.instrumentId, side: m.side };
  }

  place(cmd: PlaceOrder): Result<OrderAck> {
    const e = this.engines.get(cmd.instrumentId);
    if (e === undefined) return reject('UnknownInstrument', `instrument ${cmd.instrumentId} is not traded here`);
    if (cmd.side !== 'buy' && cmd.side !== 'sell') return reject('BadInput', `side must be "buy" or "sell"`);
    // hasOwn: a name like "__proto__" or "constructor" must not find Object.prototype's members.
    if (typeof cmd.tif !== 'string' || !Object.hasOwn(TIF, cmd.tif))
      return reject('BadInput', `time in force must be one of day, gtc, ioc, fok`);
    const tif = TIF[cmd.tif];
    const side = cmd.side === 'buy' ? Side.Buy : Side.Sell;
    const orderId = this.nextOrderId;
    const fee = this.opts.spec.feeBps;
    // Malformed numbers go straight to the engine, which rejects them with its own code; nothing is reserved.
    const wellFormed =
      Number.isSafeInteger(cmd.qtyT) &&
      cmd.qtyT > 0 &&
      (cmd.priceFen === null || (Number.isSafeInteger(cmd.priceFen) && cmd.priceFen > 0));
    let perT = 0;
    let reserved = 0;
    if (wellFormed) {
      if (cmd.side === 'buy') {
        const capFen = cmd.priceFen ?? e.bandHighFen;
        if (capFen <= 0)
          return reject('NoReferencePrice', 'a market order needs a price band, and there is no previous close yet');
        perT = capFen + feeCeilPerTonneFen(capFen, fee);
        reserved = perT * cmd.qtyT;
        if (!Number.isSafeInteger(reserved)) return reject('Overflow', 'price times quantity is too large');
      } else reserved = cmd.qtyT;
      const r = this.reserve(cmd.accountId, cmd.side, cmd.instrumentId, reserved);
      if (r !== null) return r;
    }
    const meta: OrderMeta = {
      accountId: cmd.accountId,
      instrumentId: cmd.instrumentId,
      side: cmd.side,
      reservePerTFen: perT,
      reserved,
      filledT: 0,
    };
    this.orders.set(orderId, meta);
    const code =
      cmd.priceFen === null
        ? e.placeMarket(cmd.tsMs, orderId, cmd.accountId, side, cmd.qtyT, tif, Stp.CancelNewest)
        : e.placeLimit(cmd.tsMs, orderId, cmd.accountId, side, cmd.priceFen, cmd.qtyT, tif, Stp.CancelNewest);
    if (code !== Code.Ok) {
      this.orders.delete(orderId);
      this.releaseMeta(meta, meta.reserved);
      return engineRejection(e, code);
    }
    this.nextOrderId++;
    return ok({ orderId, filledT: meta.filledT, restingT: e.restingQtyT(orderId) });
  }

  /** Listed agreement: take listing `listingId` for qtyT tonnes at its price. */
  take(tsMs: number, accountId: number, instrumentId: string, listingId: number, qtyT: number): Result<OrderAck> {
    const e = this.engines.get(instrumentId);
    if (e === undefined) return reject('UnknownInstrument', `instrument ${instrumentId} is not traded here`);
    if (this.opts.spec.matching !== 'best-n')
      return reject(
        'ModeNotOffered',
        'taking a chosen listing needs listed agreement (best-n); here orders match by price and time',
      );
    const listing = e.getOrder(listingId);
    const orderId = this.nextOrderId;
    if (listing === null || !Number.isSafeInteger(qtyT) || qtyT <= 0) {
      const code = e.take(tsMs, orderId, accountId, listingId, qtyT);
      return engineRejection(e, code === Code.Ok ? Code.UnknownOrder : code);
    }
    const side: SideName = listing.side === Side.Sell ? 'buy' : 'sell';
    const perT = side === 'buy' ? listing.priceFen + feeCeilPerTonneFen(listing.priceFen, this.opts.spec.feeBps) : 0;
    const reserved = side === 'buy' ? perT * qtyT : qtyT;
    const r = this.reserve(accountId, side, instrumentId, reserved);
    if (r !== null) return r;
    const meta: OrderMeta = { accountId, instrumentId, side, reservePerTFen: perT, reserved, filledT: 0 };
    this.orders.set(orderId, meta);
    const code = e.take(tsMs, orderId, accountId, listingId, qtyT);
    if (code !== Code.Ok) {
      this.orders.delete(orderId);
      this.releaseMeta(meta, meta.reserved);
      return engineRejection(e, code);
    }
    this.nextOrderId++;
    return ok({ orderId, filledT: meta.filledT, restingT: 0 });
  }

  cancel(tsMs: number, accountId: number, orderId: number): Result<{ orderId: number; cancelledT: number }> {
    const m = this.orders.get(orderId);
    if (m === undefined) return reject('UnknownOrder', `no live order has id ${orderId}`);
    if (m.accountId !== accountId) return reject('NotOwner', `order ${orderId} belongs to another account`);
    const e = this.engines.get(m.instrumentId)!;
    const before = e.getOrder(orderId)?.qtyT ?? 0;
    const code = e.cancel(tsMs, orderId, accountId);
    if (code !== Code.Ok) return engineRejection(e, code);
    return ok({ orderId, cancelledT: before });
  }

  /** New price and new remaining quantity; the reservation follows (more is reserved first, less released first). */
  amend(tsMs: number, accountId: number, orderId: number, priceFen: number, qtyT: number): Result<OrderAck> {
    const m = this.orders.get(orderId);
    if (m === undefined) return reject('UnknownOrder', `no live order has id ${orderId}`);
    if (m.accountId !== accountId) return reject('NotOwner', `order ${orderId} belongs to another account`);
    const e = this.engines.get(m.instrumentId)!;
    if (!Number.isSafeInteger(priceFen) || priceFen <= 0 || !Number.isSafeInteger(qtyT) || qtyT <= 0)
      return engineRejection(e, e.amend(tsMs, orderId, accountId, priceFen, qtyT));
    const oldPerT = m.reservePerTFen;
    const newPerT = m.side === 'buy' ? priceFen + feeCeilPerTonneFen(priceFen, this.opts.spec.feeBps) : 0;
    const want = m.side === 'buy' ? newPerT * qtyT : qtyT;
    if (!Number.isSafeInteger(want)) return reject('Overflow', 'price times quantity is too large');
    // The reservation moves before the engine runs: fills during the amend consume it at the new rate.
    const diff = want - m.reserved;
    if (diff > 0) {
      const r = this.reserveMeta(m, diff);
      if (r !== null) return r;
    } else if (diff < 0) this.releaseMeta(m, -diff);
    m.reservePerTFen = newPerT;
    const filledBefore = m.filledT;
    const code = e.amend(tsMs, orderId, accountId, priceFen, qtyT);
    if (code !== Code.Ok) {
      // The engine changed nothing: put the old reservation back (what was just released is there to take).
      m.reservePerTFen = oldPerT;
      if (diff > 0) this.releaseMeta(m, diff);
      else if (diff < 0 && this.reserveMeta(m, -diff) !== null) throw new Error('amend undo: reservation lost');
      return engineRejection(e, code);
    }
    const live = e.getOrder(orderId);
    return ok({ orderId, filledT: m.filledT - filledBefore, restingT: live?.qtyT ?? 0 });
  }

  /** What live orders hold in reserve: buy orders cash, sell orders tonnes. */
  *reservations(): Iterable<Reservation> {
    for (const m of this.orders.values())
      yield { accountId: m.accountId, instrumentId: m.side === 'buy' ? null : m.instrumentId, amount: m.reserved };
  }

  /** null when every live order's reservation equals remaining x per-tonne reserve and no finished order is tracked. */
  checkReservations(): string | null {
    for (const [id, m] of this.orders) {
      const live = this.engines.get(m.instrumentId)!.getOrder(id);
      if (live === null) return `order ${id} is tracked but not live`;
      const want = m.side === 'buy' ? live.qtyT * m.reservePerTFen : live.qtyT;
      if (m.reserved !== want) return `order ${id}: reserved ${m.reserved}, remaining ${live.qtyT} needs ${want}`;
    }
    return null;
  }

  /** Reserves cash (buy) or tonnes (sell) for an order; refused when the account lacks them. */
  private reserve(accountId: number, side: SideName, instrumentId: string, amount: number): Rejection | null {
    return side === 'buy'
      ? this.ledger.reserveCash(accountId, amount)
      : this.ledger.reserveQty(accountId, instrumentId, amount);
  }

  private reserveMeta(m: OrderMeta, amount: number): Rejection | null {
    const r = this.reserve(m.accountId, m.side, m.instrumentId, amount);
    if (r === null) m.reserved += amount;
    return r;
  }

  private releaseMeta(m: OrderMeta, amount: number): void {
    if (amount <= 0) return;
    if (m.side === 'buy') this.ledger.releaseCash(m.accountId, amount);
    else this.ledger.releaseQty(m.accountId, m.instrumentId, amount);
    m.reserved -= amount;
  }

  private settle(
    tsMs: number,
    instrumentId: string,
    makerId: number,
    takerId: number,
    takerSide: Side,
    priceFen: number,
    qtyT: number,
  ): void {
    const maker = this.orders.get(makerId)!;
    const taker = this.orders.get(takerId)!;
    const [buy, sell, buyId, sellId] =
      takerSide === Side.Buy ? [taker, maker, takerId, makerId] : [maker, taker, makerId, takerId];
    const valueFen = priceFen * qtyT;
    const feeBps = this.opts.spec.feeBps;
    const buyerFeeFen = feeFen(valueFen, feeBps);
    const sellerFeeFen = feeFen(valueFen, feeBps);
    const use = buy.reservePerTFen * qtyT;
    const bad = this.ledger.transfer({
      tsMs,
      buyerId: buy.accountId,
      sellerId: sell.accountId,
      instrumentId,
      qtyT,
      valueFen,
      buyerFeeFen,
      sellerFeeFen,
      buyerReservedUseFen: use,
      sellerReservedUseT: qtyT,
      lockDays: this.opts.lockDays,
      countFlows: true,
      ref: `listed:${this.opts.marketId}:${buyId}/${sellId}`,
    });
    // Reservations make this impossible; if it happens the books and the ledger disagree: stop loudly.
    if (bad !== null) throw new Error(`settlement failed after a match: ${bad.code} ${bad.message}`);
    // The buyer reserved at its limit; it paid the maker's price: the difference goes back now.
    const paid = valueFen + buyerFeeFen;
    if (use > paid) this.ledger.releaseCash(buy.accountId, use - paid);
    buy.reserved -= use;
    sell.reserved -= qtyT;
    buy.filledT += qtyT;
    sell.filledT += qtyT;
    this.opts.onTrade({
      tradeId: this.opts.nextTradeId(),
      tsMs,
      marketId: this.opts.marketId,
      instrumentId,
      mode: 'listed',
      buyerId: buy.accountId,
      sellerId: sell.accountId,
      priceFen,
      qtyT,
      buyerFeeFen,
      sellerFeeFen,
      makerRef: makerId,
      takerRef: takerId,
      aggressor: takerSide === Side.Buy ? 'buy' : 'sell',
      ref: `order ${makerId} x ${takerId}`,
    });
  }

  private finish(orderId: number, leftT: number): void {
    const m = this.orders.get(orderId);
    if (m === undefined) return;
    this.releaseMeta(m, m.side === 'buy' ? leftT * m.reservePerTFen : leftT);
  }

  private sinkFor(instrumentId: string): EngineSink {
    const desk = this;
    return {
      accepted() {},
      rejected() {},
      trade(_seq, tsMs, makerId, takerId, _ma, _ta, takerSide, priceFen, qtyT, makerLeftT, takerLeftT) {
        desk.settle(tsMs, instrumentId, makerId, takerId, takerSide, priceFen, qtyT);
        if (makerLeftT === 0) desk.orders.delete(makerId);
        // The taker's meta stays until the command returns or the engine reports it gone.
        if (takerLeftT === 0) desk.dropIfDone(takerId);
      },
      cancelled(_seq, _ts, orderId, cancelledT, remainingT) {
        desk.finish(orderId, cancelledT);
        if (remainingT === 0) desk.orders.delete(orderId);
      },
      amended() {},
      expired(_seq, _ts, orderId, qtyT) {
        desk.finish(orderId, qtyT);
        desk.orders.delete(orderId);
      },
      level() {},
      session() {},
      dayEnded() {},
    };
  }

  private dropIfDone(orderId: number): void {
    const m = this.orders.get(orderId);
    if (m !== undefined && m.reserved === 0) this.orders.delete(orderId);
  }
}
