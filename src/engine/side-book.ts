import { Side } from './constants.ts';
import type { Level, LevelPool } from './level.ts';

/** Widest band, in ticks, that gets a dense book: 32,768 slots and 4 KiB of bitmap per side. */
export const DENSE_MAX_TICKS = 1 << 15;

const ctz = (m: number): number => 31 - Math.clz32(m & -m);
const hiBit = (m: number): number => 31 - Math.clz32(m);

/**
 * One side of the book: its non-empty price levels, best first. Two layouts, chosen when the book is made
 * (when the band changes the engine moves a dense book to the new band in place, rebase, or makes a book of the
 * other layout and moves the levels over, see Engine.rebuildBooks):
 *  - dense, when the engine has a price band of at most DENSE_MAX_TICKS ticks (the usual case): one slot per
 *    tick of the band, found by (price - low) / tick, and a two-level bitmap of the non-empty slots, so a level
 *    is found, created or emptied in O(1), and the next best level is a few bit scans away (a band of 2,000
 *    ticks is 63 bitmap words under 2 summary words);
 *  - sparse, without a band (any price may come) or with a very wide one: the levels in an array sorted worst
 *    to best (the best is the last element) and a Map by price.
 * One class rather than two, so that every engine's call sites see one shape (and the live classroom's
 * snapshot codec, which finds classes by name, knows it).
 */
export class SideBook {
  readonly side: Side;
  readonly dense: boolean;
  /** Number of non-empty levels. */
  size: number;
  /** Price of the best level, 0 when the side is empty (prices are positive). */
  bestFen: number;
  private readonly buy: boolean;
  private readonly pool: LevelPool;

  // dense layout (moved to the next day's band in place by rebase)
  private lowFen: number;
  private tickFen: number;
  /** Number of slots (ticks of the band). */
  private n: number;
  /**
   * Level of each tick; kept (empty) once created, so that a level that comes and goes costs no allocation.
   * May be longer than n (a wider band before): the slots past n are null.
   */
  private readonly slots: (Level | null)[];
  /** Bit k: slot k holds a non-empty level (words past the band's are 0). */
  private bits: Int32Array;
  /** Bit w: bits[w] !== 0. */
  private sum: Int32Array;
  /** Slot of the best level, -1 when the side is empty. */
  private bestIdx: number;

  // sparse layout
  /** Non-empty levels sorted worst to best. */
  private readonly levels: Level[];
  private readonly byPrice: Map<number, Level>;

  /** A dense book over lowFen..highFen (multiples of tickFen), or a sparse one when tickFen is 0. */
  constructor(side: Side, pool: LevelPool, lowFen = 0, highFen = 0, tickFen = 0) {
    this.side = side;
    this.buy = side === Side.Buy;
    this.pool = pool;
    this.dense = tickFen > 0;
    this.size = 0;
    this.bestFen = 0;
    this.lowFen = lowFen;
    this.tickFen = tickFen;
    this.n = this.dense ? (highFen - lowFen) / tickFen + 1 : 0;
    this.slots = [];
    for (let k = 0; k < this.n; k++) this.slots.push(null);
    const words = (this.n + 31) >>> 5;
    this.bits = new Int32Array(words);
    this.sum = new Int32Array((words + 31) >>> 5);
    this.bestIdx = -1;
    this.levels = [];
    this.byPrice = new Map();
  }

  private slotOf(priceFen: number): number {
    const d = priceFen - this.lowFen;
    return this.tickFen === 1 ? d : d / this.tickFen;
  }

  best(): Level | null {
    if (this.dense) {
      const b = this.bestIdx;
      return b < 0 ? null : this.slots[b]!;
    }
    const n = this.levels.length;
    return n === 0 ? null : this.levels[n - 1]!;
  }

  /** The level after lvl, best first (lvl is in the book, or has just been removed from it); null at the end. */
  worse(lvl: Level): Level | null {
    if (this.dense) {
      const k = this.slotOf(lvl.priceFen);
      const j = this.buy ? this.prevSet(k - 1) : this.nextSet(k + 1);
      return j < 0 ? null : this.slots[j]!;
    }
    const k = this.position(lvl.priceFen);
    return k === 0 ? null : this.levels[k - 1]!;
  }

  /** Can this book hold a level at priceFen? (A sparse one always; a dense one within its band, on the tick.) */
  covers(priceFen: number): boolean {
    if (!this.dense) return true;
    const d = priceFen - this.lowFen;
    return d >= 0 && d % this.tickFen === 0 && d / this.tickFen < this.n;
  }

  /** The level at priceFen (which the book must cover), created empty but part of the book when missing. */
  getOrCreate(priceFen: number): Level {
    if (this.dense) {
      const k = this.slotOf(priceFen);
      let l = this.slots[k] as Level | null;
      if (l === null) {
        l = this.pool.acquire(this.side, priceFen);
        this.slots[k] = l;
      }
      if (l.count === 0) this.mark(k);
      return l;
    }
    const found = this.byPrice.get(priceFen);
    if (found !== undefined) return found;
    const lvl = this.pool.acquire(this.side, priceFen);
    this.insert(lvl);
    return lvl;
  }

