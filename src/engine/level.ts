import type { Side } from './constants.ts';

/** One price level: aggregate quantity and count, and the FIFO of its order slots (oldest at head; 0 = none). */
export class Level {
  /** Index in LevelPool.all, stored in each order's LEVEL link. */
  readonly idx: number;
  side: Side;
  priceFen: number;
  qtyT: number;
  count: number;
  head: number;
  tail: number;

  constructor(idx: number) {
    this.idx = idx;
    this.side = 0;
    this.priceFen = 0;
    this.qtyT = 0;
    this.count = 0;
    this.head = 0;
    this.tail = 0;
  }
}

/** Levels by index, recycled: a sparse book creates and empties levels constantly. */
export class LevelPool {
  readonly all: Level[];
  private readonly free: Level[];

  constructor() {
    this.all = [new Level(0)]; // index 0 is "no level"
    this.free = [];
  }

  acquire(side: Side, priceFen: number): Level {
    let l = this.free.pop();
    if (l === undefined) {
      l = new Level(this.all.length);
      this.all.push(l);
    }
    l.side = side;
    l.priceFen = priceFen;
    l.qtyT = 0;
    l.count = 0;
    l.head = 0;
    l.tail = 0;
    return l;
  }

  release(l: Level): void {
    this.free.push(l);
  }
}
