import { Level, Order } from './order.ts';

// Free lists for orders and levels. A steady-state book churns orders without creating garbage,
// which keeps the GC out of the latency tail.

export class OrderPool {
  private readonly free: Order[] = [];

  acquire(): Order {
    return this.free.pop() ?? new Order();
  }

  release(o: Order): void {
    this.free.push(o);
  }
}

export class LevelPool {
  private readonly free: Level[] = [];

  acquire(): Level {
    return this.free.pop() ?? new Level();
  }

  release(l: Level): void {
    l.head = null;
    l.tail = null;
    l.qtyT = 0;
    l.count = 0;
    this.free.push(l);
  }
}
