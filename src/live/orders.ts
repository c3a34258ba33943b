// Students' orders in the listed book: place, take a listing, amend, cancel; and what the classroom keeps of them
// once the book does not (the order records and the students' fills). The book is the truth for what rests; an
// order's fills are counted from the trades as they settle, the only place filledT changes.
import Type from 'typebox';
import { Side } from '../engine/index.ts';
import type { OrderAck } from '../market/listed.ts';
import type { TradeRecord } from '../market/trade.ts';
import { alertEvent } from './alerts.ts';
import { command, J } from './command.ts';
import type { RoomContext } from './context.ts';
import { LiveCode, type LiveResult, refuse } from './errors.ts';
import type { Fill, OrderInput, OrderStatus, Student, StudentOrder } from './types.ts';

export class Orders {
  private readonly ctx: RoomContext;
  /** Each student's orders, in the order placed. */
  private readonly byStudent = new Map<number, StudentOrder[]>();
  /** Students' orders by market, then order id (ids are unique within a market's desk): how a trade finds its order. */
  private readonly byMarket = new Map<string, Map<number, StudentOrder>>();
  private readonly fillsByStudent = new Map<number, Fill[]>();
  /**
   * Students' orders by `${studentId}:${clientOrderId}`, for those placed with one. An entry outlives its order (a
   * fill or the day's end does not remove it); lookups check that the order still rests, and a new order with the
   * same id replaces it. Not state: derived from the orders, rebuilt after a restore (reindex).
   */
  private readonly byClientId = new Map<string, StudentOrder>();

  constructor(ctx: RoomContext) {
    this.ctx = ctx;
    ctx.onTrade((t) => this.onTrade(t));
  }

  list(studentId: number): readonly StudentOrder[] {
    return this.byStudent.get(studentId) ?? [];
  }

  fills(studentId: number): readonly Fill[] {
    return this.fillsByStudent.get(studentId) ?? [];
  }

  /** Resting tonnes of a student's order now (0 once filled, cancelled or expired): read from the book. */
  restingT(o: StudentOrder): number {
    return this.ctx.marketOf(o.marketId)?.market.listed.engine(o.instrumentId)?.restingQtyT(o.orderId) ?? 0;
  }

  status(o: StudentOrder): OrderStatus {
    if (this.restingT(o) > 0) return 'resting';
    if (o.filledT >= o.qtyT) return 'filled';
    return o.cancelled ? 'cancelled' : 'expired';
  }

  /** A student's resting order placed with this client order id, or null. */
  openByClientId(studentId: number, clientOrderId: string): StudentOrder | null {
    const o = this.byClientId.get(`${studentId}:${clientOrderId}`);
    return o !== undefined && this.restingT(o) > 0 ? o : null;
  }

  /** Rebuilds the client order id index from the orders (after a snapshot is restored). */
  reindex(): void {
    this.byClientId.clear();
    // In placement order, so that the newest order with an id wins, as it does live.
    for (const list of this.byStudent.values())
      for (const o of list)
        if (o.clientOrderId !== undefined) this.byClientId.set(`${o.studentId}:${o.clientOrderId}`, o);
  }

  place(studentId: number, cmd: OrderInput): LiveResult<OrderAck> {
    const s = this.ctx.live(studentId);
    if (!s.ok) return s;
    const mw = this.ctx.marketOf(cmd.marketId);
    if (mw === null) return this.ctx.noMarket(cmd.marketId);
    const { marketId, instrumentId, side, priceFen, qtyT, tif, clientOrderId } = cmd;
    if (clientOrderId !== undefined) {
      const open = this.openByClientId(studentId, clientOrderId);
      if (open !== null)
        return refuse(
          LiveCode.DuplicateClientOrderId,
          `you already have a resting order with client order id "${clientOrderId}" (order ${open.orderId})`,
        );
    }
    const tsMs = this.ctx.tsMs;
    const r = mw.market.placeOrder({ tsMs, accountId: s.value.accountId, instrumentId, side, priceFen, qtyT, tif });
    if (!r.ok) return r;
    const o: StudentOrder = {
      studentId,
      orderId: r.value.orderId,
      marketId,
      instrumentId,
      side,
      priceFen,
      qtyT,
      filledT: 0,
      tif,
      tsMs,
      cancelled: false,
      ...(clientOrderId === undefined ? {} : { clientOrderId }),
    };
    this.track(o);
    if (clientOrderId !== undefined) this.byClientId.set(`${studentId}:${clientOrderId}`, o);
    return this.changed(s.value, marketId, instrumentId, r);
  }

