// The orders slice: students' orders in the listed book, and what the classroom keeps of them. Fills reach an order
// when its trades settle, after the command: once, whether the order rested (maker) or crossed (taker).
import { describe, expect, it } from 'vitest';
import { applyCommand } from '../../../src/live/commands.ts';
import type { LiveEvent } from '../../../src/live/types.ts';
import { must, order, room, run } from './room.ts';

describe('orders', () => {
  it('a resting order and the order that takes it: both filled once, each fill naming its order', () => {
    const r = room(['Ann', 'Bo'], 0);
    const sell = must(applyCommand(r, order(1, 'sell', 9_700, 300)));
    expect(sell.restingT).toBe(300);
    expect(r.orderStatus(r.studentOrders(1)[0]!)).toBe('resting');
    const buy = must(applyCommand(r, order(2, 'buy', 9_700, 200)));
    expect(buy.filledT).toBe(200);
    const [maker] = r.studentOrders(1);
    const [taker] = r.studentOrders(2);
    expect(maker).toMatchObject({ orderId: sell.orderId, filledT: 200, qtyT: 300 });
    expect(r.restingT(maker!)).toBe(100);
    expect(taker).toMatchObject({ orderId: buy.orderId, filledT: 200, qtyT: 200 });
    expect(r.orderStatus(taker!)).toBe('filled');
    expect(r.studentFills(1)).toMatchObject([{ orderId: sell.orderId, side: 'sell', qtyT: 200, priceFen: 9_700 }]);
    expect(r.studentFills(2)).toMatchObject([{ orderId: buy.orderId, side: 'buy', qtyT: 200, priceFen: 9_700 }]);
  });

  it('trades reach listeners after the command that made them, not while it runs', () => {
    const r = room(['Ann', 'Bo'], 0);
    run(r, [order(1, 'sell', 9_700, 100)]);
    const seen: LiveEvent['kind'][] = [];
    r.on((e) => seen.push(e.kind));
    run(r, [order(2, 'buy', 9_700, 100)]);
    // The command's own book and private events first, then the trade with its fills.
    expect(seen.indexOf('book')).toBeLessThan(seen.indexOf('trade'));
    expect(seen.filter((k) => k === 'trade')).toHaveLength(1);
  });

  it('amend: the new price, and a quantity of what was filled plus what rests', () => {
    const r = room(['Ann', 'Bo'], 0);
    const sell = must(applyCommand(r, order(1, 'sell', 9_800, 500)));
    run(r, [order(2, 'buy', 9_800, 200)]);
    must(applyCommand(r, { op: 'amend', studentId: 1, orderId: sell.orderId, priceFen: 9_750, qtyT: 100 }));
    const o = r.studentOrders(1)[0]!;
    expect(o.priceFen).toBe(9_750);
    expect(o.filledT).toBe(200);
    expect(o.qtyT).toBe(200 + r.restingT(o));
  });

  it('an amend that crosses counts its fills once', () => {
    const r = room(['Ann', 'Bo'], 0);
    run(r, [order(2, 'buy', 9_700, 100)]);
    const sell = must(applyCommand(r, order(1, 'sell', 9_900, 300)));
    const a = must(applyCommand(r, { op: 'amend', studentId: 1, orderId: sell.orderId, priceFen: 9_700, qtyT: 300 }));
    const o = r.studentOrders(1)[0]!;
    expect(o.filledT).toBe(a.filledT);
    expect(o.qtyT).toBe(o.filledT + r.restingT(o));
  });

  it('cancel by id, and client order ids unique among resting orders', () => {
    const r = room(['Ann', 'Bo'], 0);
    const first = must(applyCommand(r, order(1, 'buy', 9_000, 100, { clientOrderId: 'a-1' })));
    expect(applyCommand(r, order(1, 'buy', 9_000, 100, { clientOrderId: 'a-1' }))).toMatchObject({
      ok: false,
      code: 'LIVE_ERR_DUPLICATE_CLIENT_ORDER_ID',
    });
    expect(r.openOrderByClientId(1, 'a-1')?.orderId).toBe(first.orderId);
    must(applyCommand(r, { op: 'cancel', studentId: 1, orderId: first.orderId }));
    expect(r.orderStatus(r.studentOrders(1)[0]!)).toBe('cancelled');
    expect(r.openOrderByClientId(1, 'a-1')).toBeNull();
    // Free again once the first is no longer resting.
    must(applyCommand(r, order(1, 'buy', 9_000, 100, { clientOrderId: 'a-1' })));
    expect(applyCommand(r, { op: 'cancel', studentId: 2, orderId: first.orderId })).toMatchObject({
      ok: false,
      code: 'LIVE_ERR_UNKNOWN_ORDER',
    });
  });

  it('refuses orders while paused and from unknown students', () => {
    const r = room(['Ann'], 0);
    run(r, [{ op: 'pause' }]);
    expect(applyCommand(r, order(1, 'buy', 9_000, 100))).toMatchObject({ ok: false, code: 'LIVE_ERR_NOT_RUNNING' });
    expect(applyCommand(r, order(9, 'buy', 9_000, 100))).toMatchObject({ ok: false, code: 'LIVE_ERR_UNKNOWN_STUDENT' });
  });
});
