// Hardening (issue 20): names normalised and unique per classroom, student tokens revoked by the instructor (at once,
// sockets closed, still after a restart), classrooms created only from shipped scenarios.
import { afterEach, describe, expect, it } from 'vitest';
import { auth, order, type TestServer, testServer } from './fixture.ts';
import { upgradeStatus, wsClient } from './ws-client.ts';

const INS = 'instructor-token-for-tests-01';
const ADMIN = 'admin-token-for-tests-0001';
let t: TestServer | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

const join = (s: TestServer, name: string) =>
  s.inject({ method: 'POST', url: '/api/join', payload: { code: s.server.joinCode, name } });

describe('names', () => {
  it('are normalised, refused with control, zero-width or text-direction characters, and unique per classroom', async () => {
    t = await testServer({ botIntensity: 0 });
    const ok = await join(t, '  Ali\u3000 ce  ');
    expect(ok.statusCode).toBe(200);
    expect(ok.json().name).toBe('Ali ce');
    const bad = [
      'Al\u200Bice', // zero-width space
      'Bob\u202Eevil', // right-to-left override
      'Eve\u2066x\u2069', // isolates
      'Zed\u0007', // bell
      '\u3164', // Hangul filler, shows nothing
      '\u200D\u200D', // zero-width joiners only
      'x\u2028y', // line separator
      '---', // no letter or digit
    ];
    for (const name of bad) {
      const r = await join(t, name);
      expect(r.statusCode, JSON.stringify(name)).toBe(400);
      expect(r.json().error.code).toBe('LIVE_ERR_BAD_INPUT');
    }
    // Taken: same name, other case, full-width letters, composed or not.
    for (const name of ['ali ce', 'ALI CE', 'Ａｌｉ ｃｅ']) {
      const r = await join(t, name);
      expect(r.statusCode, name).toBe(409);
      expect(r.json().error).toMatchObject({
        code: 'LIVE_ERR_DUPLICATE_NAME',
        message: expect.stringMatching(/taken/),
      });
    }
    expect((await join(t, 'Ame\u0301lie')).statusCode).toBe(200);
    expect((await join(t, 'Am\u00E9lie')).statusCode).toBe(409);
    // The instructor's list is checked whole, against itself too: nobody is added.
    const list = await t.inject({
      method: 'POST',
      url: '/api/classrooms/default/students',
      headers: auth(t.server.instructorToken!),
      payload: { names: ['Carl', 'carl'] },
    });
    expect(list.statusCode).toBe(409);
    const admin = await t.inject({
      method: 'GET',
      url: '/api/classrooms/default/admin',
      headers: auth(t.server.instructorToken!),
    });
    expect(admin.json().students.map((s: { name: string }) => s.name)).toEqual(['Ali ce', 'Amélie']);
  });
});

describe('revoking a student token', () => {
  it('refuses its requests at once, closes its sockets and still holds after a restart', async () => {
    t = await testServer({ botIntensity: 0, instructorToken: INS });
    const base = (await t.server.listen()).replace('http', 'ws');
    const a = await t.join('Alice');
    const b = await t.join('Bob');
    const placed = await t.inject({
      method: 'POST',
      url: '/api/orders',
      headers: auth(a.token),
      payload: order('buy', '90.00', 10),
    });
    expect(placed.statusCode).toBe(200);
    const c = await wsClient(`${base}/ws?token=${a.token}`);
    await c.wait((m) => m.ch === 'private');
    const other = await wsClient(`${base}/ws?token=${b.token}`);

    // Only the classroom's instructor may.
    const byStudent = await t.inject({
      method: 'POST',
      url: `/api/classrooms/default/students/${a.studentId}/revoke`,
      headers: auth(b.token),
    });
    expect(byStudent.statusCode).toBe(403);
    const unknown = await t.inject({
      method: 'POST',
      url: '/api/classrooms/default/students/99/revoke',
      headers: auth(INS),
    });
    expect(unknown.statusCode).toBe(404);

    const r = await t.inject({
      method: 'POST',
      url: `/api/classrooms/default/students/${a.studentId}/revoke`,
      headers: auth(INS),
    });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ studentId: a.studentId, revoked: true });
    expect(await c.closed()).toBe(4401);
    const me = await t.inject({ method: 'GET', url: '/api/me', headers: auth(a.token) });
    expect(me.statusCode).toBe(401);
    expect(me.json().error.message).toMatch(/revoked/);
    expect(await upgradeStatus(`${base}/ws?token=${a.token}`)).toBe(401);
    // Bob is untouched.
    expect((await t.inject({ method: 'GET', url: '/api/me', headers: auth(b.token) })).statusCode).toBe(200);
    expect(other.ws.readyState).toBe(other.ws.OPEN);
    const admin = await t.inject({ method: 'GET', url: '/api/classrooms/default/admin', headers: auth(INS) });
    expect(admin.json().students.map((s: { revoked: boolean }) => s.revoked)).toEqual([true, false]);
    other.ws.terminate();

    const dir = t.dir;
    await t.server.close();
    t = await testServer({ botIntensity: 0, instructorToken: INS }, { dir });
    expect((await t.inject({ method: 'GET', url: '/api/me', headers: auth(a.token) })).statusCode).toBe(401);
    expect((await t.inject({ method: 'GET', url: '/api/me', headers: auth(b.token) })).statusCode).toBe(200);
  });
});

describe('creating a classroom', () => {
  it('names only a shipped scenario', async () => {
    t = await testServer({ botIntensity: 0 });
    const create = (scenario: string) =>
      t!.inject({ method: 'POST', url: '/api/classrooms', headers: auth(ADMIN), payload: { name: 'x', scenario } });
    for (const scenario of ['package.json', 'README', '..', 'tsconfig.json', 'nope']) {
      const r = await create(scenario);
      expect(r.statusCode, scenario).toBe(400);
      expect(r.json().error).toMatchObject({ code: 'LIVE_ERR_BAD_INPUT', message: expect.stringMatching(/shipped/) });
    }
    const ok = await create('classroom');
    expect(ok.statusCode).toBe(200);
  });
});
