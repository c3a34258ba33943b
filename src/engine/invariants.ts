import { Side } from './constants.ts';
import type { Engine } from './engine.ts';
import type { Order } from './order.ts';
import type { SideBook } from './side-book.ts';

/**
 * Walks every structure of the engine and returns the first broken invariant, or null. O(n): for tests,
 * restore and debugging, never the hot path. Checks: levels strictly sorted and indexed, no empty level,
 * aggregates equal to their orders, every live order in exactly one level and one account list, both in
 * time-priority order, positive quantities, and a book that is not crossed.
 */
export function checkInvariants(e: Engine): string | null {
  const seen = new Set<Order>();
  const r = checkSide(e.bids, seen, e) ?? checkSide(e.asks, seen, e);
  if (r !== null) return r;
  if (seen.size !== e.orders.size) return `orders map has ${e.orders.size} orders, the levels ${seen.size}`;
  const bid = e.bids.best();
  const ask = e.asks.best();
  if (bid !== null && ask !== null && bid.priceFen >= ask.priceFen)
    return `crossed book: bid ${bid.priceFen} >= ask ${ask.priceFen}`;
  let inAccounts = 0;
  for (const [acctId, a] of e.accounts) {
    let prevSeq = 0;
    for (let o = a.head; o !== null; o = o.acctNext) {
      if (!seen.has(o)) return `account ${acctId} lists order ${o.orderId} that is not in the book`;
      if (o.account !== a || o.accountId !== acctId) return `order ${o.orderId} in the wrong account list`;
      if (o.entrySeq <= prevSeq) return `account ${acctId} list out of time order at ${o.orderId}`;
      if (o.acctNext !== null && o.acctNext.acctPrev !== o) return `account ${acctId} list broken at ${o.orderId}`;
      if (o.acctNext === null && a.tail !== o) return `account ${acctId} tail is wrong`;
      prevSeq = o.entrySeq;
      inAccounts++;
    }
  }
  if (inAccounts !== seen.size) return `account lists hold ${inAccounts} orders, the book ${seen.size}`;
  return null;
}

function checkSide(book: SideBook, seen: Set<Order>, e: Engine): string | null {
  const arr = book.levels;
  if (arr.length !== book.byPrice.size)
    return `side ${book.side}: ${arr.length} levels but ${book.byPrice.size} indexed`;
  for (let i = 0; i < arr.length; i++) {
    const lvl = arr[i]!;
    if (book.byPrice.get(lvl.priceFen) !== lvl) return `side ${book.side}: level ${lvl.priceFen} not indexed`;
    if (i > 0) {
      const prev = arr[i - 1]!.priceFen;
      if (book.side === Side.Buy ? prev >= lvl.priceFen : prev <= lvl.priceFen)
        return `side ${book.side}: levels out of order at ${lvl.priceFen}`;
    }
    if (lvl.side !== book.side) return `level ${lvl.priceFen} has the wrong side`;
    if (lvl.count <= 0 || lvl.head === null) return `empty level ${lvl.priceFen} on side ${book.side}`;
    let n = 0;
    let qtyT = 0;
    let prevSeq = 0;
    for (let o: Order | null = lvl.head; o !== null; o = o.next) {
      if (seen.has(o)) return `order ${o.orderId} appears twice`;
      seen.add(o);
      if (e.orders.get(o.orderId) !== o) return `order ${o.orderId} is in a level but not in the orders map`;
      if (o.level !== lvl || o.priceFen !== lvl.priceFen || o.side !== lvl.side)
        return `order ${o.orderId} disagrees with its level ${lvl.priceFen}`;
      if (!(o.qtyT > 0)) return `order ${o.orderId} rests with quantity ${o.qtyT}`;
      if (o.entrySeq <= prevSeq) return `level ${lvl.priceFen} out of time order at ${o.orderId}`;
      if (o.next !== null && o.next.prev !== o) return `level ${lvl.priceFen} list broken at ${o.orderId}`;
      if (o.next === null && lvl.tail !== o) return `level ${lvl.priceFen} tail is wrong`;
      prevSeq = o.entrySeq;
      n++;
      qtyT += o.qtyT;
    }
    if (n !== lvl.count) return `level ${lvl.priceFen} counts ${lvl.count} orders, holds ${n}`;
    if (qtyT !== lvl.qtyT) return `level ${lvl.priceFen} totals ${lvl.qtyT} t, holds ${qtyT} t`;
  }
  return null;
}
