// The listed desk's live orders without an object per order: order id -> slot in an open-addressing hash table
// (linear probing on the id, backward-shift deletion: no tombstones, so orders coming and going cause no rehashing),
// and each slot's numbers in one Float64Array. A simulated year places about half a million orders; a Map of small
// objects made some 60 MB of short-lived garbage per run (the objects, and the Map's rehashing as ids came and went).
//
// Slots are reused (last freed, first reused), so the arrays are as large as the most orders live at once; a free
// slot's numbers are zeros. add never allocates: room for the next order is made once one is accepted (makeRoom),
// and undoAdd takes a refused order back exactly, so that a refused command leaves every array as it was (a live
// classroom's state hash must not change on a refusal).

/** Offsets of an order's numbers in its slot: data[slot * STRIDE + field]. */
export const ACCOUNT = 0;
/** Index of the instrument in the desk's instrument list. */
export const INSTRUMENT = 1;
/** 0 buy, 1 sell. */
export const SIDE = 2;
/** Buy: fen reserved per remaining tonne. Sell: 0 (tonnes are reserved one for one). */
export const PER_T = 3;
/** Buy: fen still reserved. Sell: tonnes still reserved. */
export const RESERVED = 4;
export const STRIDE = 5;

export class OrderSlots {
  /** Hash table: order id at a position, 0 when empty (ids are positive). */
  private keys = new Float64Array(64);
  /** Hash table: the slot of the id at the same position. */
  private vals = new Int32Array(64);
  private mask = 63;
  private count = 0;
  /** STRIDE numbers per slot (the field offsets above). */
  data = new Float64Array(16 * STRIDE);
  /** Freed slots, a stack (popping leaves the value above the top); -1 where no slot was ever pushed. */
  private free = new Int32Array(16).fill(-1);
  private nFree = 0;
  /** Slots handed out so far (the highest is nSlots - 1). */
  private nSlots = 0;

  get size(): number {
    return this.count;
  }

  /** The order's slot, or -1 when it is not live. */
  slotOf(orderId: number): number {
    const keys = this.keys;
    const mask = this.mask;
    // & on a safe integer takes it modulo 2^32 first: still the id modulo the (power of two) table size.
    for (let i = orderId & mask; ; i = (i + 1) & mask) {
      const k = keys[i]!;
      if (k === orderId) return this.vals[i]!;
      if (k === 0) return -1;
    }
  }

  /** Adds a live order (its id not live yet) with its numbers; returns its slot. Call makeRoom once it is accepted. */
  add(orderId: number, accountId: number, instrument: number, side: number, perT: number, reserved: number): number {
    if (!(orderId > 0)) throw new RangeError(`order id ${orderId} is not positive`);
    if (this.count + 1 >= this.keys.length || (this.nFree === 0 && (this.nSlots + 1) * STRIDE > this.data.length))
      throw new Error('OrderSlots.add: no room (makeRoom was not called after the last add)');
    const slot = this.nFree > 0 ? this.free[--this.nFree]! : this.nSlots++;
    const d = this.data;
    const at = slot * STRIDE;
    d[at + ACCOUNT] = accountId;
    d[at + INSTRUMENT] = instrument;
    d[at + SIDE] = side;
    d[at + PER_T] = perT;
    d[at + RESERVED] = reserved;
    const keys = this.keys;
    const mask = this.mask;
    let i = orderId & mask;
    while (keys[i] !== 0) {
      if (keys[i] === orderId) throw new RangeError(`order ${orderId} is live already`);
      i = (i + 1) & mask;
    }
    keys[i] = orderId;
    this.vals[i] = slot;
    this.count++;
    return slot;
  }

  /** Grows the table and the slots, if need be, so that the next add has room (after an order is accepted). */
  makeRoom(): void {
    if (2 * (this.count + 1) > this.keys.length) this.rehash(this.keys.length * 2);
    if (this.nFree === 0 && (this.nSlots + 1) * STRIDE > this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
  }

  /** Removes a live order (nothing when it is not live); its slot may be handed out again by the next add. */
  delete(orderId: number): void {
    const slot = this.unlink(orderId);
    if (slot >= 0) this.release(slot);
  }

  /**
   * Takes back the add of `slot` for `orderId`, refused before it went live. When nothing was added or deleted since
   * (commands do not nest), the table, the free slots and the numbers are exactly as they were before the add.
   */
  undoAdd(orderId: number, slot: number): void {
    if (this.unlink(orderId) !== slot) throw new Error(`OrderSlots.undoAdd: order ${orderId} is not in slot ${slot}`);
    this.data.fill(0, slot * STRIDE, slot * STRIDE + STRIDE);
    // Handed out from the free stack (the value is still just above its top: a new slot was never pushed there) or
    // as a new slot.
    if (this.nFree < this.free.length && this.free[this.nFree] === slot) this.nFree++;
    else if (slot === this.nSlots - 1) this.nSlots--;
    else this.release(slot);
  }

  /** Live order ids, ascending (the order they were placed in). */
  ids(): number[] {
    const out: number[] = [];
    for (const k of this.keys) if (k !== 0) out.push(k);
    return out.sort((a, b) => a - b);
  }

  /** Takes the id out of the table (backward shift); its slot, or -1 when it is not there. */
  private unlink(orderId: number): number {
    const keys = this.keys;
    const vals = this.vals;
    const mask = this.mask;
    let i = orderId & mask;
    for (; ; i = (i + 1) & mask) {
      const k = keys[i]!;
      if (k === orderId) break;
      if (k === 0) return -1;
    }
    const slot = vals[i]!;
    // Move later entries of the probe run into the hole, unless that would put one before its home. (Right after
    // an add, the new id sits in what was the first empty position of its run, so nothing moves.)
    for (let j = (i + 1) & mask; ; j = (j + 1) & mask) {
      const k = keys[j]!;
      if (k === 0) break;
      const home = k & mask;
      const stays = i <= j ? i < home && home <= j : i < home || home <= j;
      if (stays) continue;
      keys[i] = k;
      vals[i] = vals[j]!;
      i = j;
    }
    keys[i] = 0;
    vals[i] = 0;
    this.count--;
    return slot;
  }

  /** Zeroes a slot and pushes it on the free stack. */
  private release(slot: number): void {
    this.data.fill(0, slot * STRIDE, slot * STRIDE + STRIDE);
    if (this.nFree === this.free.length) {
      const grown = new Int32Array(this.free.length * 2).fill(-1);
      grown.set(this.free);
      this.free = grown;
    }
    this.free[this.nFree++] = slot;
  }

  private rehash(size: number): void {
    const oldKeys = this.keys;
    const oldVals = this.vals;
    this.keys = new Float64Array(size);
    this.vals = new Int32Array(size);
    this.mask = size - 1;
    for (let p = 0; p < oldKeys.length; p++) {
      const k = oldKeys[p]!;
      if (k === 0) continue;
      let i = k & this.mask;
      while (this.keys[i] !== 0) i = (i + 1) & this.mask;
      this.keys[i] = k;
      this.vals[i] = oldVals[p]!;
    }
  }
}