  /** Takes an empty level out of the book (a sparse book returns it to the pool; a dense one keeps it in its slot). */
  remove(lvl: Level): void {
    if (this.dense) {
      const k = this.slotOf(lvl.priceFen);
      const w = k >> 5;
      const word = this.bits[w]! & ~(1 << (k & 31));
      this.bits[w] = word;
      if (word === 0) this.sum[w >> 5] = this.sum[w >> 5]! & ~(1 << (w & 31));
      this.size--;
      if (k === this.bestIdx) {
        const j = this.buy ? this.prevSet(k - 1) : this.nextSet(k + 1);
        this.bestIdx = j;
        this.bestFen = j < 0 ? 0 : this.slots[j]!.priceFen;
      }
      return;
    }
    const arr = this.levels;
    const n = arr.length;
    if (arr[n - 1] !== lvl) {
      for (let k = this.position(lvl.priceFen); k < n - 1; k++) arr[k] = arr[k + 1]!;
    }
    arr.pop();
    this.size = n - 1;
    this.bestFen = n > 1 ? arr[n - 2]!.priceFen : 0;
    this.byPrice.delete(lvl.priceFen);
    this.pool.release(lvl);
  }

  /** The non-empty level at priceFen, or null. */
  find(priceFen: number): Level | null {
    if (!this.dense) return this.byPrice.get(priceFen) ?? null;
    if (!this.covers(priceFen)) return null;
    const k = this.slotOf(priceFen);
    return (this.bits[k >> 5]! & (1 << (k & 31))) === 0 ? null : this.slots[k]!;
  }

  /** Puts a non-empty level of a book being replaced into this one (which must cover its price). */
  adopt(lvl: Level): void {
    if (this.dense) {
      const k = this.slotOf(lvl.priceFen);
      this.slots[k] = lvl;
      this.mark(k);
    } else this.insert(lvl);
  }

  /** The book is being replaced: returns the empty levels it keeps to the pool. */
  dispose(): void {
    for (const l of this.slots) if (l !== null && l.count === 0) this.pool.release(l);
  }

  /**
   * A dense book moved to another band in place, as `new SideBook(side, pool, lowFen, highFen, tickFen)` with the
   * levels adopted after `dispose()` of this one would be, without allocating the slots and bitmaps again (the band
   * moves every day). `levels` are this book's non-empty levels (levelsBestFirst), which the new band must cover.
   */
  rebase(levels: readonly Level[], lowFen: number, highFen: number, tickFen: number): void {
    const slots = this.slots;
    const old = this.n;
    for (let k = 0; k < old; k++) {
      const l = slots[k] as Level | null;
      if (l !== null) {
        if (l.count === 0) this.pool.release(l);
        slots[k] = null;
      }
    }
    const n = (highFen - lowFen) / tickFen + 1;
    for (let k = slots.length; k < n; k++) slots.push(null);
    const words = (n + 31) >>> 5;
    if (words > this.bits.length) {
      this.bits = new Int32Array(words);
      this.sum = new Int32Array((words + 31) >>> 5);
    } else {
      this.bits.fill(0);
      this.sum.fill(0);
    }
    this.lowFen = lowFen;
    this.tickFen = tickFen;
    this.n = n;
    this.size = 0;
    this.bestFen = 0;
    this.bestIdx = -1;
    for (const l of levels) this.adopt(l);
  }

  /**
   * The price of the n-th best level (1 = best), or of the worst level when there are fewer; 0 when empty.
   * Listed agreement: a taker reaches no further than this price.
   */
  nthBestPrice(n: number): number {
    if (!this.dense) {
      const len = this.levels.length;
      if (len === 0) return 0;
      return this.levels[len > n ? len - n : 0]!.priceFen;
    }
    let k = this.bestIdx;
    if (k < 0) return 0;
    for (let i = 1; i < n; i++) {
      const j = this.buy ? this.prevSet(k - 1) : this.nextSet(k + 1);
      if (j < 0) break;
      k = j;
    }
    return this.slots[k]!.priceFen;
  }

  /** Price of the worst level (the lowest bid, the highest ask), 0 when the side is empty. Not on a hot path. */
  worstFen(): number {
    if (!this.dense) return this.levels.length === 0 ? 0 : this.levels[0]!.priceFen;
    if (this.bestIdx < 0) return 0;
    return this.slots[this.buy ? this.nextSet(0) : this.prevSet(this.n - 1)]!.priceFen;
  }

  /** Every non-empty level, best first (a copy: the book may change while it is walked). */
  levelsBestFirst(): Level[] {
    if (!this.dense) return [...this.levels].reverse();
    const out: Level[] = [];
    for (let l = this.best(); l !== null; l = this.worse(l)) out.push(l);
    return out;
  }

  // ---------------------------------------------------------------- dense layout

