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

  it('the refusals a student meets have their code’s form, so they come with params: money in CNY', async () => {
    const a = await t.join('Cai');
    const b = await t.join('Dai');
    const tk = t.server.instructorToken!;
    const post = (token: string, url: string, payload: object) =>
      t.inject({ method: 'POST', url, headers: auth(token), payload });
    const error = (r: { json(): { error?: { code: string; message: string; params?: Record<string, string> } } }) =>
      r.json().error!;
    const cases: [string, { code: string; message: string; params?: Record<string, string> }][] = [];
    cases.push(['allowances', error(await post(a.token, '/api/orders', order('sell', '100.00', 99_999_999)))]);
    cases.push(['cash', error(await post(a.token, '/api/orders', order('buy', '100.00', 900_000_000)))]);
    await post(tk, '/api/classrooms/default/auctions', { qtyT: 40_000, reservePriceCny: '80.00', minutes: 15 });
    cases.push(['reserve', error(await post(a.token, '/api/auctions/A1/bids', { priceCny: '70.00', qtyT: 30_000 }))]);
    cases.push([
      'surrender',
      error(await post(a.token, '/api/me/surrender', { instrumentId: 'CEA-23', qtyT: 999_999_999 })),
    ]);
    // Block trades run 13:00-15:00.
    t.server.hub.rooms.get('default')!.advanceExchange(215 * 60_000);
    const block = (priceCny: string, qtyT: number) =>
      post(a.token, '/api/blocks', {
        marketId: 'national',
        instrumentId: 'CEA-23',
        side: 'sell',
        priceCny,
        qtyT,
        toStudentId: b.studentId,
      });
    cases.push(['block band', error(await block('500.00', 100_000))]);
    cases.push(['block minimum', error(await block('95.00', 10))]);
    expect(cases.map(([what, e]) => [what, e.code])).toEqual([
      ['allowances', 'MKT_ERR_INSUFFICIENT_ALLOWANCES'],
      ['cash', 'MKT_ERR_INSUFFICIENT_CASH'],
      ['reserve', 'MKT_ERR_RESERVE_NOT_MET'],
      ['surrender', 'MKT_ERR_EXCEEDS_OBLIGATION'],
      ['block band', 'MKT_ERR_PRICE_OUTSIDE_BAND'],
      ['block minimum', 'MKT_ERR_BELOW_BLOCK_MINIMUM'],
    ]);
    for (const [what, e] of cases) {
      expect(e.params, `${what}: ${e.message}`).toBeDefined();
      expect(e.message, what).not.toMatch(/fen/);
    }
    const byWhat = new Map(cases);
    expect(byWhat.get('cash')!.params!.available).toMatch(CNY);
    expect(byWhat.get('reserve')!.params).toEqual({ reserve: '80.00' });
    expect(byWhat.get('block band')!.params!.price).toBe('500.00');
    expect(byWhat.get('block minimum')!.params).toEqual({ min: '100000' });
  });
});