  take(studentId: number, marketId: string, instrumentId: string, listingId: number, qtyT: number) {
    const s = this.ctx.live(studentId);
    if (!s.ok) return s;
    const mw = this.ctx.marketOf(marketId);
    if (mw === null) return this.ctx.noMarket(marketId);
    const listing = mw.market.listed.engine(instrumentId)?.getOrder(listingId) ?? null;
    const r = mw.market.take(this.ctx.tsMs, s.value.accountId, instrumentId, listingId, qtyT);
    if (!r.ok) return r;
    this.track({
      studentId,
      orderId: r.value.orderId,
      marketId,
      instrumentId,
      side: listing !== null && listing.side === Side.Buy ? 'sell' : 'buy',
      priceFen: listing?.priceFen ?? null,
      qtyT,
      filledT: 0,
      tif: 'take',
      tsMs: this.ctx.tsMs,
      cancelled: false,
    });
    return this.changed(s.value, marketId, instrumentId, r);
  }

  amend(studentId: number, orderId: number, priceFen: number, qtyT: number): LiveResult<OrderAck> {
    const s = this.ctx.live(studentId);
    if (!s.ok) return s;
    const o = this.own(s.value, orderId);
    if (!o.ok) return o;
    const mw = this.ctx.marketOf(o.value.marketId)!;
    const r = mw.market.amend(this.ctx.tsMs, s.value.accountId, orderId, priceFen, qtyT);
    if (!r.ok) return r;
    // The order now stands at the new price, for what it had filled, what the amend filled (counted into filledT
    // when its trades settle) and what rests.
    o.value.priceFen = priceFen;
    o.value.qtyT = o.value.filledT + r.value.filledT + r.value.restingT;
    return this.changed(s.value, o.value.marketId, o.value.instrumentId, r);
  }

  cancel(studentId: number, orderId: number): LiveResult<{ orderId: number; cancelledT: number }> {
    const s = this.ctx.student(studentId);
    if (s === null) return this.ctx.noStudent(studentId);
    if (this.ctx.state === 'ended') return refuse(LiveCode.Ended, 'the classroom has ended');
    const o = this.own(s, orderId);
    if (!o.ok) return o;
    const r = this.ctx.marketOf(o.value.marketId)!.market.cancel(this.ctx.tsMs, s.accountId, orderId);
    if (!r.ok) return r;
    o.value.cancelled = true;
    return this.changed(s, o.value.marketId, o.value.instrumentId, r);
  }

  private onTrade(t: TradeRecord): void {
    for (const [accountId, side] of [
      [t.buyerId, 'buy'],
      [t.sellerId, 'sell'],
    ] as const) {
      const s = this.ctx.byAccount.get(accountId);
      if (s === undefined) continue;
      const o = t.mode === 'listed' ? this.orderOf(s, t) : null;
      if (o !== null) o.filledT += t.qtyT;
      this.fillsOf(s.studentId).push({
        tradeId: t.tradeId,
        orderId: o?.orderId ?? null,
        marketId: t.marketId,
        instrumentId: t.instrumentId,
        side,
        priceFen: t.priceFen,
        qtyT: t.qtyT,
        feeFen: side === 'buy' ? t.buyerFeeFen : t.sellerFeeFen,
        mode: t.mode,
        tsMs: t.tsMs,
      });
      // A resting order that was hit changed too (filled, resting): its owner's order list is news.
      this.ctx.tell(s.studentId, 'fill', 'order', 'balance');
      this.ctx.emit(
        alertEvent(s.studentId, 'fill', t.tsMs, {
          tradeId: t.tradeId,
          ...(o === null ? {} : { orderId: o.orderId }),
          marketId: t.marketId,
          instrumentId: t.instrumentId,
          mode: t.mode,
          side,
          priceFen: t.priceFen,
          qtyT: t.qtyT,
        }),
      );
    }
  }

