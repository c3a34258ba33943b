import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auth, marketState, order, type TestServer, testServer } from './fixture.ts';

const CEA = 'CEA-23';
let t: TestServer;

beforeEach(async () => {
  t = await testServer();
});
afterEach(async () => {
  await t.close();
});

const stateOf = (tokens: string[]): Promise<string> => marketState(t, tokens);

describe('live classroom over HTTP', () => {
  it('a student joins as a covered firm with an obligation, cash and allowances', async () => {
    const a = await t.join('Alice');
    const me = (await t.inject({ method: 'GET', url: '/api/me', headers: auth(a.token) })).json();
    expect(me.name).toBe('Alice');
    expect(me.compliance.obligationT).toBeGreaterThan(0);
    expect(me.compliance.deadline).toBe('2024-12-31');
    expect(Number(me.account.cashCny)).toBeGreaterThan(0);
    expect(me.account.holdings.find((h: { instrumentId: string }) => h.instrumentId === CEA).totalT).toBeGreaterThan(0);
    const room = (await t.inject({ method: 'GET', url: '/api/classrooms/default' })).json();
    expect(room).toMatchObject({ state: 'running', clock: { date: '2024-12-16', session: 'listed' } });
  });

  it('two students trade: a listing and a crossing buy fill both, at the listing price, and show in fills and trades', async () => {
    const a = await t.join('Alice');
    const b = await t.join('Bob');
    const sell = await t.inject({
      method: 'POST',
      url: '/api/orders',
      headers: auth(a.token),
      payload: order('sell', '97.10', 1_000),
    });
    expect(sell.statusCode).toBe(200);
    expect(sell.json()).toMatchObject({ filledT: 0, restingT: 1_000 });
    const buy = await t.inject({
      method: 'POST',
      url: '/api/orders',
      headers: auth(b.token),
      payload: order('buy', '97.50', 400),
    });
    expect(buy.json()).toMatchObject({ filledT: 400, restingT: 0 });
    const fa = (await t.inject({ method: 'GET', url: '/api/me/fills', headers: auth(a.token) })).json().fills;
    const fb = (await t.inject({ method: 'GET', url: '/api/me/fills', headers: auth(b.token) })).json().fills;
    expect(fa[0]).toMatchObject({ side: 'sell', priceCny: '97.10', qtyT: 400, orderId: sell.json().orderId });
    expect(fb[0]).toMatchObject({ side: 'buy', priceCny: '97.10', qtyT: 400, orderId: buy.json().orderId });
    const orders = (await t.inject({ method: 'GET', url: '/api/me/orders', headers: auth(a.token) })).json().orders;
    expect(orders[0]).toMatchObject({ status: 'resting', filledT: 400, restingT: 600 });
    const trades = (
      await t.inject({ method: 'GET', url: `/api/classrooms/default/markets/national/trades?instrument=${CEA}` })
    ).json();
    expect(trades.trades[0]).toMatchObject({ priceCny: '97.10', qtyT: 400, mode: 'listed', aggressor: 'buy' });
    const cancel = await t.inject({
      method: 'DELETE',
      url: `/api/orders/${sell.json().orderId}`,
      headers: auth(a.token),
    });
    expect(cancel.json()).toEqual({ orderId: sell.json().orderId, cancelledT: 600 });
  });

  it('a student never sees or touches another student’s order; tokens are checked on every private route', async () => {
    const a = await t.join('Alice');
    const b = await t.join('Bob');
    const sell = (
      await t.inject({
        method: 'POST',
        url: '/api/orders',
        headers: auth(a.token),
        payload: order('sell', '98.00', 1_000),
      })
    ).json();
    const before = await stateOf([a.token, b.token]);
    const steal = await t.inject({ method: 'DELETE', url: `/api/orders/${sell.orderId}`, headers: auth(b.token) });
    expect(steal.statusCode).toBe(404);
    expect(steal.json().error.code).toBe('LIVE_ERR_UNKNOWN_ORDER');
    const amend = await t.inject({
      method: 'PATCH',
      url: `/api/orders/${sell.orderId}`,
      headers: auth(b.token),
      payload: { priceCny: '99.00', qtyT: 10 },
    });
    expect(amend.statusCode).toBe(404);
    expect((await t.inject({ method: 'GET', url: '/api/me/orders', headers: auth(b.token) })).json().orders).toEqual(
      [],
    );
    expect((await t.inject({ method: 'GET', url: '/api/me' })).statusCode).toBe(401);
    expect(
      (await t.inject({ method: 'GET', url: '/api/me', headers: auth('not-a-real-token') })).json().error.code,
    ).toBe('UNAUTHORIZED');
    const ctl = await t.inject({ method: 'POST', url: '/api/classrooms/default/pause', headers: auth(a.token) });
    expect(ctl.statusCode).toBe(403);
    expect(await stateOf([a.token, b.token])).toBe(before);
  });

  it('bad input gets a 4xx with a code and changes nothing', async () => {
    const a = await t.join('Alice');
    const before = await stateOf([a.token]);
    const cases: [object | string, number, string][] = [
      [order('buy', 'abc', 10), 400, 'BAD_REQUEST'],
      [order('buy', '97.123', 10), 400, 'BAD_REQUEST'],
      [order('buy', '-97', 10), 400, 'BAD_REQUEST'],
      [order('buy', '97.00', -5), 400, 'BAD_REQUEST'],
      [order('buy', '97.00', 1.5), 400, 'BAD_REQUEST'],
      [order('buy', '97.00', 10, { extra: 1 }), 400, 'BAD_REQUEST'],
      [{ ...order('buy', '97.00', 10), side: 'short' }, 400, 'BAD_REQUEST'],
      [{ ...order('buy', '97.00', 10), marketId: 'mars' }, 404, 'LIVE_ERR_UNKNOWN_MARKET'],
      [order('buy', '150.00', 10), 422, 'ENG_PRICE_ABOVE_BAND'],
      [order('buy', '97.00', 1e12), 400, 'BAD_REQUEST'],
      ['{"marketId":', 400, 'BAD_REQUEST'],
      [[1, 2, 3], 400, 'BAD_REQUEST'],
    ];
    for (const [payload, status, code] of cases) {
      const r = await t.inject({
        method: 'POST',
        url: '/api/orders',
        headers: { ...auth(a.token), 'content-type': 'application/json' },
        payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
      });
      expect([JSON.stringify(payload), r.statusCode, r.json().error?.code]).toEqual([
        JSON.stringify(payload),
        status,
        code,
      ]);
      expect(r.body).not.toMatch(/at .*\.ts:\d+/);
    }
    const huge = await t.inject({
      method: 'POST',
      url: '/api/orders',
      headers: { ...auth(a.token), 'content-type': 'application/json' },
      payload: JSON.stringify({ ...order('buy', '97.00', 10), pad: 'x'.repeat(200_000) }),
    });
    expect(huge.statusCode).toBe(413);
    expect(huge.json().error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await stateOf([a.token])).toBe(before);
  });

  it('the instructor pauses, resumes, fires a shock, moves the deadline, ends, and gets the report', async () => {
    const tk = t.server.instructorToken!;
    const a = await t.join('Alice');
    const admin = (await t.inject({ method: 'GET', url: '/api/classrooms/default/admin', headers: auth(tk) })).json();
    expect(admin.joinCode).toBe(t.server.joinCode);
    expect(admin.students).toHaveLength(1);
    expect(
      (await t.inject({ method: 'POST', url: '/api/classrooms/default/pause', headers: auth(tk) })).json().state,
    ).toBe('paused');
    const refused = await t.inject({
      method: 'POST',
      url: '/api/orders',
      headers: auth(a.token),
      payload: order('buy', '97.00', 10),
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('LIVE_ERR_NOT_RUNNING');
    expect(
      (await t.inject({ method: 'POST', url: '/api/classrooms/default/resume', headers: auth(tk) })).json().state,
    ).toBe('running');
    const shock = admin.timeline.findIndex((e: { kind: string }) => e.kind === 'announcement');
    const news = await t.inject({
      method: 'POST',
      url: '/api/classrooms/default/shocks',
      headers: auth(tk),
      payload: { index: shock },
    });
    expect(news.statusCode).toBe(200);
    expect((await t.inject({ method: 'GET', url: '/api/classrooms/default/news' })).json().news[0].seq).toBe(
      news.json().seq,
    );
    const moved = await t.inject({
      method: 'POST',
      url: '/api/classrooms/default/deadline',
      headers: auth(tk),
      payload: { date: '2024-12-27' },
    });
    expect(moved.json().deadline).toBe('2024-12-27');
    expect((await t.inject({ method: 'GET', url: '/api/me', headers: auth(a.token) })).json().compliance.deadline).toBe(
      '2024-12-27',
    );
    const back = await t.inject({
      method: 'POST',
      url: '/api/classrooms/default/deadline',
      headers: auth(tk),
      payload: { date: '2024-01-01' },
    });
    expect(back.statusCode).toBe(400);
    expect(
      (await t.inject({ method: 'POST', url: '/api/classrooms/default/end', headers: auth(tk) })).json().state,
    ).toBe('ended');
    const report = (await t.inject({ method: 'GET', url: '/api/classrooms/default/report', headers: auth(tk) })).json();
    expect(report.leaderboard.byProfit[0].name).toBe('Alice');
    expect(report.compliance[0]).toMatchObject({ name: 'Alice', status: 'open' });
  });

  it('the clock moves exchange time at the classroom speed and the bots trade', async () => {
    const before = (await t.inject({ method: 'GET', url: '/api/classrooms/default' })).json().clock.tsMs;
    for (let i = 0; i < 60; i++) {
      t.clock.ms += 1_000;
      t.server.hub.tick();
    }
    const after = (await t.inject({ method: 'GET', url: '/api/classrooms/default' })).json().clock.tsMs;
    expect(after - before).toBe(60 * 60_000);
    const trades = (
      await t.inject({ method: 'GET', url: `/api/classrooms/default/markets/national/trades?instrument=${CEA}` })
    ).json();
    expect(trades.trades.length).toBeGreaterThan(0);
  });

  it('rate limits per token', async () => {
    await t.close();
    t = await testServer({ rateLimitPerMin: 5 });
    const a = await t.join('Alice');
    const codes = [];
    for (let i = 0; i < 7; i++)
      codes.push((await t.inject({ method: 'GET', url: '/api/me', headers: auth(a.token) })).statusCode);
    expect(codes.slice(0, 4)).toEqual([200, 200, 200, 200]);
    expect(codes.at(-1)).toBe(429);
  });

  it('serves the OpenAPI description at /docs', async () => {
    const r = await t.inject({ method: 'GET', url: '/docs/json' });
    expect(r.statusCode).toBe(200);
    expect(Object.keys(r.json().paths)).toContain('/api/orders');
  });
});
