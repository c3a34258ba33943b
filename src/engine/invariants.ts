import type { Engine } from './engine.ts';
import { FLAGS, ID, LEVEL, NEXT, PREV, QTY, SEQ, sideOf } from './order-store.ts';
import type { SideBook } from './side-book.ts';

/**
 * Walks every structure of the engine and returns the first broken invariant, or null. O(n): for tests,
 * restore and debugging, never the hot path. Checks: each side's layout (sorted array and price index, or slots,
 * bitmap and best slot), no empty level, aggregates equal to their orders (added up exactly, in BigInt: a total
 * past 2^53 - 1 that float addition rounded is caught) and safe integers no larger than the store's level ceiling,
 * every live order in exactly one level, in time-priority order and doubly linked both ways, the id index agreeing,
 * positive quantities, day statistics that are safe integers, and a book that is not crossed.
 */
export function checkInvariants(e: Engine): string | null {
  const seen = new Set<number>();
  const r = checkSide(e.bids, seen, e) ?? checkSide(e.asks, seen, e);
  if (r !== null) return r;
  if (seen.size !== e.index.size) return `id index has ${e.index.size} orders, the levels ${seen.size}`;
  const bid = e.bids.bestFen;
  const ask = e.asks.bestFen;
  if (bid !== 0 && ask !== 0 && bid >= ask) return `crossed book: bid ${bid} >= ask ${ask}`;
  const d = e.dayStats;
  if (!Number.isSafeInteger(d.volumeT) || d.volumeT < 0) return `day volume ${d.volumeT} t is not a safe integer`;
  if (!Number.isSafeInteger(d.turnoverFen) || d.turnoverFen < 0)
    return `day turnover ${d.turnoverFen} fen is not a safe integer`;
  if (!Number.isSafeInteger(d.tradeCount) || d.tradeCount < 0) return `day trade count ${d.tradeCount} is wrong`;
  return null;
}

function checkSide(book: SideBook, seen: Set<number>, e: Engine): string | null {
  const layout = book.checkLayout();
  if (layout !== null) return layout;
  const st = e.store;
  const levels = book.levelsBestFirst();
  if (levels.length !== book.size) return `side ${book.side}: ${book.size} levels counted, ${levels.length} walked`;
  if ((levels[0]?.priceFen ?? 0) !== book.bestFen) return `side ${book.side}: best price ${book.bestFen} is stale`;
  for (let i = 0; i < levels.length; i++) {
    const lvl = levels[i]!;
    if (book.find(lvl.priceFen) !== lvl) return `side ${book.side}: level ${lvl.priceFen} not found by price`;
    if (e.levelPool.all[lvl.idx] !== lvl) return `level ${lvl.priceFen} is not registered at its index`;
    if (i > 0) {
      const prevPx = levels[i - 1]!.priceFen;
      if (book.side === 0 ? prevPx <= lvl.priceFen : prevPx >= lvl.priceFen)
        return `side ${book.side}: levels out of order at ${lvl.priceFen}`;
    }
    if (lvl.side !== book.side) return `level ${lvl.priceFen} has the wrong side`;
    if (lvl.count <= 0 || lvl.head === 0) return `empty level ${lvl.priceFen} on side ${book.side}`;
    let count = 0;
    let qtyT = 0n;
    let prevSeq = 0;
    let prev = 0;
    for (let h = lvl.head; h !== 0; h = st.lnk(h, NEXT)) {
      const id = st.get(h, ID);
      if (seen.has(h)) return `order ${id} appears twice`;
      seen.add(h);
      if (e.index.get(id) !== h) return `order ${id} is in a level but not in the id index`;
      if (st.lnk(h, LEVEL) !== lvl.idx || sideOf(st.lnk(h, FLAGS)) !== lvl.side)
        return `order ${id} disagrees with its level ${lvl.priceFen}`;
      if (!(st.get(h, QTY) > 0)) return `order ${id} rests with quantity ${st.get(h, QTY)}`;
      if (st.get(h, SEQ) <= prevSeq) return `level ${lvl.priceFen} out of time order at ${id}`;
      if (st.lnk(h, PREV) !== prev) return `level ${lvl.priceFen} list broken at ${id}`;
      prevSeq = st.get(h, SEQ);
      prev = h;
      count++;
      if (!Number.isSafeInteger(st.get(h, QTY))) return `order ${id} rests with quantity ${st.get(h, QTY)}`;
      qtyT += BigInt(st.get(h, QTY));
    }
    if (lvl.tail !== prev) return `level ${lvl.priceFen} tail is wrong`;
    if (count !== lvl.count) return `level ${lvl.priceFen} counts ${lvl.count} orders, holds ${count}`;
    if (!Number.isSafeInteger(lvl.qtyT) || BigInt(lvl.qtyT) !== qtyT)
      return `level ${lvl.priceFen} totals ${lvl.qtyT} t, holds ${qtyT} t`;
    if (lvl.qtyT > st.levelCeilT)
      return `level ${lvl.priceFen} totals ${lvl.qtyT} t, above the ceiling ${st.levelCeilT} t`;
  }
  return null;
}
