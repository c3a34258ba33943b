// Limits that hold against a hostile client (issue 20, problems 4 and 5): channel names checked against the
// classroom's markets and instruments, subscriptions per socket, sockets per address and per token, requests
// counted per identity (a made-up Bearer string counts against the address), wrong join codes per address, joins per
// code and address, seats capped by the instructor, and WebSocket order entry on the student's HTTP budget.
import { afterEach, describe, expect, it } from 'vitest';
import { auth, order, type TestServer, testServer } from './fixture.ts';
import { upgradeStatus, wsClient } from './ws-client.ts';

const CEA = 'CEA-23';
let t: TestServer | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

const internals = (s: TestServer) =>
  s.server.streams as unknown as { subs: Map<string, unknown>; seqs: Map<string, unknown> };

describe('WebSocket channels and sockets', () => {
  it('a channel name with an extra part, an unknown market or instrument is refused and keeps nothing', async () => {
    t = await testServer({ botIntensity: 0 });
    const base = (await t.server.listen()).replace('http', 'ws');
    const c = await wsClient(`${base}/ws`);
    c.send({ op: 'subscribe', channels: [`depth:national:${CEA}`] });
    await c.wait((m) => m.ch === `depth:national:${CEA}` && m.type === 'snapshot');
    const keys = internals(t).subs.size;
    const bad = [
      `depth:national:${CEA}:x1`,
      `trades:national:${CEA}:`,
      `ticker:national:${CEA}:a:b`,
      'depth:mars:CEA-23',
      'depth:national:CEA-99',
      'bar:national',
      'status:x',
      'news:1',
      'private',
    ];
    for (const [i, ch] of bad.entries()) c.send({ op: 'subscribe', reqId: `b${i}`, channels: [ch] });
    for (const [i, ch] of bad.entries())
      expect(await c.wait((m) => m.op === 'error' && m.reqId === `b${i}`), ch).toMatchObject({
        error: { code: 'BAD_REQUEST' },
      });
    // 1,000 made-up names in 20 messages: no new key anywhere.
    for (let i = 0; i < 20; i++)
      c.send({
        op: 'subscribe',
        reqId: `m${i}`,
        channels: Array.from({ length: 50 }, (_, j) => `depth:national:${CEA}:${i}-${j}`),
      });
    await c.wait((m) => m.reqId === 'm19');
    expect(internals(t).subs.size).toBe(keys);
    c.ws.terminate();
  });

  it('subscriptions per socket are capped', async () => {
    t = await testServer({ botIntensity: 0 }, { limits: { subscriptionsPerSocket: 3 } });
    const base = (await t.server.listen()).replace('http', 'ws');
    const c = await wsClient(`${base}/ws`);
    c.send({ op: 'subscribe', reqId: 's1', channels: ['status', 'news', `depth:national:${CEA}`] });
    await c.wait((m) => m.op === 'subscribed');
    c.send({ op: 'subscribe', reqId: 's2', channels: [`trades:national:${CEA}`] });
    expect(await c.wait((m) => m.reqId === 's2')).toMatchObject({
      op: 'error',
      error: { code: 'TOO_MANY_SUBSCRIPTIONS' },
    });
    // Subscribing again to one it has is no new subscription; after an unsubscribe there is room.
    c.send({ op: 'unsubscribe', channels: ['news'] });
    c.send({ op: 'subscribe', reqId: 's3', channels: [`trades:national:${CEA}`, 'status'] });
    await c.wait((m) => m.ch === `trades:national:${CEA}` && m.type === 'snapshot');
    expect(c.got.some((m) => m.reqId === 's3' && m.op === 'error')).toBe(false);
    c.ws.terminate();
  });

  it('sockets are capped per address and per token', async () => {
    t = await testServer({ botIntensity: 0 }, { limits: { socketsPerAddress: 4, socketsPerToken: 2 } });
    const base = (await t.server.listen()).replace('http', 'ws');
    const a = await t.join('Alice');
    const mine = [await wsClient(`${base}/ws?token=${a.token}`), await wsClient(`${base}/ws?token=${a.token}`)];
    expect(await upgradeStatus(`${base}/ws?token=${a.token}`)).toBe(429);
    const anon = [await wsClient(`${base}/ws`), await wsClient(`${base}/ws`)];
    expect(await upgradeStatus(`${base}/ws`)).toBe(429);
    // A closed socket frees its place.
    anon[0]!.ws.close();
    await anon[0]!.closed();
    await new Promise((r) => setTimeout(r, 50));
    const again = await wsClient(`${base}/ws`);
    for (const c of [...mine, ...anon, again]) c.ws.terminate();
  });
});

