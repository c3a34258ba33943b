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
import { DOUBLE_HINT } from './double-hint.ts';
import { engineRejectMessage } from './engine-messages.ts';
import { ok, type Rejection, type Result, reject } from './errors.ts';
import type { Ledger, Transfer } from './ledger.ts';
import { feeCeilPerTonneFen, feeFen } from './money.ts';
import { ACCOUNT, INSTRUMENT, OrderSlots, PER_T, RESERVED, SIDE, STRIDE } from './order-slots.ts';
import type { Reservation } from './reservations.ts';
import type { Fill, FillListener, SideName, TradeListener } from './trade.ts';

export type TifName = 'day' | 'gtc' | 'ioc' | 'fok';
const TIF: Record<TifName, Tif> = { day: Tif.GFD, gtc: Tif.GTC, ioc: Tif.IOC, fok: Tif.FOK };
/** A live order's side as its slot stores it. */
const BUY = 0;
const SELL = 1;

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

export interface ListedDeskOptions {
  readonly marketId: string;
  readonly spec: ListedModeSpec;
  readonly instrumentIds: readonly string[];
  /** Previous close per instrument: the first day's band reference. Missing: no band until a close exists. */
  readonly initialCloseFen: Readonly<Record<string, number>>;
  readonly lockDays: number;
  readonly nextTradeId: () => number;
  readonly onTrade: TradeListener;
  /**
   * With both of these, a fill for which recordsWanted() answers false goes to onFill as a reused Fill, and no
   * TradeRecord (nor its ref text) is built: for a market whose trades only feed aggregates (no tape, no listener).
   */
  readonly recordsWanted?: () => boolean;
  readonly onFill?: FillListener;
}

/** A mutable OrderAck: what the last accepted command of a desk did (ListedDesk.last). */
export interface LastAck {
  orderId: number;
  filledT: number;
  restingT: number;
}

// The Fill handed to onFill when no TradeRecord is wanted; reused like xfer below (listeners copy what they keep).
const fill: { -readonly [K in keyof Fill]: Fill[K] } = {
  tradeId: 0,
  // Amounts that outgrow small integers start as doubles (see DOUBLE_HINT); every field is written before use.
  tsMs: DOUBLE_HINT,
  marketId: '',
  instrumentId: '',
  mode: 'listed',
  buyerId: 0,
  sellerId: 0,
  priceFen: 0,
  qtyT: 0,
  buyerFeeFen: DOUBLE_HINT,
  sellerFeeFen: DOUBLE_HINT,
};

// One settlement's transfer, filled in and handed to the ledger per fill: Ledger.transfer reads it and keeps none of
// it, and settlements do not nest, so one object serves every desk (no allocation per trade). Module-level, so it
// is no part of any desk's state.
const xfer: { -readonly [K in keyof Transfer]: Transfer[K] } = {
  tsMs: DOUBLE_HINT, // as in fill
  buyerId: 0,
  sellerId: 0,
  instrumentId: '',
  qtyT: 0,
  valueFen: DOUBLE_HINT,
  buyerFeeFen: DOUBLE_HINT,
  sellerFeeFen: DOUBLE_HINT,
  buyerReservedUseFen: DOUBLE_HINT,
  sellerReservedUseT: 0,
  lockDays: 0,
  countFlows: true,
  ref: '',
};

function engineRejection(engine: Engine, code: number): Rejection {
  return { ok: false, code: codeName(code), message: engineRejectMessage(engine, code) };
}

export class ListedDesk {
  private readonly engines = new Map<string, Engine>();
  /** Instrument index (the position in opts.instrumentIds, as live orders store it) by id, and engines by index. */
  private readonly indexOf = new Map<string, number>();
  private readonly engineAt: Engine[] = [];
  /** Live orders: account, instrument, side, reservation per tonne and still reserved, per slot (see order-slots.ts). */
  private readonly orders = new OrderSlots();
  private nextOrderId = 1;
  /** The order whose command is running, and the tonnes it has filled so far (settle counts them). */
  private cmdOrderId = 0;
  private cmdFilledT = 0;
  /**
   * What the last accepted submit (and place, take, amend) did: read it right after the call, the next command
   * overwrites it. submit answers through it so that the simulator's hundreds of thousands of orders build no result
   * objects.
   */
  readonly last: LastAck = { orderId: 0, filledT: 0, restingT: 0 };
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
      this.indexOf.set(id, this.engineAt.length);
      this.engineAt.push(e);
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

