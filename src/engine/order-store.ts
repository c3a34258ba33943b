import type { Side, Stp, Tif } from './constants.ts';
import type { AccountOrders, Level } from './level.ts';

// Orders live in two typed arrays, one row per slot (slot 0 is "none"), instead of one object each:
// a million resting orders are two flat buffers the GC never walks, and a cancel touches one row of each.
// Numbers that may exceed 2^31 (ids, prices, quantities, seq) sit in a Float64Array, exact for safe integers;
// links to other slots, levels and accounts in an Int32Array.

/** Columns of `num` (Float64Array, stride NUM_W). */
export const ID = 0;
export const ACCT = 1;
export const PRICE = 2;
export const QTY = 3;
/** Time priority: the seq of the event that put the order where it is. */
export const SEQ = 4;
export const SIDE = 5;
export const TIF = 6;
export const STP = 7;
const NUM_W = 8;

/** Columns of `link` (Int32Array, stride LINK_W). */
export const LEVEL = 0;
export const PREV = 1;
export const NEXT = 2;
export const APREV = 3;
export const ANEXT = 4;
export const ACCOUNT = 5;
const LINK_W = 8;

export class OrderStore {
  num: Float64Array;
  link: Int32Array;
  private free: Int32Array;
  private freeTop: number;
  private used: number;
  private cap: number;

  constructor(cap = 1024) {
    this.cap = cap;
    this.num = new Float64Array(cap * NUM_W);
    this.link = new Int32Array(cap * LINK_W);
    this.free = new Int32Array(cap);
    this.freeTop = 0;
    this.used = 1; // slot 0 stays empty: it is the null link
  }

  acquire(
    orderId: number,
    accountId: number,
    side: Side,
    priceFen: number,
    qtyT: number,
    tif: Tif,
    stp: Stp,
    seq: number,
  ): number {
    let h: number;
    if (this.freeTop > 0) h = this.free[--this.freeTop]!;
    else {
      if (this.used === this.cap) this.grow();
      h = this.used++;
    }
    const n = this.num;
    const b = h * NUM_W;
    n[b + ID] = orderId;
    n[b + ACCT] = accountId;
    n[b + PRICE] = priceFen;
    n[b + QTY] = qtyT;
    n[b + SEQ] = seq;
    n[b + SIDE] = side;
    n[b + TIF] = tif;
    n[b + STP] = stp;
    const l = this.link;
    const k = h * LINK_W;
    l[k + LEVEL] = 0;
    l[k + PREV] = 0;
    l[k + NEXT] = 0;
    l[k + APREV] = 0;
    l[k + ANEXT] = 0;
    l[k + ACCOUNT] = 0;
    return h;
  }

  release(h: number): void {
    this.free[this.freeTop++] = h;
  }

  private grow(): void {
    const cap = this.cap * 2;
    const num = new Float64Array(cap * NUM_W);
    num.set(this.num);
    const link = new Int32Array(cap * LINK_W);
    link.set(this.link);
    const free = new Int32Array(cap);
    free.set(this.free);
    this.num = num;
    this.link = link;
    this.free = free;
    this.cap = cap;
  }

  /** Appends slot h at the back of lvl (lowest priority) and adds its quantity. */
  pushLevel(lvl: Level, h: number): void {
    const l = this.link;
    const k = h * LINK_W;
    l[k + LEVEL] = lvl.idx;
    l[k + PREV] = lvl.tail;
    l[k + NEXT] = 0;
    if (lvl.tail === 0) lvl.head = h;
    else l[lvl.tail * LINK_W + NEXT] = h;
    lvl.tail = h;
    lvl.qtyT += this.num[h * NUM_W + QTY]!;
    lvl.count++;
  }

  /** Unlinks slot h from lvl and subtracts its remaining quantity (traded quantity was taken off already). */
  unlinkLevel(lvl: Level, h: number): void {
    const l = this.link;
    const k = h * LINK_W;
    const prev = l[k + PREV]!;
    const next = l[k + NEXT]!;
    if (prev === 0) lvl.head = next;
    else l[prev * LINK_W + NEXT] = next;
    if (next === 0) lvl.tail = prev;
    else l[next * LINK_W + PREV] = prev;
    lvl.qtyT -= this.num[h * NUM_W + QTY]!;
    lvl.count--;
    l[k + LEVEL] = 0;
    l[k + PREV] = 0;
    l[k + NEXT] = 0;
  }

  pushAccount(a: AccountOrders, h: number): void {
    const l = this.link;
    const k = h * LINK_W;
    l[k + ACCOUNT] = a.idx;
    l[k + APREV] = a.tail;
    l[k + ANEXT] = 0;
    if (a.tail === 0) a.head = h;
    else l[a.tail * LINK_W + ANEXT] = h;
    a.tail = h;
  }

  unlinkAccount(a: AccountOrders, h: number): void {
    const l = this.link;
    const k = h * LINK_W;
    const prev = l[k + APREV]!;
    const next = l[k + ANEXT]!;
    if (prev === 0) a.head = next;
    else l[prev * LINK_W + ANEXT] = next;
    if (next === 0) a.tail = prev;
    else l[next * LINK_W + APREV] = prev;
    l[k + ACCOUNT] = 0;
    l[k + APREV] = 0;
    l[k + ANEXT] = 0;
  }

  // Field access for the cold paths (snapshot, views, invariants). The hot paths index the arrays directly.
  get(h: number, col: number): number {
    return this.num[h * NUM_W + col]!;
  }
  lnk(h: number, col: number): number {
    return this.link[h * LINK_W + col]!;
  }
}

export { LINK_W, NUM_W };
