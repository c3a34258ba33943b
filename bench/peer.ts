// Adapter to the peer, nodejs-order-book (npm), for the engine benchmark: replays a Stream on an OrderBook.
//
// Mapping of the stream's commands (see bench/results/README.md for why the results are comparable):
//  - Op.Limit  -> ob.limit({ id, side, size, price })                      (time in force GTC, the default)
//  - Op.Ioc    -> ob.limit({ id, side, size, price, timeInForce: 'IOC' })
//  - Op.Cancel -> ob.cancel(id)
//  - Op.Amend  -> ob.modify(id, { price, size })  (the peer cancels and re-enters the order as a GTC limit: it
//                 loses priority and is matched as an incoming order, like our amend with a new price)
// Ids are strings (the peer's API), prices and sizes the stream's integers as numbers. No accountId and no
// stpMode: the peer then never applies self-trade prevention, like Stp.None in ours.

import { type LimitOrderOptions, OrderBook, Side } from 'nodejs-order-book';
import { Op, type Stream } from './streams.ts';

export type PeerBook = OrderBook;

const IOC = 'IOC' as NonNullable<LimitOrderOptions['timeInForce']>;
const SIDES = [Side.BUY, Side.SELL] as const;

export function newPeer(): PeerBook {
  return new OrderBook();
}

/**
 * The peer's ids, one string per order id, made once per stream outside any timing (index = numeric id).
 * `prefix` is prepended to the number ('' gives '123').
 */
export function peerIds(maxId: number, prefix: string): string[] {
  const ids = new Array<string>(maxId + 1);
  ids[0] = '';
  for (let i = 1; i <= maxId; i++) ids[i] = prefix + i;
  return ids;
}

/** Runs commands [from, to) of the stream; returns the number of commands the peer reported as failed. */
export function runPeer(ob: PeerBook, s: Stream, ids: readonly string[], from: number, to: number): number {
  const op = s.op;
  const id = s.id;
  const side = s.side;
  const price = s.price;
  const qty = s.qty;
  let errors = 0;
  for (let i = from; i < to; i++) {
    switch (op[i]) {
      case Op.Limit:
        if (ob.limit({ id: ids[id[i]!]!, side: SIDES[side[i]!]!, size: qty[i]!, price: price[i]! }).err !== null)
          errors++;
        break;
      case Op.Ioc:
        if (
          ob.limit({ id: ids[id[i]!]!, side: SIDES[side[i]!]!, size: qty[i]!, price: price[i]!, timeInForce: IOC })
            .err !== null
        )
          errors++;
        break;
      case Op.Cancel:
        if (ob.cancel(ids[id[i]!]!) === undefined) errors++;
        break;
      default:
        if (ob.modify(ids[id[i]!]!, { price: price[i]!, size: qty[i]! }).err !== null) errors++;
        break;
    }
  }
  return errors;
}

/**
 * Same as runPeer, timing each command with process.hrtime.bigint(); out[i - from] receives the nanoseconds of
 * command i (the timer's own overhead included). Returns the number of failed commands.
 */
export function runPeerTimed(
  ob: PeerBook,
  s: Stream,
  ids: readonly string[],
  from: number,
  to: number,
  out: Float64Array,
): number {
  const op = s.op;
  const id = s.id;
  const side = s.side;
  const price = s.price;
  const qty = s.qty;
  const hr = process.hrtime.bigint;
  let errors = 0;
  for (let i = from; i < to; i++) {
    const t0 = hr();
    let bad: boolean;
    switch (op[i]) {
      case Op.Limit:
        bad = ob.limit({ id: ids[id[i]!]!, side: SIDES[side[i]!]!, size: qty[i]!, price: price[i]! }).err !== null;
        break;
      case Op.Ioc:
        bad =
          ob.limit({ id: ids[id[i]!]!, side: SIDES[side[i]!]!, size: qty[i]!, price: price[i]!, timeInForce: IOC })
            .err !== null;
        break;
      case Op.Cancel:
        bad = ob.cancel(ids[id[i]!]!) === undefined;
        break;
      default:
        bad = ob.modify(ids[id[i]!]!, { price: price[i]!, size: qty[i]! }).err !== null;
        break;
    }
    const t1 = hr();
    out[i - from] = Number(t1 - t0);
    if (bad) errors++;
  }
  return errors;
}

export interface RestingOrder {
  id: number;
  side: number;
  priceFen: number;
  qtyT: number;
}

/** The peer's resting orders (from its snapshot), with numeric ids: `prefix` is stripped. */
export function peerResting(ob: PeerBook, prefix: string): RestingOrder[] {
  const snap = ob.snapshot();
  const out: RestingOrder[] = [];
  for (const [levels, side] of [
    [snap.bids, 0],
    [snap.asks, 1],
  ] as const) {
    for (const level of levels) {
      for (const o of level.orders) {
        out.push({ id: Number(o.id.slice(prefix.length)), side, priceFen: o.price, qtyT: o.size });
      }
    }
  }
  return out;
}

/** Number of resting orders in the peer's book. */
export function peerCount(ob: PeerBook): number {
  let n = 0;
  const snap = ob.snapshot();
  for (const l of snap.bids) n += l.orders.length;
  for (const l of snap.asks) n += l.orders.length;
  return n;
}