  /** The order is live here (resting, or running its command): orderOf without building the view. */
  isLive(orderId: number): boolean {
    return this.orders.slotOf(orderId) >= 0;
  }

  orderOf(orderId: number): { accountId: number; instrumentId: string; side: SideName } | null {
    const s = this.orders.slotOf(orderId);
    if (s < 0) return null;
    const at = s * STRIDE;
    const d = this.orders.data;
    return {
      accountId: d[at + ACCOUNT]!,
      instrumentId: this.opts.instrumentIds[d[at + INSTRUMENT]!]!,
      side: d[at + SIDE] === BUY ? 'buy' : 'sell',
    };
  }

  place(cmd: PlaceOrder): Result<OrderAck> {
    const bad = this.submit(cmd.tsMs, cmd.accountId, cmd.instrumentId, cmd.side, cmd.priceFen, cmd.qtyT, cmd.tif);
    return bad ?? this.ack();
  }

  /** place without the command and result objects: null when accepted (the acknowledgement is in `last`). */
  submit(
    tsMs: number,
    accountId: number,
    instrumentId: string,
    sideName: SideName,
    priceFen: number | null,
    qtyT: number,
    tifName: TifName,
  ): Rejection | null {
    const ins = this.indexOf.get(instrumentId);
    if (ins === undefined) return reject('UnknownInstrument', `instrument ${instrumentId} is not traded here`);
    const e = this.engineAt[ins]!;
    if (sideName !== 'buy' && sideName !== 'sell') return reject('BadInput', `side must be "buy" or "sell"`);
    // hasOwn: a name like "__proto__" or "constructor" must not find Object.prototype's members.
    if (typeof tifName !== 'string' || !Object.hasOwn(TIF, tifName))
      return reject('BadInput', `time in force must be one of day, gtc, ioc, fok`);
    const tif = TIF[tifName];
    const side = sideName === 'buy' ? Side.Buy : Side.Sell;
    const orderId = this.nextOrderId;
    const fee = this.opts.spec.feeBps;
    // Malformed numbers go straight to the engine, which rejects them with its own code; nothing is reserved.
    const wellFormed =
      Number.isSafeInteger(qtyT) && qtyT > 0 && (priceFen === null || (Number.isSafeInteger(priceFen) && priceFen > 0));
    let perT = 0;
    let reserved = 0;
    if (wellFormed) {
      if (sideName === 'buy') {
        const capFen = priceFen ?? e.bandHighFen;
        if (capFen <= 0)
          return reject('NoReferencePrice', 'a market order needs a price band, and there is no previous close yet');
        perT = capFen + feeCeilPerTonneFen(capFen, fee);
        reserved = perT * qtyT;
        if (!Number.isSafeInteger(reserved)) return reject('Overflow', 'price times quantity is too large');
      } else reserved = qtyT;
      const r = this.reserve(accountId, sideName === 'buy' ? BUY : SELL, ins, reserved);
      if (r !== null) return r;
    }
    const slot = this.orders.add(orderId, accountId, ins, sideName === 'buy' ? BUY : SELL, perT, reserved);
    const outerId = this.cmdOrderId;
    const outerFilled = this.cmdFilledT;
    this.cmdOrderId = orderId;
    this.cmdFilledT = 0;
    const code =
      priceFen === null
        ? e.placeMarket(tsMs, orderId, accountId, side, qtyT, tif, Stp.CancelNewest)
        : e.placeLimit(tsMs, orderId, accountId, side, priceFen, qtyT, tif, Stp.CancelNewest);
    const filledT = this.cmdFilledT;
    this.cmdOrderId = outerId;
    this.cmdFilledT = outerFilled;
    if (code !== Code.Ok) {
      // The engine did nothing: the order never went live.
      this.releaseSlot(slot, this.orders.data[slot * STRIDE + RESERVED]!);
      this.orders.undoAdd(orderId, slot);
      return engineRejection(e, code);
    }
    this.nextOrderId++;
    this.orders.makeRoom();
    this.last.orderId = orderId;
    this.last.filledT = filledT;
    this.last.restingT = e.restingQtyT(orderId);
    return null;
  }

