// Rounds over HTTP: students join in the lobby, the instructor starts a practice round and the next, reads the
// results; the class's settings (automatic surrender, the leaderboard's visibility) and a student's own switch; a
// restart brings a class in its second round back to the same state hash (a snapshot taken in round 2, then the
// journal).
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { auth, type TestServer, testServer } from './fixture.ts';

const admin = auth('admin-token-for-tests-0001');
let t: TestServer;

afterEach(async () => {
  await t?.close().catch(() => undefined);
});

async function lobby(): Promise<{ tk: Record<string, string>; a: string; b: string }> {
  t = await testServer({}, { autoStart: false });
  const a = await t.join('Ann');
  const b = await t.join('Bo');
  return { tk: auth(t.server.instructorToken!), a: a.token, b: b.token };
}

const post = (tk: Record<string, string>, payload: object) =>
  t.inject({ method: 'POST', url: '/api/classrooms/default/rounds', headers: tk, payload });

describe('rounds over HTTP', () => {
  it('the lobby, a practice round, round 1; results kept, the classroom view says where the class is', async () => {
    const { tk, a } = await lobby();
    let room = (await t.inject({ method: 'GET', url: '/api/classrooms/default' })).json();
    expect(room).toMatchObject({
      state: 'setup',
      round: { number: 1, practice: false, phase: 'lobby', roles: 'fixed', deadline: '2024-12-31' },
      leaderboardVisible: true,
      autoSurrender: true,
    });
    const practice = await post(tk, { practice: true });
    expect(practice.statusCode).toBe(200);
    expect(practice.json()).toEqual({
      round: { number: 0, practice: true, phase: 'trading', roles: 'fixed', deadline: '2024-12-31' },
    });
    t.clock.ms += 1_000;
    t.server.hub.tick();
    const next = await post(tk, { roles: 'redraw' });
    expect(next.json().round).toMatchObject({ number: 1, practice: false, phase: 'trading', roles: 'redraw' });
    room = (await t.inject({ method: 'GET', url: '/api/classrooms/default' })).json();
    expect(room).toMatchObject({ state: 'running', clock: { date: '2024-12-16' }, round: { number: 1 } });

    const rounds = (await t.inject({ method: 'GET', url: '/api/classrooms/default/rounds', headers: tk })).json();
    expect(rounds.current).toMatchObject({ number: 1, phase: 'trading' });
    expect(rounds.results).toHaveLength(1);
    expect(rounds.results[0]).toMatchObject({ number: 0, practice: true, roles: 'fixed', deadline: '2024-12-31' });
    expect(rounds.results[0].ended).toMatch(/^2024-12-16 \d\d:\d\d/);
    expect(rounds.results[0].students.map((s: { name: string }) => s.name)).toEqual(['Ann', 'Bo']);
    expect(rounds.results[0].students[0]).toMatchObject({ status: 'open', fineCny: '0.00' });
    expect(rounds.results[0].students[0].profitCny).toMatch(/^-?\d+\.\d\d$/);

    // A student of the class reads the rounds too: everyone's rows, or only their own while the leaderboard is hidden.
    const mine = () => t.inject({ method: 'GET', url: '/api/classrooms/default/rounds', headers: auth(a) });
    expect((await mine()).json().results[0].students).toHaveLength(2);
    const hide = await t.inject({
      method: 'PATCH',
      url: '/api/classrooms/default',
      headers: tk,
      payload: { leaderboardVisible: false },
    });
    expect(hide.json().leaderboardVisible).toBe(false);
    expect((await mine()).json().results[0].students.map((s: { name: string }) => s.name)).toEqual(['Ann']);
  });

  it('a whole round at full speed: over at the deadline, the long firm met by the automatic surrender, Bo short', async () => {
    const { tk, b } = await lobby();
    await t.inject({ method: 'PUT', url: '/api/me/auto-surrender', headers: auth(b), payload: { enabled: false } });
    await t.inject({ method: 'PATCH', url: '/api/classrooms/default', headers: tk, payload: { speed: 3_600 } });
    expect((await post(tk, {})).json().round).toMatchObject({ number: 1, phase: 'trading' });
    const room = t.server.hub.rooms.get('default')!;
    for (let i = 0; i < 200 && room.round().phase === 'trading'; i++) {
      t.clock.ms += 1_000;
      t.server.hub.tick();
    }
    const view = (await t.inject({ method: 'GET', url: '/api/classrooms/default' })).json();
    expect(view).toMatchObject({ state: 'paused', round: { number: 1, phase: 'over' }, clock: { date: '2024-12-31' } });
    const rounds = (await t.inject({ method: 'GET', url: '/api/classrooms/default/rounds', headers: tk })).json();
    expect(rounds.results[0].students).toMatchObject([
      { name: 'Ann', status: 'met', fineCny: '0.00' },
      { name: 'Bo', status: 'short' },
    ]);
    expect(Number(rounds.results[0].students[1].fineCny)).toBeGreaterThan(0);
    expect((await t.inject({ method: 'POST', url: '/api/classrooms/default/resume', headers: tk })).statusCode).toBe(
      409,
    );
  });

  it('refuses a student starting a round, a bad body, and a round after the class ended', async () => {
    const { tk, a } = await lobby();
    expect((await post(auth(a), {})).statusCode).toBe(403);
    expect((await post(tk, { roles: 'shuffle' })).statusCode).toBe(400);
    expect((await post(tk, { extra: 1 })).statusCode).toBe(400);
    expect((await t.inject({ method: 'POST', url: '/api/classrooms/default/end', headers: tk })).statusCode).toBe(200);
    const late = await post(tk, {});
    expect(late.statusCode).toBe(409);
    expect(late.json().error.code).toBe('LIVE_ERR_ENDED');
    expect((await t.inject({ method: 'GET', url: '/api/classrooms/default/rounds' })).statusCode).toBe(401);
  });

  it('automatic surrender: the class switch, a student’s own, and the instructor’s switch resetting it', async () => {
    const { tk, a } = await lobby();
    const room = t.server.hub.rooms.get('default')!;
    const put = (enabled: unknown) =>
      t.inject({ method: 'PUT', url: '/api/me/auto-surrender', headers: auth(a), payload: { enabled } });
    const off = await put(false);
    expect(off.statusCode).toBe(200);
    expect(off.json()).toEqual({ enabled: false });
    expect(room.autoSurrenderOf(1)).toBe(false);
    expect(room.autoSurrenderOf(2)).toBe(true);
    expect((await put('no')).statusCode).toBe(400);
    expect(
      (await t.inject({ method: 'PUT', url: '/api/me/auto-surrender', headers: tk, payload: { enabled: true } }))
        .statusCode,
    ).toBe(403);
    const cls = await t.inject({
      method: 'PATCH',
      url: '/api/classrooms/default',
      headers: tk,
      payload: { autoSurrender: true },
    });
    expect(cls.json().autoSurrender).toBe(true);
    expect(room.autoSurrenderOf(1)).toBe(true);
  });

  it('a class in its second round comes back after a restart with the same state hash', async () => {
    const { tk, a, b } = await lobby();
    await post(tk, { practice: true });
    for (let i = 0; i < 5; i++) {
      t.clock.ms += 1_000;
      t.server.hub.tick();
    }
    await post(tk, { roles: 'redraw' });
    await t.inject({ method: 'PUT', url: '/api/me/auto-surrender', headers: auth(b), payload: { enabled: false } });
    t.clock.ms += 1_000;
    t.server.hub.tick();
    expect(t.server.hub.snapshotAll()).toBe(1);
    const order = {
      marketId: 'national',
      instrumentId: 'CEA-23',
      side: 'buy',
      priceCny: '97.00',
      qtyT: 100,
      tif: 'day',
    };
    expect((await t.inject({ method: 'POST', url: '/api/orders', headers: auth(a), payload: order })).statusCode).toBe(
      200,
    );
    const s0 = (await t.inject({ method: 'GET', url: '/api/classrooms/default/state', headers: admin })).json();
    const t2 = await testServer({}, { dir: t.dir, autoStart: false });
    try {
      expect(t2.server.hub.recovered[0]).toMatchObject({ skippedSnapshots: 0 });
      expect(t2.server.hub.recovered[0]!.snapshotSeq).toBeGreaterThan(0);
      const s1 = (await t2.inject({ method: 'GET', url: '/api/classrooms/default/state', headers: admin })).json();
      expect(s1).toEqual(s0);
      const room2 = t2.server.hub.rooms.get('default')!;
      expect(room2.round()).toMatchObject({ number: 1, roles: 'redraw', phase: 'trading' });
      expect(room2.roundResults()).toHaveLength(1);
      expect(room2.autoSurrenderOf(2)).toBe(false);
    } finally {
      await t2.server.close();
      await t.server.close().catch(() => undefined);
      rmSync(t.dir, { recursive: true, force: true });
    }
  });
});
