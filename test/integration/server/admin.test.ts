// Running classrooms from the instructor page: the admin token kept in the data folder, the addresses and the join
// screen's QR code, and (admin token) the classroom list, create with seats, reset and delete, all surviving a
// restart.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN_FILE } from '../../../src/server/app.ts';
import { auth, testServer } from './fixture.ts';

const ADMIN = 'admin-token-for-tests-0001';

describe('the admin token', () => {
  it('is kept in the data folder: a restart keeps it; an explicit one wins and is kept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cets-admin-'));
    try {
      const a = await testServer({ adminToken: null }, { dir, autoStart: false });
      const first = a.server.adminToken;
      expect(readFileSync(join(dir, ADMIN_TOKEN_FILE), 'utf8').trim()).toBe(first);
      await a.server.close();
      const b = await testServer({ adminToken: null }, { dir, autoStart: false });
      expect(b.server.adminToken).toBe(first);
      const list = await b.inject({ method: 'GET', url: '/api/classrooms', headers: auth(first) });
      expect(list.statusCode).toBe(200);
      await b.server.close();
      const c = await testServer({ adminToken: 'explicit-admin-token-0002' }, { dir, autoStart: false });
      expect(c.server.adminToken).toBe('explicit-admin-token-0002');
      expect((await c.inject({ method: 'GET', url: '/api/classrooms', headers: auth(first) })).statusCode).toBe(401);
      await c.server.close();
      const d = await testServer({ adminToken: null }, { dir, autoStart: false });
      expect(d.server.adminToken).toBe('explicit-admin-token-0002');
      await d.server.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('addresses and the join screen', () => {
  it('gives the addresses students open and a QR code of the trading page with the code filled in', async () => {
    const t = await testServer({}, { autoStart: false });
    try {
      const a = await t.inject({ method: 'GET', url: '/api/server/addresses' });
      expect(a.statusCode).toBe(200);
      expect(a.json().addresses).toEqual(t.server.addresses());
      const tk = auth(t.server.instructorToken!);
      const j = await t.inject({
        method: 'GET',
        url: '/api/classrooms/default/join?base=http://192.168.1.23:8080',
        headers: tk,
      });
      expect(j.statusCode).toBe(200);
      const body = j.json();
      expect(body.joinCode).toBe(t.server.joinCode);
      expect(body.url).toBe(`http://192.168.1.23:8080/trade?code=${t.server.joinCode}`);
      expect(body.qrSvg).toMatch(/^<svg[^>]*viewBox/);
      expect(body.qrSvg).toContain('<path');
      const bad = await t.inject({ method: 'GET', url: '/api/classrooms/default/join?base=javascript:x', headers: tk });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.code).toBe('ADMIN_ERR_BAD_BASE');
      const student = await t.join('Ann');
      const who = async (token: string) =>
        (await t.inject({ method: 'GET', url: '/api/whoami', headers: auth(token) })).json();
      expect(await who(ADMIN)).toEqual({ role: 'admin', classroomId: null });
      expect(await who(t.server.instructorToken!)).toEqual({ role: 'instructor', classroomId: 'default' });
      expect(await who(student.token)).toEqual({ role: 'student', classroomId: 'default' });
      expect((await t.inject({ method: 'GET', url: '/api/whoami' })).statusCode).toBe(401);
      const no = await t.inject({ method: 'GET', url: '/api/classrooms/default/join', headers: auth(student.token) });
      expect(no.statusCode).toBe(403);
    } finally {
      await t.close();
    }
  });
});

describe('classrooms from the page (admin token)', () => {
  it('lists scenarios and classrooms; creates with seats; only the admin lists, resets or deletes', async () => {
    const t = await testServer({}, { autoStart: false });
    try {
      const admin = auth(ADMIN);
      const sc = await t.inject({ method: 'GET', url: '/api/scenarios', headers: admin });
      expect(sc.statusCode).toBe(200);
      const classroom = sc.json().scenarios.find((s: { id: string }) => s.id === 'classroom');
      expect(classroom.markets.map((m: { id: string }) => m.id)).toEqual(['national', 'ccer']);
      expect((await t.inject({ method: 'GET', url: '/api/scenarios' })).statusCode).toBe(401);

      const made = await t.inject({
        method: 'POST',
        url: '/api/classrooms',
        headers: admin,
        payload: { name: 'Econ 101', scenario: 'classroom', speed: 120, botIntensity: 2 },
      });
      expect(made.statusCode).toBe(200);
      const { id, instructorToken } = made.json();
      const seats = await t.inject({
        method: 'PATCH',
        url: `/api/classrooms/${id}`,
        headers: admin,
        payload: { seats: 12 },
      });
      expect(seats.statusCode).toBe(200);
      const list = await t.inject({ method: 'GET', url: '/api/classrooms', headers: admin });
      const row = list.json().classrooms.find((c: { id: string }) => c.id === id);
      expect(row).toMatchObject({ name: 'Econ 101', scenario: 'classroom', speed: 120, botIntensity: 2, seatCap: 12 });
      expect(row.state).toBe('setup');
      expect(row.created).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);

      const mine = auth(instructorToken);
      for (const [method, url] of [
        ['GET', '/api/classrooms'],
        ['POST', `/api/classrooms/${id}/reset`],
        ['DELETE', `/api/classrooms/${id}`],
      ] as const) {
        const r = await t.inject({ method, url, headers: mine });
        expect(r.statusCode, url).toBe(403);
        expect(r.json().error.code).toBe('FORBIDDEN');
      }
      const gone = await t.inject({ method: 'DELETE', url: '/api/classrooms/default', headers: admin });
      expect(gone.statusCode).toBe(409);
      expect(gone.json().error.code).toBe('ADMIN_ERR_DEFAULT_KEPT');
      const none = await t.inject({ method: 'POST', url: '/api/classrooms/nosuch/reset', headers: admin });
      expect(none.statusCode).toBe(404);
      // Resetting the default classroom: its new instructor token is the one kept in the data folder.
      const def = await t.inject({ method: 'POST', url: '/api/classrooms/default/reset', headers: admin });
      expect(def.statusCode).toBe(200);
      expect(readFileSync(join(t.dir, 'default-instructor-token'), 'utf8').trim()).toBe(def.json().instructorToken);
      expect(t.server.hub.joinCode('default')).toBe(def.json().joinCode);
    } finally {
      await t.close();
    }
  });

  it('reset: same settings afresh, no students, new code and token; delete: gone; both after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cets-admin-'));
    try {
      const t = await testServer({}, { dir, autoStart: false });
      const admin = auth(ADMIN);
      const make = async (name: string) => {
        const r = await t.inject({ method: 'POST', url: '/api/classrooms', headers: admin, payload: { name } });
        expect(r.statusCode).toBe(200);
        return r.json() as { id: string; instructorToken: string; joinCode: string };
      };
      const a = await make('Morning');
      const b = await make('Afternoon');
      await t.inject({ method: 'PATCH', url: `/api/classrooms/${a.id}`, headers: admin, payload: { seats: 5 } });
      const join = await t.inject({ method: 'POST', url: '/api/join', payload: { code: a.joinCode, name: 'Ann' } });
      expect(join.statusCode).toBe(200);
      const ann = join.json().token as string;
      await t.inject({ method: 'POST', url: `/api/classrooms/${a.id}/start`, headers: auth(a.instructorToken) });
      t.clock.ms += 1_000;
      t.server.hub.tick();

      const reset = await t.inject({ method: 'POST', url: `/api/classrooms/${a.id}/reset`, headers: admin });
      expect(reset.statusCode).toBe(200);
      const fresh = reset.json();
      expect(fresh.id).toBe(a.id);
      expect(fresh.joinCode).not.toBe(a.joinCode);
      expect((await t.inject({ method: 'GET', url: '/api/me', headers: auth(ann) })).statusCode).toBe(401);
      const old = await t.inject({
        method: 'GET',
        url: `/api/classrooms/${a.id}/admin`,
        headers: auth(a.instructorToken),
      });
      expect(old.statusCode).toBe(401);
      const now = await t.inject({
        method: 'GET',
        url: `/api/classrooms/${a.id}/admin`,
        headers: auth(fresh.instructorToken),
      });
      expect(now.statusCode).toBe(200);
      expect(now.json()).toMatchObject({ students: [], seatCap: 5, joinCode: fresh.joinCode });
      expect(now.json().classroom.state).toBe('setup');
      const codeGone = await t.inject({ method: 'POST', url: '/api/join', payload: { code: a.joinCode, name: 'Bo' } });
      expect(codeGone.statusCode).toBe(404);
      const bo = await t.inject({ method: 'POST', url: '/api/join', payload: { code: fresh.joinCode, name: 'Bo' } });
      expect(bo.statusCode).toBe(200);
      expect(bo.json().studentId).toBe(1);

      const del = await t.inject({ method: 'DELETE', url: `/api/classrooms/${b.id}`, headers: admin });
      expect(del.json()).toEqual({ id: b.id, deleted: true });
      expect((await t.inject({ method: 'GET', url: `/api/classrooms/${b.id}/admin`, headers: admin })).statusCode).toBe(
        404,
      );
      const hash = t.server.hub.state(t.server.hub.rooms.get(a.id)!).hash;
      await t.server.close();

      // After a restart: the reset classroom holds only what came after the reset; the deleted one is gone.
      const u = await testServer({}, { dir, autoStart: false });
      const ids = (await u.inject({ method: 'GET', url: '/api/classrooms', headers: admin })).json().classrooms;
      expect(ids.map((c: { id: string }) => c.id)).toEqual(['default', a.id]);
      const back = u.server.hub.rooms.get(a.id)!;
      expect(back.studentList().map((s) => s.name)).toEqual(['Bo']);
      expect(u.server.hub.state(back).hash).toBe(hash);
      expect((await u.inject({ method: 'GET', url: '/api/me', headers: auth(bo.json().token) })).statusCode).toBe(200);
      await u.server.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('creates a classroom on some of its scenario’s markets, which a restart and a reset keep', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cets-admin-'));
    try {
      const t = await testServer({}, { dir, autoStart: false });
      const admin = auth(ADMIN);
      const make = (payload: object) =>
        t.inject({ method: 'POST', url: '/api/admin/classrooms', headers: admin, payload });
      const noHome = await make({ name: 'CCER only', scenario: 'classroom', markets: ['ccer'] });
      expect(noHome.statusCode).toBe(400);
      expect(noHome.json().error.message).toMatch(/home market national stays/);
      expect((await make({ name: 'X', scenario: 'classroom', markets: ['national', 'hubei'] })).statusCode).toBe(400);
      expect((await make({ name: 'X', scenario: 'nosuch' })).json().error.code).toBe('LIVE_ERR_BAD_INPUT');
      const rooms = t.server.hub.rooms.size;
      const tooMany = await make({ name: 'X', scenario: 'classroom', seats: 10_000 });
      expect(tooMany.statusCode).toBe(400);
      expect(t.server.hub.rooms.size).toBe(rooms); // nothing made
      const instructorOnly = await t.inject({
        method: 'POST',
        url: '/api/admin/classrooms',
        headers: auth(t.server.instructorToken!),
        payload: { name: 'X', scenario: 'classroom' },
      });
      expect(instructorOnly.statusCode).toBe(403);

      const made = await make({ name: 'CEA only', scenario: 'classroom', markets: ['national'], speed: 90, seats: 8 });
      expect(made.statusCode).toBe(200);
      const { id } = made.json();
      const room = t.server.hub.rooms.get(id)!;
      /** The markets classroom `cid` trades on server `u`. */
      const marketsOf = (u: typeof t, cid: string) =>
        u.server.hub.rooms
          .get(cid)!
          .marketList()
          .map((m) => m.id);
      expect(marketsOf(t, id)).toEqual(['national']);
      expect([room.speed, room.seatCap, room.state]).toEqual([90, 8, 'setup']);
      const row = async (u: typeof t) =>
        (await u.inject({ method: 'GET', url: '/api/classrooms', headers: admin }))
          .json()
          .classrooms.find((c: { id: string }) => c.id === id);
      expect((await row(t)).scenario).toBe('classroom-on-national');
      const all = await make({ name: 'Both', scenario: 'classroom' });
      expect(marketsOf(t, all.json().id)).toEqual(['national', 'ccer']);
      await t.server.close();

      const u = await testServer({}, { dir, autoStart: false });
      expect(marketsOf(u, id)).toEqual(['national']);
      const reset = await u.inject({ method: 'POST', url: `/api/classrooms/${id}/reset`, headers: admin });
      expect(reset.statusCode).toBe(200);
      expect(marketsOf(u, id)).toEqual(['national']);
      expect(await row(u)).toMatchObject({ scenario: 'classroom-on-national', seatCap: 8, speed: 90 });
      await u.server.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
