import type { Side, Stp, Tif } from './constants.ts';

/**
 * A resting (or incoming) order. One fixed shape for its whole life, recycled through OrderPool.
 * It sits in two intrusive doubly linked lists at once: its price level's FIFO (prev/next) and its
 * account's list (acctPrev/acctNext), so that cancel and cancel-all cost O(1) per order at any depth.
 */
export class Order {
  orderId: number;
  accountId: number;
  side: Side;
  priceFen: number;
  qtyT: number;
  tif: Tif;
  stp: Stp;
  /** Time priority: the seq of the event that put the order where it is (accepted, or a priority-losing amend). */
  entrySeq: number;
  level: Level | null;
  prev: Order | null;
  next: Order | null;
  account: AccountOrders | null;
  acctPrev: Order | null;
  acctNext: Order | null;

  constructor() {
    this.orderId = 0;
    this.accountId = 0;
    this.side = 0;
    this.priceFen = 0;
    this.qtyT = 0;
    this.tif = 0;
    this.stp = 0;
    this.entrySeq = 0;
    this.level = null;
    this.prev = null;
    this.next = null;
    this.account = null;
    this.acctPrev = null;
    this.acctNext = null;
  }
}

/** One price level: aggregate quantity and count, and the FIFO of its orders (oldest at head). */
export class Level {
  side: Side;
  priceFen: number;
  qtyT: number;
  count: number;
  head: Order | null;
  tail: Order | null;

  constructor() {
    this.side = 0;
    this.priceFen = 0;
    this.qtyT = 0;
    this.count = 0;
    this.head = null;
    this.tail = null;
  }

  /** Appends at the back (lowest priority). */
  push(o: Order): void {
    o.level = this;
    o.prev = this.tail;
    o.next = null;
    if (this.tail === null) this.head = o;
    else this.tail.next = o;
    this.tail = o;
    this.qtyT += o.qtyT;
    this.count++;
  }

  /** Unlinks o; the caller has already taken o's traded quantity off qtyT, so only its remainder is subtracted. */
  unlink(o: Order): void {
    if (o.prev === null) this.head = o.next;
    else o.prev.next = o.next;
    if (o.next === null) this.tail = o.prev;
    else o.next.prev = o.prev;
    this.qtyT -= o.qtyT;
    this.count--;
    o.level = null;
    o.prev = null;
    o.next = null;
  }
}

/** An account's live orders in time-priority order (cancel-all walks it). */
export class AccountOrders {
  head: Order | null;
  tail: Order | null;

  constructor() {
    this.head = null;
    this.tail = null;
  }

  push(o: Order): void {
    o.account = this;
    o.acctPrev = this.tail;
    o.acctNext = null;
    if (this.tail === null) this.head = o;
    else this.tail.acctNext = o;
    this.tail = o;
  }

  unlink(o: Order): void {
    if (o.acctPrev === null) this.head = o.acctNext;
    else o.acctPrev.acctNext = o.acctNext;
    if (o.acctNext === null) this.tail = o.acctPrev;
    else o.acctNext.acctPrev = o.acctPrev;
    o.account = null;
    o.acctPrev = null;
    o.acctNext = null;
  }
}