  /** `last` as a fresh OrderAck. */
  private ack(): Result<OrderAck> {
    return ok({ orderId: this.last.orderId, filledT: this.last.filledT, restingT: this.last.restingT });
  }

  /** Listed agreement: take listing `listingId` for qtyT tonnes at its price. */
  take(tsMs: number, accountId: number, instrumentId: string, listingId: number, qtyT: number): Result<OrderAck> {
    const ins = this.indexOf.get(instrumentId);
    if (ins === undefined) return reject('UnknownInstrument', `instrument ${instrumentId} is not traded here`);
    const e = this.engineAt[ins]!;
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
    const side = listing.side === Side.Sell ? BUY : SELL;
    const perT = side === BUY ? listing.priceFen + feeCeilPerTonneFen(listing.priceFen, this.opts.spec.feeBps) : 0;
    const reserved = side === BUY ? perT * qtyT : qtyT;
    const r = this.reserve(accountId, side, ins, reserved);
    if (r !== null) return r;
    const slot = this.orders.add(orderId, accountId, ins, side, perT, reserved);
    const outerId = this.cmdOrderId;
    const outerFilled = this.cmdFilledT;
    this.cmdOrderId = orderId;
    this.cmdFilledT = 0;
    const code = e.take(tsMs, orderId, accountId, listingId, qtyT);
    const filledT = this.cmdFilledT;
    this.cmdOrderId = outerId;
    this.cmdFilledT = outerFilled;
    if (code !== Code.Ok) {
      this.releaseSlot(slot, this.orders.data[slot * STRIDE + RESERVED]!);
      this.orders.undoAdd(orderId, slot);
      return engineRejection(e, code);
    }
    this.nextOrderId++;
    this.orders.makeRoom();
    this.last.orderId = orderId;
    this.last.filledT = filledT;
    this.last.restingT = 0;
    return this.ack();
  }

  cancel(tsMs: number, accountId: number, orderId: number): Result<{ orderId: number; cancelledT: number }> {
    const s = this.orders.slotOf(orderId);
    const before = s < 0 ? 0 : this.engineAt[this.orders.data[s * STRIDE + INSTRUMENT]!]!.restingQtyT(orderId);
    const bad = this.withdraw(tsMs, accountId, orderId);
    return bad ?? ok({ orderId, cancelledT: before });
  }

  /** cancel without the result object: null when cancelled. */
  withdraw(tsMs: number, accountId: number, orderId: number): Rejection | null {
    const s = this.orders.slotOf(orderId);
    if (s < 0) return reject('UnknownOrder', `no live order has id ${orderId}`);
    const d = this.orders.data;
    if (d[s * STRIDE + ACCOUNT] !== accountId) return reject('NotOwner', `order ${orderId} belongs to another account`);
    const e = this.engineAt[d[s * STRIDE + INSTRUMENT]!]!;
    const code = e.cancel(tsMs, orderId, accountId);
    return code === Code.Ok ? null : engineRejection(e, code);
  }

