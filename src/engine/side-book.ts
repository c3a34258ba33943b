import { Side } from './constants.ts';
import type { Level, LevelPool } from './level.ts';

/**
 * One side of the book: its levels sorted worst to best, so the best level is the last element.
 * Top of book is O(1) and so is removing the best level (a pop), which is what matching does. New levels
 * land near the top in practice, so the splice on insert moves few elements. A Map finds a level by price.
 * (A dense array indexed by price was the alternative; the sorted array wins on sparse books and needs
 * no re-basing when the band moves.)
 */
export class SideBook {
  readonly side: Side;
  readonly levels: Level[];
  readonly byPrice: Map<number, Level>;
  private readonly pool: LevelPool;

  constructor(side: Side, pool: LevelPool) {
    this.side = side;
    this.levels = [];
    this.byPrice = new Map();
    this.pool = pool;
  }

  best(): Level | null {
    const n = this.levels.length;
    return n === 0 ? null : this.levels[n - 1]!;
  }

  /** The level at priceFen, created (empty) when missing. */
  getOrCreate(priceFen: number): Level {
    const found = this.byPrice.get(priceFen);
    if (found !== undefined) return found;
    const lvl = this.pool.acquire(this.side, priceFen);
    this.byPrice.set(priceFen, lvl);
    const arr = this.levels;
    // Position: first index whose level is better than priceFen (bids ascending, asks descending).
    let lo = 0;
    let hi = arr.length;
    if (this.side === Side.Buy) {
      if (hi === 0 || arr[hi - 1]!.priceFen < priceFen) {
        arr.push(lvl);
        return lvl;
      }
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (arr[mid]!.priceFen < priceFen) lo = mid + 1;
        else hi = mid;
      }
    } else {
      if (hi === 0 || arr[hi - 1]!.priceFen > priceFen) {
        arr.push(lvl);
        return lvl;
      }
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (arr[mid]!.priceFen > priceFen) lo = mid + 1;
        else hi = mid;
      }
    }
    // Shift by hand: splice allocates its result array, and this runs on every new level.
    arr.push(lvl);
    for (let k = arr.length - 1; k > lo; k--) arr[k] = arr[k - 1]!;
    arr[lo] = lvl;
    return lvl;
  }

  /** Removes an empty level and returns it to the pool. */
  remove(lvl: Level): void {
    const arr = this.levels;
    const n = arr.length;
    if (arr[n - 1] !== lvl) {
      for (let k = this.indexOf(lvl.priceFen); k < n - 1; k++) arr[k] = arr[k + 1]!;
    }
    arr.pop();
    this.byPrice.delete(lvl.priceFen);
    this.pool.release(lvl);
  }

  private indexOf(priceFen: number): number {
    const arr = this.levels;
    let lo = 0;
    let hi = arr.length - 1;
    const buy = this.side === Side.Buy;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const p = arr[mid]!.priceFen;
      if (p === priceFen) return mid;
      if (buy ? p < priceFen : p > priceFen) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /**
   * The price of the n-th best level (1 = best), or of the worst level when there are fewer; 0 when empty.
   * Listed agreement: a taker reaches no further than this price.
   */
  nthBestPrice(n: number): number {
    const len = this.levels.length;
    if (len === 0) return 0;
    return this.levels[len > n ? len - n : 0]!.priceFen;
  }
}