describe('request limits per identity', () => {
  it('a made-up Bearer string counts against the address, not a fresh budget of its own', async () => {
    t = await testServer({ botIntensity: 0, rateLimitPerMin: 5 });
    const codes: number[] = [];
    for (let i = 0; i < 8; i++) {
      const r = await t.inject({ method: 'GET', url: '/api/health', headers: auth(`made-up-${i}-${Math.random()}`) });
      codes.push(r.statusCode);
    }
    expect(codes).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    const r = await t.inject({ method: 'GET', url: '/api/health' });
    expect(r.statusCode).toBe(429);
    expect(r.json().error).toMatchObject({ code: 'RATE_LIMITED', message: expect.stringMatching(/try again in/) });
  });

  it('a student has their own budget, shared by HTTP and WebSocket order entry', async () => {
    t = await testServer({ botIntensity: 0, rateLimitPerMin: 6 });
    const base = (await t.server.listen()).replace('http', 'ws');
    const a = await t.join('Alice'); // 1 request of the address
    // The address's budget does not touch the student's.
    for (let i = 0; i < 5; i++) await t.inject({ method: 'GET', url: '/api/health' });
    expect((await t.inject({ method: 'GET', url: '/api/health' })).statusCode).toBe(429);
    for (let i = 0; i < 3; i++)
      expect((await t.inject({ method: 'GET', url: '/api/me', headers: auth(a.token) })).statusCode).toBe(200);
    const c = await wsClient(`${base}/ws?token=${a.token}`); // the 4th
    c.send({ ...order('buy', '90.00', 10), op: 'order', reqId: 'o1' });
    c.send({ ...order('buy', '90.00', 10), op: 'order', reqId: 'o2' });
    c.send({ ...order('buy', '90.00', 10), op: 'order', reqId: 'o3' });
    expect(await c.wait((m) => m.reqId === 'o1' && m.op === 'ack')).toMatchObject({ ok: true });
    expect(await c.wait((m) => m.reqId === 'o2' && m.op === 'ack')).toMatchObject({ ok: true });
    expect(await c.wait((m) => m.reqId === 'o3' && m.op === 'ack')).toMatchObject({
      ok: false,
      error: { code: 'RATE_LIMITED' },
    });
    expect((await t.inject({ method: 'GET', url: '/api/me', headers: auth(a.token) })).statusCode).toBe(429);
    c.ws.terminate();
  });
});

describe('joining', () => {
  it('wrong join codes are limited per address', async () => {
    t = await testServer({ botIntensity: 0 }, { limits: { joinFailuresPerMin: 5 } });
    const codes: number[] = [];
    for (let i = 0; i < 7; i++) {
      const r = await t.inject({
        method: 'POST',
        url: '/api/join',
        payload: { code: `ABCD-${String(1000 + i)}`, name: `Guess ${i}` },
      });
      codes.push(r.statusCode);
    }
    expect(codes).toEqual([404, 404, 404, 404, 404, 429, 429]);
    // The right code is refused too, from that address, until the minute is over.
    const r = await t.inject({ method: 'POST', url: '/api/join', payload: { code: t.server.joinCode, name: 'Real' } });
    expect(r.statusCode).toBe(429);
    expect(r.json().error.message).toMatch(/wrong join codes/);
  });

  it('joins per code and address are limited', async () => {
    t = await testServer({ botIntensity: 0 }, { limits: { joinsPerCodePerMin: 3 } });
    const join = (name: string) =>
      t!.inject({ method: 'POST', url: '/api/join', payload: { code: t!.server.joinCode, name } });
    expect((await join('A1')).statusCode).toBe(200);
    expect((await join('A2')).statusCode).toBe(200);
    expect((await join('A3')).statusCode).toBe(200);
    const fourth = await join('A4');
    expect(fourth.statusCode).toBe(429);
    expect(fourth.json().error.code).toBe('RATE_LIMITED');
  });

  it('the instructor caps the seats: a join past them is LIVE_ERR_FULL; the cap survives a restart', async () => {
    t = await testServer({ botIntensity: 0, instructorToken: 'instructor-token-for-tests-01' });
    const ins = auth('instructor-token-for-tests-01');
    await t.join('Ann');
    const tooFew = await t.inject({
      method: 'PATCH',
      url: '/api/classrooms/default',
      headers: ins,
      payload: { seats: 0 },
    });
    expect(tooFew.statusCode).toBe(400);
    const set = await t.inject({
      method: 'PATCH',
      url: '/api/classrooms/default',
      headers: ins,
      payload: { seats: 2 },
    });
    expect(set.statusCode).toBe(200);
    await t.join('Ben');
    const third = await t.inject({
      method: 'POST',
      url: '/api/join',
      payload: { code: t.server.joinCode, name: 'Cy' },
    });
    expect(third.statusCode).toBe(409);
    expect(third.json().error).toMatchObject({ code: 'LIVE_ERR_FULL', message: expect.stringMatching(/full/) });
    const viaInstructor = await t.inject({
      method: 'POST',
      url: '/api/classrooms/default/students',
      headers: ins,
      payload: { names: ['Dee'] },
    });
    expect(viaInstructor.statusCode).toBe(409);
    const admin = (await t.inject({ method: 'GET', url: '/api/classrooms/default/admin', headers: ins })).json();
    expect(admin).toMatchObject({ seats: 2, seatCap: 2 });

    // After a restart (journal replayed), the cap holds.
    const dir = t.dir;
    await t.server.close();
    t = await testServer({ botIntensity: 0, instructorToken: 'instructor-token-for-tests-01' }, { dir });
    const after = await t.inject({
      method: 'POST',
      url: '/api/join',
      payload: { code: t.server.joinCode, name: 'Eve' },
    });
    expect(after.statusCode).toBe(409);
    const lift = await t.inject({
      method: 'PATCH',
      url: '/api/classrooms/default',
      headers: ins,
      payload: { seats: null },
    });
    expect(lift.statusCode).toBe(200);
    expect(
      (await t.inject({ method: 'POST', url: '/api/join', payload: { code: t.server.joinCode, name: 'Eve' } }))
        .statusCode,
    ).toBe(200);
  });
});