  /** The student's own order among a listed trade's two. */
  private orderOf(s: Student, t: TradeRecord): StudentOrder | null {
    const byId = this.byMarket.get(t.marketId);
    for (const ref of [t.makerRef, t.takerRef]) {
      const o = byId?.get(ref);
      if (o !== undefined && o.studentId === s.studentId) return o;
    }
    return null;
  }

  private track(o: StudentOrder): void {
    const list = this.byStudent.get(o.studentId);
    if (list === undefined) this.byStudent.set(o.studentId, [o]);
    else list.push(o);
    const byId = this.byMarket.get(o.marketId);
    if (byId === undefined) this.byMarket.set(o.marketId, new Map([[o.orderId, o]]));
    else byId.set(o.orderId, o);
  }

  private fillsOf(studentId: number): Fill[] {
    const fills = this.fillsByStudent.get(studentId);
    if (fills !== undefined) return fills;
    const fresh: Fill[] = [];
    this.fillsByStudent.set(studentId, fresh);
    return fresh;
  }

  private changed<T>(s: Student, marketId: string, instrumentId: string, r: LiveResult<T>): LiveResult<T> {
    this.ctx.emit({ kind: 'book', marketId, instrumentId });
    this.ctx.tell(s.studentId, 'order', 'balance');
    return r;
  }

  private own(s: Student, orderId: number): LiveResult<StudentOrder> {
    // The same id may exist in two markets' desks: prefer the student's order that still rests.
    let o: StudentOrder | undefined;
    for (const byId of this.byMarket.values()) {
      const x = byId.get(orderId);
      if (x === undefined || x.studentId !== s.studentId) continue;
      if (o === undefined || this.restingT(x) > 0) o = x;
    }
    if (o === undefined) return refuse(LiveCode.UnknownOrder, `you have no order ${orderId}`);
    return { ok: true, value: o };
  }
}

const Tif = Type.Union([Type.Literal('day'), Type.Literal('gtc'), Type.Literal('ioc'), Type.Literal('fok')]);

export const orderCommands = {
  order: command(
    Type.Object({
      op: J.op('order'),
      studentId: J.id,
      marketId: J.text,
      instrumentId: J.text,
      side: J.side,
      priceFen: Type.Union([J.fen, Type.Null()]),
      qtyT: J.qty,
      tif: Tif,
      clientOrderId: Type.Optional(J.text),
    }),
    // The command is an OrderInput already (the slice copies what it keeps): no copy per order here.
    (room, c) => room.orders.place(c.studentId, c),
  ),
  take: command(
    Type.Object({
      op: J.op('take'),
      studentId: J.id,
      marketId: J.text,
      instrumentId: J.text,
      listingId: J.id,
      qtyT: J.qty,
    }),
    (room, c) => room.orders.take(c.studentId, c.marketId, c.instrumentId, c.listingId, c.qtyT),
  ),
  amend: command(
    Type.Object({ op: J.op('amend'), studentId: J.id, orderId: J.id, priceFen: J.fen, qtyT: J.qty }),
    (room, c) => room.orders.amend(c.studentId, c.orderId, c.priceFen, c.qtyT),
  ),
  cancel: command(Type.Object({ op: J.op('cancel'), studentId: J.id, orderId: J.id }), (room, c) =>
    room.orders.cancel(c.studentId, c.orderId),
  ),
};
