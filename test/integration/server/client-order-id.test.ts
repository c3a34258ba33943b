// Client order ids: a student names an order with an id of their own, unique among their resting orders, and can
// cancel it by that id (REST and WebSocket). A second submit with an id still resting is refused and changes
// nothing, so a retried request cannot place the order twice. The index survives a restart (snapshot + journal).
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { auth, marketState, order, type TestServer, testServer } from './fixture.ts';

const servers: TestServer[] = [];
async function server(dir?: string): Promise<TestServer> {
  const t = await testServer({}, dir === undefined ? {} : { dir });
  servers.push(t);
  return t;
}
afterEach(async () => {
  for (const t of servers.splice(0)) await t.server.close().catch(() => undefined);
});

async function place(t: TestServer, token: string, body: object) {
  return t.inject({ method: 'POST', url: '/api/orders', headers: auth(token), payload: body });
}
async function cancelByClient(t: TestServer, token: string, id: string) {
  return t.inject({ method: 'DELETE', url: `/api/orders/client/${encodeURIComponent(id)}`, headers: auth(token) });
}
async function myOrders(t: TestServer, token: string) {
  return (await t.inject({ method: 'GET', url: '/api/me/orders', headers: auth(token) })).json().orders as {
    orderId: number;
    status: string;
    clientOrderId: string | null;
  }[];
}
describe('client order ids', () => {
  it('an order placed with an id shows it and is cancelled by it; the id is free again afterwards', async () => {
    const t = await server();
    const a = await t.join('Ann');
    const placed = await place(t, a.token, order('buy', '90.00', 500, { clientOrderId: 'ann-1' }));
    expect(placed.statusCode).toBe(200);
    const { orderId } = placed.json();
    expect((await myOrders(t, a.token))[0]).toMatchObject({ orderId, status: 'resting', clientOrderId: 'ann-1' });

    const c = await cancelByClient(t, a.token, 'ann-1');
    expect(c.statusCode).toBe(200);
    expect(c.json()).toEqual({ orderId, cancelledT: 500 });
    expect((await myOrders(t, a.token))[0]).toMatchObject({ orderId, status: 'cancelled', clientOrderId: 'ann-1' });
    // Cancelled: the id names no resting order now, and a new order may take it.
    expect((await cancelByClient(t, a.token, 'ann-1')).json().error.code).toBe('LIVE_ERR_UNKNOWN_ORDER');
    const again = await place(t, a.token, order('buy', '90.00', 300, { clientOrderId: 'ann-1' }));
    expect(again.statusCode).toBe(200);
    expect((await cancelByClient(t, a.token, 'ann-1')).json()).toEqual({
      orderId: again.json().orderId,
      cancelledT: 300,
    });
    // Without an id the order shows null.
    await place(t, a.token, order('buy', '90.00', 100));
    expect((await myOrders(t, a.token))[0]!.clientOrderId).toBeNull();
  });

  it('a second order with an id still resting is refused (409) and changes nothing', async () => {
    const t = await server();
    const a = await t.join('Ann');
    expect((await place(t, a.token, order('buy', '90.00', 500, { clientOrderId: 'x' }))).statusCode).toBe(200);
    const before = await marketState(t, [a.token]);
    const dup = await place(t, a.token, order('sell', '99.00', 100, { clientOrderId: 'x' }));
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.code).toBe('LIVE_ERR_DUPLICATE_CLIENT_ORDER_ID');
    expect(dup.json().error.message).toMatch(/client order id "x"/);
    expect(await marketState(t, [a.token])).toBe(before);
  });

  it('ids are per student: two students use the same id, and neither can cancel the other’s', async () => {
    const t = await server();
    const a = await t.join('Ann');
    const b = await t.join('Bo');
    const oa = (await place(t, a.token, order('buy', '90.00', 500, { clientOrderId: 'same' }))).json();
    const ob = (await place(t, b.token, order('buy', '90.50', 200, { clientOrderId: 'same' }))).json();
    expect(oa.orderId).not.toBe(ob.orderId);
    expect((await cancelByClient(t, b.token, 'same')).json()).toEqual({ orderId: ob.orderId, cancelledT: 200 });
    // Bo's is gone; Ann's still rests, and Bo cannot reach it by her id.
    expect((await cancelByClient(t, b.token, 'same')).statusCode).toBe(404);
    expect((await myOrders(t, a.token))[0]).toMatchObject({ orderId: oa.orderId, status: 'resting' });
  });

  it('a filled order is no longer cancellable by its id, and the id may be used again', async () => {
    const t = await server();
    const a = await t.join('Ann');
    const b = await t.join('Bo');
    await place(t, a.token, order('sell', '95.00', 1_000, { clientOrderId: 'ask' }));
    const take = await place(t, b.token, order('buy', '95.00', 1_000));
    expect(take.json().filledT).toBe(1_000);
    expect((await cancelByClient(t, a.token, 'ask')).statusCode).toBe(404);
    expect((await place(t, a.token, order('sell', '96.00', 100, { clientOrderId: 'ask' }))).statusCode).toBe(200);
  });

  it('bad ids get a 400 and change nothing', async () => {
    const t = await server();
    const a = await t.join('Ann');
    const before = await marketState(t, [a.token]);
    for (const id of ['', 'x'.repeat(37), 'has space', 'semi;colon', 'ü', 5, null]) {
      const r = await place(t, a.token, order('buy', '90.00', 10, { clientOrderId: id }));
      expect([id, r.statusCode, r.json().error.code]).toEqual([id, 400, 'BAD_REQUEST']);
    }
    for (const id of ['x'.repeat(37), 'has space', 'a/b', 'ü']) {
      const r = await cancelByClient(t, a.token, id);
      expect([id, r.statusCode, r.json().error.code]).toEqual([id, 400, 'BAD_REQUEST']);
    }
    expect(await marketState(t, [a.token])).toBe(before);
  });

  it('survives a restart: after snapshot and journal replay the id still names the resting order', async () => {
    const t = await server();
    const a = await t.join('Ann');
    const before = (await place(t, a.token, order('buy', '90.00', 500, { clientOrderId: 'pre' }))).json();
    expect(t.server.hub.snapshotAll()).toBe(1);
    const after = (await place(t, a.token, order('buy', '90.10', 400, { clientOrderId: 'post' }))).json();
    // No close(): the next server on the same folder loads the snapshot and replays the journal after it.
    const t2 = await server(t.dir);
    expect(t2.server.hub.recovered[0]!.replayed).toBeGreaterThan(0);
    expect((await cancelByClient(t2, a.token, 'pre')).json()).toEqual({ orderId: before.orderId, cancelledT: 500 });
    expect((await cancelByClient(t2, a.token, 'post')).json()).toEqual({ orderId: after.orderId, cancelledT: 400 });
    await t2.server.close();
    rmSync(t.dir, { recursive: true, force: true });
  });

  it('over the WebSocket: an order with an id, then a cancel by it; a cancel naming both ids is refused', async () => {
    const t = await server();
    const a = await t.join('Ann');
    const base = await t.server.listen();
    const ws = new WebSocket(`${base.replace('http', 'ws')}/ws?token=${a.token}`);
    const acks = new Map<string, { error?: { code: string }; result?: { orderId: number; cancelledT?: number } }>();
    const waiters = new Map<string, () => void>();
    ws.on('message', (d) => {
      const m = JSON.parse(String(d));
      if (m.op === 'ack') {
        acks.set(m.reqId, m);
        waiters.get(m.reqId)?.();
      }
    });
    await new Promise((ok, no) => {
      ws.once('open', ok);
      ws.once('error', no);
    });
    const send = (m: Record<string, unknown> & { reqId: string }) =>
      new Promise<void>((ok) => {
        waiters.set(m.reqId, ok);
        ws.send(JSON.stringify(m));
      });
    await send({ op: 'order', reqId: 'r1', ...order('buy', '90.00', 700, { clientOrderId: 'w-1' }) });
    const orderId = acks.get('r1')!.result!.orderId;
    await send({ op: 'cancel', reqId: 'r2', clientOrderId: 'w-1', orderId });
    expect(acks.get('r2')!.error!.code).toBe('BAD_REQUEST');
    await send({ op: 'cancel', reqId: 'r3', clientOrderId: 'bad id' });
    expect(acks.get('r3')!.error!.code).toBe('BAD_REQUEST');
    await send({ op: 'cancel', reqId: 'r4', clientOrderId: 'w-1' });
    expect(acks.get('r4')!.result).toEqual({ orderId, cancelledT: 700 });
    await send({ op: 'cancel', reqId: 'r5', clientOrderId: 'w-1' });
    expect(acks.get('r5')!.error!.code).toBe('LIVE_ERR_UNKNOWN_ORDER');
    ws.close();
  });
});
