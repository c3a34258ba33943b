/**
 * Order id -> store slot, an open-addressing hash table on one Float64Array of [key, value] pairs.
 * Measured against Map<number, number> on the engine benchmark: a 1M-entry Map was more than half the
 * time of an insert and 40% of a deep cancel (hash, bucket, chained entry: three cache misses and
 * garbage on growth); here a probe is one multiply and usually one cache line. Linear probing with
 * backward-shift deletion keeps lookups short without tombstones. Keys are positive safe integers;
 * 0 marks an empty cell; value 0 means "absent" to callers (slot 0 is never used).
 */
export class IdIndex {
  private table: Float64Array;
  private bits: number;
  private mask: number;
  size: number;

  constructor(bits = 10) {
    this.bits = bits;
    this.mask = (1 << bits) - 1;
    this.table = new Float64Array(2 << bits);
    this.size = 0;
  }

  private home(id: number): number {
    const lo = id >>> 0;
    const hi = (id / 4294967296) | 0;
    // Block-mixed hashing: runs of 16 consecutive ids share a 16-cell stretch (ids are mostly assigned in
    // sequence, so neighbours in time are neighbours in memory), while the blocks themselves are scattered by
    // Fibonacci hashing so that strided or clustered ids still spread. Measured on 1M sequential inserts:
    // 3.7M/s against 2.6M/s with every id scattered (a cache miss per probe).
    const blk = Math.imul((lo >>> 4) ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> (32 - this.bits);
    return (blk & ~15 & this.mask) | (lo & 15 & this.mask);
  }

  get(id: number): number {
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

  /** Adds id -> slot; id must be absent. */
  set(id: number, slot: number): void {
    if ((this.size + 1) * 2 > this.mask + 1) this.grow();
    this.put(id, slot);
    this.size++;
  }

  delete(id: number): void {
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
    this.size--;
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
