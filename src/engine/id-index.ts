/**
 * Order id -> store slot (value 0 means "absent" to callers; slot 0 is never used). Keys are positive safe
 * integers. Two parts:
 *  - a window: a dense Int32Array of slots for the ids lo .. lo + width - 1, indexed by id - lo. Order ids are
 *    mostly handed out in sequence, so the live ones are mostly recent and the window holds them with one
 *    array read per lookup, no hashing;
 *  - a hash table for every other id: older than the window, or below it.
 * The window only moves forward. When an id lands past its end, the window doubles if at least 1/16 of it is
 * live (at most 64 bytes per live order: a book that keeps its orders, or turns over within a few thousand
 * ids), else it slides so that the id sits at its middle, and the ids it leaves behind move to the hash table
 * (a book whose few old orders linger). So every key of the hash table is below lo, and an id in the window's
 * range is never in the hash table.
 */
export class IdIndex {
  private win: Int32Array;
  /** First id of the window; ids of the window are lo .. lo + win.length - 1. */
  private lo: number;
  /** Live ids in the window. */
  private inWin: number;
  private readonly minWidth: number;
  // The hash table: open addressing on one Float64Array of [key, value] pairs, linear probing with
  // backward-shift deletion (no tombstones); 0 marks an empty cell. (Fields of this class rather than a class
  // of its own: the live classroom's snapshot codec knows the engine's classes by name.)
  private table: Float64Array;
  private bits: number;
  private mask: number;
  /** Ids in the hash table. */
  private hashed: number;

  /** hashBits: initial log2 size of the hash table; width: initial window width. */
  constructor(hashBits = 10, width = 1024) {
    this.bits = hashBits;
    this.mask = (1 << hashBits) - 1;
    this.table = new Float64Array(2 << hashBits);
    this.hashed = 0;
    this.win = new Int32Array(width);
    this.minWidth = width;
    this.lo = 0;
    this.inWin = 0;
  }

  get size(): number {
    return this.inWin + this.hashed;
  }

  get(id: number): number {
    const d = id - this.lo;
    if (d >= 0 && d < this.win.length) {
      const k = d | 0;
      if (k === d) return this.win[k]!;
    }
    return this.hashed === 0 ? 0 : this.hashGet(id);
  }

  /** Adds id -> slot; id must be absent. */
  set(id: number, slot: number): void {
    let d = id - this.lo;
    if (d < 0 || d >= this.win.length) {
      if (this.size === 0) {
        // Empty (so is the window): start it at this id.
        this.lo = id;
        d = 0;
      } else if (d > 0) {
        this.advance(id);
        d = id - this.lo;
      }
    }
    if (d >= 0) {
      this.win[d] = slot;
      this.inWin++;
    } else this.hashSet(id, slot);
  }

  delete(id: number): void {
    const d = id - this.lo;
    if (d >= 0 && d < this.win.length) {
      const k = d | 0;
      if (k === d && this.win[k] !== 0) {
        this.win[k] = 0;
        this.inWin--;
      }
    } else if (this.hashed !== 0) this.hashDelete(id);
  }

  /** Makes room for an id past the window's end: double the window when at least 1/16 is live, else slide it. */
  private advance(id: number): void {
    let win = this.win;
    if (16 * this.inWin >= win.length) {
      const wider = new Int32Array(win.length * 2);
      wider.set(win);
      win = wider;
      if (id - this.lo < win.length) {
        this.win = win;
        return;
      }
    }
    // Slide so that the id lands in the middle. A very sparse window (less than 1/64 live) also halves, so that
    // ids that keep jumping far ahead do not pay for a wide, mostly empty window each time.
    const w = win.length;
    const width = 64 * this.inWin < w && w > this.minWidth ? w >>> 1 : w;
    const newLo = id - (width >>> 1);
    // newLo - lo >= w - width / 2 >= w / 2: the window moves forward by at least half its old width, and
    // what stays in it (ids newLo .. lo + w - 1, fewer than width / 2) fits in the new one.
    const shift = Math.min(newLo - this.lo, w);
    for (let k = 0; k < shift; k++) {
      const slot = win[k]!;
      if (slot !== 0) {
        this.hashSet(this.lo + k, slot);
        this.inWin--;
      }
    }
    if (width === w) {
      win.copyWithin(0, shift);
      win.fill(0, w - shift);
    } else {
      const next = new Int32Array(width);
      next.set(win.subarray(shift));
      win = next;
    }
    this.win = win;
    this.lo = newLo;
  }

  private home(id: number): number {
    const lo = id >>> 0;
    const hi = (id / 4294967296) | 0;
    // Block-mixed hashing: runs of 16 consecutive ids share a 16-cell stretch, while the blocks themselves are
    // scattered by Fibonacci hashing so that strided or clustered ids still spread.
    const blk = Math.imul((lo >>> 4) ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> (32 - this.bits);
    return (blk & ~15 & this.mask) | (lo & 15 & this.mask);
  }

  private hashGet(id: number): number {
    const t = this.table;
    const mask = this.mask;
    let i = this.home(id);
    for (;;) {
      const k = t[i << 1]!;
      if (k === id) return t[(i << 1) + 1]!;
      if (k === 0) return 0;
      i = (i + 1) & mask;
    }
  }

  private hashSet(id: number, slot: number): void {
    if ((this.hashed + 1) * 2 > this.mask + 1) this.grow();
    this.put(id, slot);
    this.hashed++;
  }

  private hashDelete(id: number): void {
    const t = this.table;
    const mask = this.mask;
    let i = this.home(id);
    for (;;) {
      const k = t[i << 1]!;
      if (k === id) break;
      if (k === 0) return;
      i = (i + 1) & mask;
    }
    // Backward shift: pull later entries of the cluster into the hole when their home allows it.
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const k = t[j << 1]!;
      if (k === 0) break;
      const h = this.home(k);
      // Entry at j may move to i if its home is not cyclically in (i, j].
      if (i <= j ? h <= i || h > j : h <= i && h > j) {
        t[i << 1] = k;
        t[(i << 1) + 1] = t[(j << 1) + 1]!;
        i = j;
      }
    }
    t[i << 1] = 0;
    t[(i << 1) + 1] = 0;
    this.hashed--;
  }

  private put(id: number, slot: number): void {
    const t = this.table;
    const mask = this.mask;
    let i = this.home(id);
    while (t[i << 1] !== 0) i = (i + 1) & mask;
    t[i << 1] = id;
    t[(i << 1) + 1] = slot;
  }

  private grow(): void {
    const old = this.table;
    this.bits++;
    this.mask = (1 << this.bits) - 1;
    this.table = new Float64Array(2 << this.bits);
    for (let i = 0; i < old.length; i += 2) {
      const k = old[i]!;
      if (k !== 0) this.put(k, old[i + 1]!);
    }
  }
}