  /** New price and new remaining quantity; the reservation follows (more is reserved first, less released first). */
  amend(tsMs: number, accountId: number, orderId: number, priceFen: number, qtyT: number): Result<OrderAck> {
    const s = this.orders.slotOf(orderId);
    if (s < 0) return reject('UnknownOrder', `no live order has id ${orderId}`);
    const at = s * STRIDE;
    let d = this.orders.data;
    if (d[at + ACCOUNT] !== accountId) return reject('NotOwner', `order ${orderId} belongs to another account`);
    const e = this.engineAt[d[at + INSTRUMENT]!]!;
    if (!Number.isSafeInteger(priceFen) || priceFen <= 0 || !Number.isSafeInteger(qtyT) || qtyT <= 0)
      return engineRejection(e, e.amend(tsMs, orderId, accountId, priceFen, qtyT));
    const buys = d[at + SIDE] === BUY;
    const oldPerT = d[at + PER_T]!;
    const newPerT = buys ? priceFen + feeCeilPerTonneFen(priceFen, this.opts.spec.feeBps) : 0;
    const want = buys ? newPerT * qtyT : qtyT;
    if (!Number.isSafeInteger(want)) return reject('Overflow', 'price times quantity is too large');
    // The reservation moves before the engine runs: fills during the amend consume it at the new rate.
    const diff = want - d[at + RESERVED]!;
    if (diff > 0) {
      const r = this.reserveSlot(s, diff);
      if (r !== null) return r;
    } else if (diff < 0) this.releaseSlot(s, -diff);
    d[at + PER_T] = newPerT;
    const outerId = this.cmdOrderId;
    const outerFilled = this.cmdFilledT;
    this.cmdOrderId = orderId;
    this.cmdFilledT = 0;
    const code = e.amend(tsMs, orderId, accountId, priceFen, qtyT);
    const filledT = this.cmdFilledT;
    this.cmdOrderId = outerId;
    this.cmdFilledT = outerFilled;
    if (code !== Code.Ok) {
      // The engine changed nothing: put the old reservation back (what was just released is there to take).
      d = this.orders.data;
      d[at + PER_T] = oldPerT;
      if (diff > 0) this.releaseSlot(s, diff);
      else if (diff < 0 && this.reserveSlot(s, -diff) !== null) throw new Error('amend undo: reservation lost');
      return engineRejection(e, code);
    }
    this.last.orderId = orderId;
    this.last.filledT = filledT;
    this.last.restingT = e.restingQtyT(orderId);
    return this.ack();
  }

  /** What live orders hold in reserve: buy orders cash, sell orders tonnes. */
  *reservations(): Iterable<Reservation> {
    for (const id of this.orders.ids()) {
      const at = this.orders.slotOf(id) * STRIDE;
      const d = this.orders.data;
      yield {
        accountId: d[at + ACCOUNT]!,
        instrumentId: d[at + SIDE] === BUY ? null : this.opts.instrumentIds[d[at + INSTRUMENT]!]!,
        amount: d[at + RESERVED]!,
      };
    }
  }

  /** null when every live order's reservation equals remaining x per-tonne reserve and no finished order is tracked. */
  checkReservations(): string | null {
    for (const id of this.orders.ids()) {
      const at = this.orders.slotOf(id) * STRIDE;
      const d = this.orders.data;
      const live = this.engineAt[d[at + INSTRUMENT]!]!.getOrder(id);
      if (live === null) return `order ${id} is tracked but not live`;
      const want = d[at + SIDE] === BUY ? live.qtyT * d[at + PER_T]! : live.qtyT;
      const reserved = d[at + RESERVED]!;
      if (reserved !== want) return `order ${id}: reserved ${reserved}, remaining ${live.qtyT} needs ${want}`;
    }
    return null;
  }

  /** Reserves cash (buy) or tonnes (sell) for an order; refused when the account lacks them. */
  private reserve(accountId: number, side: number, ins: number, amount: number): Rejection | null {
    return side === BUY
      ? this.ledger.reserveCash(accountId, amount)
      : this.ledger.reserveQty(accountId, this.opts.instrumentIds[ins]!, amount);
  }

  private reserveSlot(s: number, amount: number): Rejection | null {
    const d = this.orders.data;
    const at = s * STRIDE;
    const r = this.reserve(d[at + ACCOUNT]!, d[at + SIDE]!, d[at + INSTRUMENT]!, amount);
    if (r === null) d[at + RESERVED] = d[at + RESERVED]! + amount;
    return r;
  }

