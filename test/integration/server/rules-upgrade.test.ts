// The upgrade to rounds keeps the classes started before them: a data folder whose classroom (of the rules before
// rounds) traded on past its deadline, its store from before the rules column, comes back through the hub's restore
// (the migration gives the row the old rules; the newest snapshot, then the journal) at the same journal position with
// the same state hash, as a from-scratch replay does; a classroom created after the upgrade gets rounds.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { Classroom } from '../../../src/live/classroom.ts';
import type { LiveCommand } from '../../../src/live/commands.ts';
import { RULES_BEFORE_ROUNDS } from '../../../src/live/types.ts';
import type { Hub } from '../../../src/server/hub.ts';
import { replayJournal } from '../../../src/server/journal-replay.ts';
import { DB_FILE } from '../../../src/store/live-db.ts';
import { auth, ctx, dbOf, testServer } from './fixture.ts';

const admin = auth('admin-token-for-tests-0001');
const DAY = 86_400_000;
const DEADLINE = '2024-12-18';
const settings = { name: 'Before rounds', scenario: 'classroom', seed: 3, speed: 60, botIntensity: 1 };

function must(hub: Hub, room: Classroom, cmd: LiveCommand): void {
  const r = hub.apply(room, cmd as never);
  if (!r.ok) throw new Error(`${cmd.op}: ${r.code}: ${r.message}`);
}

describe('upgrading a data folder to rounds', () => {
  it('a class of the rules before rounds that traded past its deadline comes back with the same state hash', async () => {
    const t = await testServer({}, { autoStart: false });
    const hub = t.server.hub;
    const created = hub.create({ id: 'old', ...settings, rules: RULES_BEFORE_ROUNDS });
    if (!created.ok) throw new Error(created.message);
    const room = created.value.room;
    for (const name of ['Ann', 'Bo']) if (!hub.addStudent(room, name).ok) throw new Error(name);
    must(hub, room, { op: 'start' });
    must(hub, room, { op: 'deadline', date: DEADLINE });
    let snapshotted = false;
    let tradedAfter = 0;
    for (let i = 0; i < 40 && room.state === 'running'; i++) {
      if (room.date > DEADLINE) {
        // Ann sells to Bo after the deadline, and a snapshot is taken on the first day after it.
        const px = room.ticker('national', 'CEA-23').prevCloseFen;
        const o = { op: 'order', marketId: 'national', instrumentId: 'CEA-23', qtyT: 500, tif: 'day' } as const;
        must(hub, room, { ...o, studentId: 1, side: 'sell', priceFen: px });
        must(hub, room, { ...o, studentId: 2, side: 'buy', priceFen: px });
        tradedAfter++;
        if (!snapshotted) snapshotted = hub.snapshotAll() > 0;
      }
      must(hub, room, { op: 'tick', exchangeMs: DAY });
    }
    expect(snapshotted).toBe(true);
    expect(tradedAfter).toBeGreaterThan(5);
    expect(room.state).toBe('ended');
    await hub.durable();
    const state = async (s: typeof t) =>
      (await s.inject({ method: 'GET', url: '/api/classrooms/old/state', headers: admin })).json();
    const before = await state(t);
    expect(before.seq).toBeGreaterThan(20);
    const snapshotSeq = dbOf(t).prepare('SELECT MAX(seq) AS seq FROM snapshot WHERE classroom_id = ?').get('old') as {
      seq: number;
    };
    // No close (which would snapshot): the first server just stops being used, its journal committed.

    // The store as the version before rounds left it: no rules column.
    const db = new Database(join(t.dir, DB_FILE));
    db.exec('ALTER TABLE classroom DROP COLUMN rules');
    db.close();

    const t2 = await testServer({}, { dir: t.dir, autoStart: false });
    try {
      // The migration gives every classroom of the older store the rules before rounds.
      expect(dbOf(t2).prepare('SELECT id, rules FROM classroom ORDER BY id').all()).toEqual([
        { id: 'default', rules: RULES_BEFORE_ROUNDS },
        { id: 'old', rules: RULES_BEFORE_ROUNDS },
      ]);
      expect(t2.server.hub.recovered.find((r) => r.classroomId === 'old')).toEqual({
        classroomId: 'old',
        snapshotSeq: snapshotSeq.seq,
        skippedSnapshots: 0,
        replayed: before.seq - snapshotSeq.seq,
      });
      expect(await state(t2)).toEqual(before);
      expect(replayJournal(ctx(), t.dir, 'old')).toMatchObject({ seq: before.seq, hash: before.hash });
      const view = (await t2.inject({ method: 'GET', url: '/api/classrooms/old' })).json();
      expect(view).toMatchObject({
        state: 'ended',
        autoSurrender: false,
        beforeRounds: true,
        clock: { date: '2024-12-31' },
      });

      // A classroom created after the upgrade gets rounds: stored with them, automatic surrender on.
      const fresh = t2.server.hub.create({ id: 'new', ...settings });
      if (!fresh.ok) throw new Error(fresh.message);
      expect(fresh.value.room.autoSurrender).toBe(true);
      expect((await t2.inject({ method: 'GET', url: '/api/classrooms/new' })).json().beforeRounds).toBe(false);
      expect(dbOf(t2).prepare("SELECT rules FROM classroom WHERE id = 'new'").get()).toEqual({ rules: 2 });

      // The admin's list says which classes run the rules before rounds, and a reset gives one rounds.
      const list = async () =>
        Object.fromEntries(
          (
            (await t2.inject({ method: 'GET', url: '/api/classrooms', headers: admin })).json() as {
              classrooms: { id: string; beforeRounds: boolean }[];
            }
          ).classrooms.map((c) => [c.id, c.beforeRounds]),
        );
      expect(await list()).toEqual({ default: true, old: true, new: false });
      const reset = await t2.inject({ method: 'POST', url: '/api/classrooms/old/reset', headers: admin });
      expect(reset.statusCode).toBe(200);
      expect(await list()).toEqual({ default: true, old: false, new: false });
    } finally {
      await t2.server.close();
      await t.server.close().catch(() => undefined);
      rmSync(t.dir, { recursive: true, force: true });
    }
  });
});
