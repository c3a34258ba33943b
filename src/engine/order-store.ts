import type { Side, Stp, Tif } from './constants.ts';
import type { Level } from './level.ts';

// Orders are rows of two typed arrays, one row per slot (slot 0 is "none"), instead of one object each: a
// million resting orders are two flat buffers the GC never walks. Numbers that may exceed 2^31 (ids, account
// ids, quantities, seq) are float64 (exact for safe integers), links and flags int32; 32 + 16 bytes per order.
// Both have 4 columns, so row h starts at h * 4 (h << 2) in either. The price is not in the row: a resting
// order's price is its level's, and an incoming order's is passed along while it matches.
// (Two buffers rather than two views of one: the live classroom's snapshot codec copies typed arrays one by one.)

/** float64 columns (f[(h << 2) + col]). */
export const ID = 0;
export const ACCT = 1;
export const QTY = 2;
/** Time priority: the seq of the event that put the order where it is. */
export const SEQ = 3;

/** int32 columns (i[(h << 2) + col]). */
export const LEVEL = 0;
export const PREV = 1;
/** Next order of the level (toward the tail), 0 at the tail. */
export const NEXT = 2;
/** side | tif << 1 | stp << 3 */
export const FLAGS = 3;

export const flagsOf = (side: Side, tif: Tif, stp: Stp): number => side | (tif << 1) | (stp << 3);
export const sideOf = (flags: number): Side => (flags & 1) as Side;
export const tifOf = (flags: number): Tif => ((flags >> 1) & 3) as Tif;
export const stpOf = (flags: number): Stp => (flags >> 3) as Stp;

/** Slots the store starts with (48 KiB). */
const INITIAL_CAP = 1 << 10;
/**
 * Growth factor. The new buffer is zeroed memory the OS commits page by page as rows are first written, so a
 * large factor costs address space more than memory, and copies less: x4 to a million orders copies about
 * 350,000 rows in all, against about a million with doubling.
 */
const GROWTH = 4;

export class OrderStore {
  /** float64 columns. Replaced when the store grows: re-read after acquire. */
  f: Float64Array;
  /** int32 columns. Replaced when the store grows. */
  i: Int32Array;
  private free: Int32Array;
  private freeTop: number;
  private used: number;
  private cap: number;
  /**
   * No level's total has been above this since it was last set (pushLevel raises it; the engine lowers it to the
   * largest total at the end of the day). While an order's quantity plus this fits in the safe range, the order cannot
   * take any level past it, and the engine need not look its level up.
   */
  levelCeilT: number;

  constructor(cap = INITIAL_CAP) {
    this.cap = cap;
    this.f = new Float64Array(cap << 2);
    this.i = new Int32Array(cap << 2);
    this.free = new Int32Array(cap);
    this.freeTop = 0;
    this.used = 1; // slot 0 stays empty: it is the null link
    this.levelCeilT = 0;
  }

  /** A new row, not linked anywhere (LEVEL 0). May grow the store: views read before are stale. */
  acquire(orderId: number, accountId: number, flags: number, qtyT: number, seq: number): number {
    let h: number;
    if (this.freeTop > 0) h = this.free[--this.freeTop]!;
    else {
      if (this.used === this.cap) this.grow();
      h = this.used++;
    }
    const f = this.f;
    const b = h << 2;
    f[b + ID] = orderId;
    f[b + ACCT] = accountId;
    f[b + QTY] = qtyT;
    f[b + SEQ] = seq;
    const i = this.i;
    i[b + LEVEL] = 0;
    i[b + FLAGS] = flags;
    return h;
  }

  release(h: number): void {
    this.i[(h << 2) + LEVEL] = 0;
    this.free[this.freeTop++] = h;
  }

  /** Slots handed out so far (live or free): rows 1..highWater - 1 have been used. */
  get highWater(): number {
    return this.used;
  }

  private grow(): void {
    const cap = this.cap * GROWTH;
    const f = new Float64Array(cap << 2);
    f.set(this.f);
    const i = new Int32Array(cap << 2);
    i.set(this.i);
    const free = new Int32Array(cap);
    free.set(this.free);
    this.f = f;
    this.i = i;
    this.free = free;
    this.cap = cap;
  }

  /** Appends slot h at the back of lvl (lowest priority) and adds its quantity. */
  pushLevel(lvl: Level, h: number): void {
    const i = this.i;
    const k = h << 2;
    const tail = lvl.tail;
    i[k + LEVEL] = lvl.idx;
    i[k + PREV] = tail;
    i[k + NEXT] = 0;
    if (tail === 0) lvl.head = h;
    else i[(tail << 2) + NEXT] = h;
    lvl.tail = h;
    const total = lvl.qtyT + this.f[k + QTY]!;
    lvl.qtyT = total;
    lvl.count++;
    if (total > this.levelCeilT) this.levelCeilT = total;
  }

  /** Unlinks slot h from lvl and subtracts its remaining quantity (traded quantity was taken off already). */
  unlinkLevel(lvl: Level, h: number): void {
    const i = this.i;
    const k = h << 2;
    const prev = i[k + PREV]!;
    const next = i[k + NEXT]!;
    if (prev === 0) lvl.head = next;
    else i[(prev << 2) + NEXT] = next;
    if (next === 0) lvl.tail = prev;
    else i[(next << 2) + PREV] = prev;
    lvl.qtyT -= this.f[k + QTY]!;
    lvl.count--;
    i[k + LEVEL] = 0;
  }

  // Field access for the cold paths (snapshot, views, invariants). The hot paths index the arrays directly.
  get(h: number, col: number): number {
    return this.f[(h << 2) + col]!;
  }
  lnk(h: number, col: number): number {
    return this.i[(h << 2) + col]!;
  }
}