  private releaseSlot(s: number, amount: number): void {
    if (amount <= 0) return;
    const d = this.orders.data;
    const at = s * STRIDE;
    if (d[at + SIDE] === BUY) this.ledger.releaseCash(d[at + ACCOUNT]!, amount);
    else this.ledger.releaseQty(d[at + ACCOUNT]!, this.opts.instrumentIds[d[at + INSTRUMENT]!]!, amount);
    d[at + RESERVED] = d[at + RESERVED]! - amount;
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
    const takerBuys = takerSide === Side.Buy;
    const buy = this.orders.slotOf(takerBuys ? takerId : makerId) * STRIDE;
    const sell = this.orders.slotOf(takerBuys ? makerId : takerId) * STRIDE;
    const d = this.orders.data;
    const buyerId = d[buy + ACCOUNT]!;
    const sellerId = d[sell + ACCOUNT]!;
    const valueFen = priceFen * qtyT;
    const feeBps = this.opts.spec.feeBps;
    const buyerFeeFen = feeFen(valueFen, feeBps);
    const sellerFeeFen = feeFen(valueFen, feeBps);
    const use = d[buy + PER_T]! * qtyT;
    const t = xfer;
    t.tsMs = tsMs;
    t.buyerId = buyerId;
    t.sellerId = sellerId;
    t.instrumentId = instrumentId;
    t.qtyT = qtyT;
    t.valueFen = valueFen;
    t.buyerFeeFen = buyerFeeFen;
    t.sellerFeeFen = sellerFeeFen;
    t.buyerReservedUseFen = use;
    t.sellerReservedUseT = qtyT;
    t.lockDays = this.opts.lockDays;
    t.countFlows = true;
    // The ref only goes into the fee records, and only a ledger that keeps records keeps it: build it for that one.
    t.ref = this.ledger.keepsRecords
      ? `listed:${this.opts.marketId}:${takerBuys ? takerId : makerId}/${takerBuys ? makerId : takerId}`
      : '';
    const bad = this.ledger.transfer(t);
    t.ref = '';
    // Reservations make this impossible; if it happens the books and the ledger disagree: stop loudly.
    if (bad !== null) throw new Error(`settlement failed after a match: ${bad.code} ${bad.message}`);
    // The buyer reserved at its limit; it paid the maker's price: the difference goes back now.
    const paid = valueFen + buyerFeeFen;
    if (use > paid) this.ledger.releaseCash(buyerId, use - paid);
    d[buy + RESERVED] = d[buy + RESERVED]! - use;
    d[sell + RESERVED] = d[sell + RESERVED]! - qtyT;
    if (takerId === this.cmdOrderId) this.cmdFilledT += qtyT;
    const { onFill, recordsWanted } = this.opts;
    if (onFill !== undefined && recordsWanted !== undefined && !recordsWanted()) {
      const f = fill;
      f.tradeId = this.opts.nextTradeId();
      f.tsMs = tsMs;
      f.marketId = this.opts.marketId;
      f.instrumentId = instrumentId;
      f.mode = 'listed';
      f.buyerId = buyerId;
      f.sellerId = sellerId;
      f.priceFen = priceFen;
      f.qtyT = qtyT;
      f.buyerFeeFen = buyerFeeFen;
      f.sellerFeeFen = sellerFeeFen;
      onFill(f);
      return;
    }
    this.opts.onTrade({
      tradeId: this.opts.nextTradeId(),
      tsMs,
      marketId: this.opts.marketId,
      instrumentId,
      mode: 'listed',
      buyerId,
      sellerId,
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
    const s = this.orders.slotOf(orderId);
    if (s < 0) return;
    const d = this.orders.data;
    this.releaseSlot(s, d[s * STRIDE + SIDE] === BUY ? leftT * d[s * STRIDE + PER_T]! : leftT);
  }

  private sinkFor(instrumentId: string): EngineSink {
    const desk = this;
    return {
      accepted() {},
      rejected() {},
      trade(_seq, tsMs, makerId, takerId, _ma, _ta, takerSide, priceFen, qtyT, makerLeftT, takerLeftT) {
        desk.settle(tsMs, instrumentId, makerId, takerId, takerSide, priceFen, qtyT);
        if (makerLeftT === 0) desk.orders.delete(makerId);
        // The taker stays until the command returns or the engine reports it gone.
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
    const s = this.orders.slotOf(orderId);
    if (s >= 0 && this.orders.data[s * STRIDE + RESERVED] === 0) this.orders.delete(orderId);
  }
}
