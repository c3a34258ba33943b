// An amended order shows its new price everywhere the student sees it: GET /api/me/orders and the private channel.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auth, order, type TestServer, testServer } from './fixture.ts';
import { wsClient } from './ws-client.ts';

let t: TestServer;
beforeEach(async () => {
  t = await testServer();
});
afterEach(async () => {
  await t.close();
});

describe('amended orders', () => {
  it('show the new price in /api/me/orders and on the private channel', async () => {
    const a = await t.join('Alice');
    const base = (await t.server.listen()).replace('http', 'ws');
    const sell = await t.inject({
      method: 'POST',
      url: '/api/orders',
      headers: auth(a.token),
      payload: order('sell', '98.00', 1_000),
    });
    const { orderId } = sell.json();
    const c = await wsClient(`${base}/ws?token=${a.token}`);
    await c.wait((m) => m.ch === 'private' && m.type === 'snapshot');
    const amend = await t.inject({
      method: 'PATCH',
      url: `/api/orders/${orderId}`,
      headers: auth(a.token),
      payload: { priceCny: '98.50', qtyT: 600 },
    });
    expect(amend.statusCode).toBe(200);
    const orders = (await t.inject({ method: 'GET', url: '/api/me/orders', headers: auth(a.token) })).json().orders;
    expect(orders[0]).toMatchObject({ orderId, priceCny: '98.50', qtyT: 600, restingT: 600, status: 'resting' });
    const pushed = await c.wait((m) => m.ch === 'private' && (m.data as { kind: string }).kind === 'order');
    expect((pushed.data as { orders: unknown[] }).orders[0]).toMatchObject({ orderId, priceCny: '98.50', qtyT: 600 });
    const depth = (
      await t.inject({ method: 'GET', url: '/api/classrooms/default/markets/national/depth?instrument=CEA-23' })
    ).json();
    expect(depth.asks.find((l: { priceCny: string }) => l.priceCny === '98.50')).toMatchObject({ qtyT: 600 });
    c.ws.terminate();
  });
});