  private mark(k: number): void {
    const w = k >> 5;
    const word = this.bits[w]!;
    const bit = 1 << (k & 31);
    if ((word & bit) !== 0) return;
    if (word === 0) this.sum[w >> 5] = this.sum[w >> 5]! | (1 << (w & 31));
    this.bits[w] = word | bit;
    this.size++;
    const b = this.bestIdx;
    if (b < 0 || (this.buy ? k > b : k < b)) {
      this.bestIdx = k;
      this.bestFen = this.slots[k]!.priceFen;
    }
  }

  /** Highest non-empty slot <= k, or -1. */
  private prevSet(k: number): number {
    if (k < 0) return -1;
    const bits = this.bits;
    let w = k >> 5;
    const m = bits[w]! & (-1 >>> (31 - (k & 31)));
    if (m !== 0) return (w << 5) | hiBit(m);
    if (w === 0) return -1;
    w--;
    const sum = this.sum;
    let s = w >> 5;
    let sm = sum[s]! & (-1 >>> (31 - (w & 31)));
    while (sm === 0) {
      if (s === 0) return -1;
      sm = sum[--s]!;
    }
    w = (s << 5) | hiBit(sm);
    return (w << 5) | hiBit(bits[w]!);
  }

  /** Lowest non-empty slot >= k, or -1. */
  private nextSet(k: number): number {
    if (k >= this.n) return -1;
    const bits = this.bits;
    let w = k >> 5;
    const m = bits[w]! & (-1 << (k & 31));
    if (m !== 0) return (w << 5) | ctz(m);
    w++;
    if (w >= bits.length) return -1;
    const sum = this.sum;
    let s = w >> 5;
    let sm = sum[s]! & (-1 << (w & 31));
    while (sm === 0) {
      if (++s >= sum.length) return -1;
      sm = sum[s]!;
    }
    w = (s << 5) | ctz(sm);
    return (w << 5) | ctz(bits[w]!);
  }

  // ---------------------------------------------------------------- sparse layout

  private insert(lvl: Level): void {
    this.byPrice.set(lvl.priceFen, lvl);
    const arr = this.levels;
    const lo = this.position(lvl.priceFen);
    // Shift by hand: splice allocates its result array.
    arr.push(lvl);
    for (let k = arr.length - 1; k > lo; k--) arr[k] = arr[k - 1]!;
    arr[lo] = lvl;
    this.size = arr.length;
    this.bestFen = arr[arr.length - 1]!.priceFen;
  }

  /** First index whose level is at least as good as priceFen (bids ascending, asks descending). */
  private position(priceFen: number): number {
    const arr = this.levels;
    let lo = 0;
    let hi = arr.length;
    const buy = this.buy;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const p = arr[mid]!.priceFen;
      if (buy ? p < priceFen : p > priceFen) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  // ---------------------------------------------------------------- checks

  /** null when the layout's own bookkeeping is sound, else what is wrong (O(levels), for tests). */
  checkLayout(): string | null {
    const name = `side ${this.side}`;
    if (!this.dense) {
      const arr = this.levels;
      if (arr.length !== this.byPrice.size) return `${name}: ${arr.length} levels but ${this.byPrice.size} indexed`;
      for (let i = 0; i < arr.length; i++) {
        const lvl = arr[i]!;
        if (this.byPrice.get(lvl.priceFen) !== lvl) return `${name}: level ${lvl.priceFen} not indexed`;
        if (i > 0) {
          const prevPx = arr[i - 1]!.priceFen;
          if (this.buy ? prevPx >= lvl.priceFen : prevPx <= lvl.priceFen)
            return `${name}: levels out of order at ${lvl.priceFen}`;
        }
      }
      if (this.size !== arr.length) return `${name}: size ${this.size}, ${arr.length} levels`;
      if (this.bestFen !== (arr.length === 0 ? 0 : arr[arr.length - 1]!.priceFen)) return `${name}: stale best price`;
      return null;
    }
    let size = 0;
    let best = -1;
    for (let k = 0; k < this.n; k++) {
      const l = this.slots[k] as Level | null;
      const on = (this.bits[k >> 5]! & (1 << (k & 31))) !== 0;
      if (l !== null && l.priceFen !== this.lowFen + k * this.tickFen)
        return `${name}: slot ${k} holds level ${l.priceFen}`;
      if (on !== (l !== null && l.count > 0)) return `${name}: bitmap disagrees with the level at slot ${k}`;
      if (on) {
        size++;
        if (best < 0 || this.buy) best = k;
      }
    }
    for (let w = 0; w < this.bits.length; w++)
      if ((this.bits[w] !== 0) !== ((this.sum[w >> 5]! & (1 << (w & 31))) !== 0))
        return `${name}: summary bit ${w} is wrong`;
    if (size !== this.size) return `${name}: size ${this.size}, ${size} levels in the bitmap`;
    if (best !== this.bestIdx) return `${name}: best slot ${this.bestIdx}, expected ${best}`;
    if (this.bestFen !== (best < 0 ? 0 : this.slots[best]!.priceFen)) return `${name}: stale best price`;
    return null;
  }
}
