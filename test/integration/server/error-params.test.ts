// Refusals carry the values their message names (params) beside the English sentence, over HTTP and the WebSocket,
// so the trading page can say them in Chinese; the band of a price limit is in CNY end to end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, order, type TestServer, testServer } from './fixture.ts';
import { type WsClient, wsClient } from './ws-client.ts';

let t: TestServer;
let base: string;
const clients: WsClient[] = [];
beforeAll(async () => {
  t = await testServer();
  base = (await t.server.listen()).replace('http', 'ws');
});
afterAll(async () => {
  for (const c of clients) c.ws.terminate();
  await t.close();
});

const CNY = /^\d+\.\d{2}$/;

describe('error params', () => {
  it('an order above the band: the message and params give the price and the band in CNY', async () => {
    const a = await t.join('Ann');
    const r = await t.inject({
      method: 'POST',
      url: '/api/orders',
      headers: auth(a.token),
      payload: order('buy', '150.00', 10),
    });
    expect(r.statusCode).toBe(422);
    const { error } = r.json();
    expect(error.code).toBe('ENG_PRICE_ABOVE_BAND');
    expect(error.message).toMatch(/^the price 150\.00 CNY is above today’s band \(\d+\.\d{2}-\d+\.\d{2} CNY\)$/);
    expect(error.message).not.toMatch(/fen/);
    expect(error.params.price).toBe('150.00');
    expect(error.params.low).toMatch(CNY);
    expect(error.params.high).toMatch(CNY);
    expect(Number(error.params.low)).toBeLessThan(Number(error.params.high));
    expect(Number(error.params.high)).toBeLessThan(150);
  });

  it('a message of its code’s form without values gives params {}; another sentence gives none', async () => {
    const r = await t.inject({ method: 'GET', url: '/api/me' });
    expect(r.statusCode).toBe(401);
    expect(r.json().error.params).toBeUndefined();
    const missing = await t.inject({ method: 'GET', url: '/api/no-such-route' });
    expect(missing.json().error).toEqual({ code: 'NOT_FOUND', message: 'no route GET /api/no-such-route' });
  });

  it('over the WebSocket: a refused order’s ack carries the params', async () => {
    const b = await t.join('Bo');
    const c = await wsClient(`${base}/ws?token=${b.token}`);
    clients.push(c);
    c.send({ op: 'order', reqId: 'r1', ...order('buy', '150.00', 10) });
    const ack = (await c.wait((m) => m.op === 'ack' && m.reqId === 'r1')) as {
      ok: boolean;
      error: { code: string; message: string; params: Record<string, string> };
    };
    expect(ack.ok).toBe(false);
    expect(ack.error.code).toBe('ENG_PRICE_ABOVE_BAND');
    expect(ack.error.params.price).toBe('150.00');
    expect(ack.error.params.high).toMatch(CNY);
  });
});
