import { Side } from './constants.ts';
import type { Engine } from './engine.ts';
import { ACCOUNT, ACCT, ANEXT, APREV, ID, LEVEL, NEXT, PREV, PRICE, QTY, SEQ, SIDE } from './order-store.ts';
import type { SideBook } from './side-book.ts';

/**
 * Walks every structure of the engine and returns the first broken invariant, or null. O(n): for tests,
 * restore and debugging, never the hot path. Checks: levels strictly sorted and indexed, no empty level,
 * aggregates equal to their orders, every live order in exactly one level and one account list, both in
 * time-priority order and doubly linked both ways, the id index agreeing, positive quantities, and a book
 * that is not crossed.
 */
export function checkInvariants(e: Engine): string | null {
  const seen = new Set<number>();
  const r = checkSide(e.bids, seen, e) ?? checkSide(e.asks, seen, e);
  if (r !== null) return r;
  if (seen.size !== e.index.size) return `id index has ${e.index.size} orders, the levels ${seen.size}`;
  const bid = e.bids.best();
  const ask = e.asks.best();
  if (bid !== null && ask !== null && bid.priceFen >= ask.priceFen)
    return `crossed book: bid ${bid.priceFen} >= ask ${ask.priceFen}`;
  const st = e.store;
  let inAccounts = 0;
  for (const [acctId, a] of e.accounts) {
    if (e.accountList[a.idx] !== a) return `account ${acctId} is not registered at its index`;
    let prevSeq = 0;
    let prev = 0;
    for (let h = a.head; h !== 0; h = st.lnk(h, ANEXT)) {
      if (!seen.has(h)) return `account ${acctId} lists slot ${h} that is not in the book`;
      if (st.lnk(h, ACCOUNT) !== a.idx || st.get(h, ACCT) !== acctId)
        return `order ${st.get(h, ID)} in the wrong account list`;
      if (st.get(h, SEQ) <= prevSeq) return `account ${acctId} list out of time order at ${st.get(h, ID)}`;
      if (st.lnk(h, APREV) !== prev) return `account ${acctId} list broken at ${st.get(h, ID)}`;
      prevSeq = st.get(h, SEQ);
      prev = h;
      inAccounts++;
    }
    if (a.tail !== prev) return `account ${acctId} tail is wrong`;
  }
  if (inAccounts !== seen.size) return `account lists hold ${inAccounts} orders, the book ${seen.size}`;
  return null;
}

function checkSide(book: SideBook, seen: Set<number>, e: Engine): string | null {
  const st = e.store;
  const arr = book.levels;
  if (arr.length !== book.byPrice.size)
    return `side ${book.side}: ${arr.length} levels but ${book.byPrice.size} indexed`;
  for (let i = 0; i < arr.length; i++) {
    const lvl = arr[i]!;
    if (book.byPrice.get(lvl.priceFen) !== lvl) return `side ${book.side}: level ${lvl.priceFen} not indexed`;
    if (e.levelPool.all[lvl.idx] !== lvl) return `level ${lvl.priceFen} is not registered at its index`;
    if (i > 0) {
      const prevPx = arr[i - 1]!.priceFen;
      if (book.side === Side.Buy ? prevPx >= lvl.priceFen : prevPx <= lvl.priceFen)
        return `side ${book.side}: levels out of order at ${lvl.priceFen}`;
    }
    if (lvl.side !== book.side) return `level ${lvl.priceFen} has the wrong side`;
    if (lvl.count <= 0 || lvl.head === 0) return `empty level ${lvl.priceFen} on side ${book.side}`;
    let count = 0;
    let qtyT = 0;
    let prevSeq = 0;
    let prev = 0;
    for (let h = lvl.head; h !== 0; h = st.lnk(h, NEXT)) {
      const id = st.get(h, ID);
      if (seen.has(h)) return `order ${id} appears twice`;
      seen.add(h);
      if (e.index.get(id) !== h) return `order ${id} is in a level but not in the id index`;
      if (st.lnk(h, LEVEL) !== lvl.idx || st.get(h, PRICE) !== lvl.priceFen || st.get(h, SIDE) !== lvl.side)
        return `order ${id} disagrees with its level ${lvl.priceFen}`;
      if (!(st.get(h, QTY) > 0)) return `order ${id} rests with quantity ${st.get(h, QTY)}`;
      if (st.get(h, SEQ) <= prevSeq) return `level ${lvl.priceFen} out of time order at ${id}`;
      if (st.lnk(h, PREV) !== prev) return `level ${lvl.priceFen} list broken at ${id}`;
      prevSeq = st.get(h, SEQ);
      prev = h;
      count++;
      qtyT += st.get(h, QTY);
    }
    if (lvl.tail !== prev) return `level ${lvl.priceFen} tail is wrong`;
    if (count !== lvl.count) return `level ${lvl.priceFen} counts ${lvl.count} orders, holds ${count}`;
    if (qtyT !== lvl.qtyT) return `level ${lvl.priceFen} totals ${lvl.qtyT} t, holds ${qtyT} t`;
  }
  return null;
}
