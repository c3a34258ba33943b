// Faults of the store, in one process, made without root: SQLite's max_page_count fills the database (every write
// that needs a new page fails with SQLITE_FULL, as on a full disk) and a fake fsync fails. For each: nothing
// acknowledged is lost, no refused command is in the state that is kept (journal or snapshot), the server stays up
// and serves reads, and a restart equals a from-scratch replay of the journal. A restart here is a second server on
// the same data folder while the first is simply dropped (no close, no final snapshot): what a kill -9 leaves. A
// power cut is a copy of the database and its WAL as they are (see powerCutCopy), torn at the end of the WAL.
import {
  closeSync,
  copyFileSync,
  existsSync,
  ftruncateSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { buildServer } from '../../../src/server/app.ts';
import { DEFAULTS } from '../../../src/server/config.ts';
import { replayJournal } from '../../../src/server/journal-replay.ts';
import type { SyncFile } from '../../../src/store/journal.ts';
import { StoreError } from '../../../src/store/live-db.ts';
import { auth, ctx, dbOf, order, type TestServer, testServer } from './fixture.ts';

const open: TestServer[] = [];
afterEach(async () => {
  // The later servers first: each is closed, the first one's folder removed last.
  for (const t of open.splice(0).reverse()) await t.close().catch(() => undefined);
});

async function start(dir?: string, journalSync?: SyncFile): Promise<TestServer> {
  const t = await testServer({}, { ...(dir === undefined ? {} : { dir }), ...(journalSync ? { journalSync } : {}) });
  open.push(t);
  return t;
}

/** The disk is full: no write may take a page the file does not have yet. */
function fill(db: Database.Database): void {
  const pages = db.pragma('page_count', { simple: true }) as number;
  db.pragma(`max_page_count = ${pages}`);
}

function free(db: Database.Database): void {
  db.pragma('max_page_count = 1073741823');
}

async function post(t: TestServer, token: string, body: object) {
  const r = await t.inject({ method: 'POST', url: '/api/orders', headers: auth(token), payload: body });
  return { status: r.statusCode, json: r.json() as Record<string, unknown> };
}

/** A resting order no one will trade with: well below the market, 100 t, at a price that names its batch. */
const resting = (priceCny: string) => order('buy', priceCny, 100);

describe('a full disk', () => {
  it('loses nothing acknowledged, keeps no refused command, stays up and writes again once space returns', async () => {
    const t = await start();
    const hub = t.server.hub;
    const room = hub.rooms.get('default')!;
    const a = await t.join('Ann');
    const acked: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await post(t, a.token, resting('90.01'));
      expect(r.status).toBe(200);
      acked.push(r.json.orderId as number);
    }
    const db = dbOf(t);
    fill(db);
    // Orders (and the clock, with the bots trading) until the disk refuses them: the first that does not fit is
    // refused, and so is every one after it.
    let refused = 0;
    for (let i = 0; i < 400 && refused < 5; i++) {
      t.clock.ms += 200;
      hub.tick();
      const r = await post(t, a.token, resting('90.02'));
      if (r.status === 200) acked.push(r.json.orderId as number);
      else {
        expect(r.status).toBe(503);
        expect((r.json.error as { code: string }).code).toBe('JOURNAL_ERR_WRITE');
        refused++;
      }
    }
    expect(refused).toBe(5);
    // Students joining while the disk is full are refused too (the reproduction added 60).
    const joins = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        t.inject({ method: 'POST', url: '/api/join', payload: { code: t.server.joinCode, name: `Late ${i}` } }),
      ),
    );
    expect(joins.map((r) => r.statusCode)).toEqual(Array(6).fill(503));
    // Reads go on, and show only what is kept: the refused orders are not there.
    const mine = await t.inject({ method: 'GET', url: '/api/me/orders', headers: auth(a.token) });
    expect(mine.statusCode).toBe(200);
    const ids = (mine.json() as { orders: { orderId: number }[] }).orders.map((o) => o.orderId).sort((x, y) => x - y);
    expect(ids).toEqual([...acked].sort((x, y) => x - y));
    expect(room.studentList()).toHaveLength(1);
    // The classroom in memory was brought back to its journal: it equals a from-scratch replay of it.
    const held = hub.state(room);
    const replayed = replayJournal(ctx(), t.dir, 'default');
    expect([held.seq, held.hash]).toEqual([replayed.seq, replayed.hash]);
    expect(hub.journalState()).toMatchObject({ writable: false, needsRestart: false });
    // The snapshot timer runs while the disk is full (it must neither throw nor write what was refused).
    expect(() => hub.snapshotAll()).not.toThrow();

    // Space comes back; the snapshot timer runs before anything else happens.
    free(db);
    expect(() => hub.snapshotAll()).not.toThrow();
    // The server writes again within a few seconds of wall time (its clock ticks try).
    for (let i = 0; i < 5; i++) {
      t.clock.ms += 1_000;
      hub.tick();
    }
    const after = await post(t, a.token, resting('90.03'));
    expect(after.status).toBe(200);
    acked.push(after.json.orderId as number);
    expect(hub.snapshotAll()).toBe(1);

    // kill -9, restart: every acknowledged order is there, none of the refused ones, and the state is the journal's.
    const t2 = await start(t.dir);
    const room2 = t2.server.hub.rooms.get('default')!;
    const orders2 = room2.studentOrders(a.studentId);
    expect(orders2.map((o) => o.orderId).sort((x, y) => x - y)).toEqual([...acked].sort((x, y) => x - y));
    expect(room2.studentList()).toHaveLength(1);
    const s2 = t2.server.hub.state(room2);
    const replay = replayJournal(ctx(), t.dir, 'default');
    expect([replay.seq, replay.hash]).toEqual([s2.seq, s2.hash]);
    expect(replay.integrity).toBeNull();
    // Orders placed now survive the next kill -9 too (in the issue they reused sequence numbers the snapshot had
    // passed, and the next restart skipped them).
    const more: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await post(t2, a.token, resting('90.04'));
      expect(r.status).toBe(200);
      more.push(r.json.orderId as number);
    }
    const t3 = await start(t.dir);
    const room3 = t3.server.hub.rooms.get('default')!;
    expect(room3.studentOrders(a.studentId).map((o) => o.orderId)).toEqual(expect.arrayContaining(more));
    expect(t3.server.hub.state(room3)).toEqual(t2.server.hub.state(room2));
  });
  it('with no load, a snapshot that does not fit is reported and tried again; the server stays up (no uncaught SqliteError)', async () => {
    const t = await start();
    const hub = t.server.hub;
    const notices: string[] = [];
    hub.onNotice((l) => notices.push(l));
    const a = await t.join('Ann');
    expect((await post(t, a.token, resting('90.01'))).status).toBe(200);
    const db = dbOf(t);
    fill(db);
    // What the snapshot timer calls: it used to throw "database or disk is full", which ended the process.
    expect(hub.snapshotAll()).toBe(0);
    expect(notices).toEqual([
      expect.stringMatching(/snapshot of classroom default could not be written \(database or disk is full\)/),
    ]);
    expect(hub.journalState()).toEqual({ writable: true }); // the journal itself lost nothing
    const depth = await t.inject({
      method: 'GET',
      url: '/api/classrooms/default/markets/national/depth?instrument=CEA-23',
    });
    expect(depth.statusCode).toBe(200);
    free(db);
    expect(hub.snapshotAll()).toBe(1);
    const room = hub.rooms.get('default')!;
    const t2 = await start(t.dir);
    expect(t2.server.hub.recovered[0]).toMatchObject({ snapshotSeq: hub.state(room).seq, replayed: 0 });
  });
});

/** An fsync the test controls: answers at once unless held or told to fail. */
function controlledSync() {
  const c = {
    mode: 'ok' as 'ok' | 'hold' | 'fail',
    held: [] as ((err: Error | null) => void)[],
    sync: ((_fd, done) => {
      if (c.mode === 'ok') setImmediate(() => done(null));
      else if (c.mode === 'hold') c.held.push(done);
      else setImmediate(() => done(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' })));
    }) as SyncFile,
  };
  return c;
}

/**
 * What a power cut would leave of a data folder: the database and its WAL as the page cache holds them now, without
 * the shared-memory index (so SQLite checks every frame of the WAL when it opens the copy).
 */
function powerCutCopy(dir: string): string {
  const copy = mkdtempSync(join(tmpdir(), 'cets-powercut-'));
  for (const f of ['cets.sqlite', 'cets.sqlite-wal', 'default-instructor-token'])
    if (existsSync(join(dir, f))) copyFileSync(join(dir, f), join(copy, f));
  return copy;
}

describe('a classroom that cannot be brought back to its journal', () => {
  it('takes no more changes or snapshots, and the server says it needs a restart; the restart loses nothing acknowledged', async () => {
    const t = await start();
    const hub = t.server.hub;
    const a = await t.join('Ann');
    const acked: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await post(t, a.token, resting('90.01'));
      expect(r.status).toBe(200);
      acked.push(r.json.orderId as number);
    }
    // The store cannot be read back when the journal breaks (a read error on top of the full disk).
    const store = (hub as unknown as { db: { classrooms: () => unknown } }).db;
    store.classrooms = () => {
      throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_READ' });
    };
    const notices: string[] = [];
    hub.onNotice((l) => notices.push(l));
    const db = dbOf(t);
    fill(db);
    let refused = 0;
    for (let i = 0; i < 400 && refused === 0; i++) {
      const r = await post(t, a.token, resting('90.02'));
      if (r.status === 200) acked.push(r.json.orderId as number);
      else refused++;
    }
    expect(refused).toBe(1);
    expect(hub.journalState()).toMatchObject({ writable: false, needsRestart: true });
    expect(notices).toEqual([expect.stringMatching(/needs a restart \(classrooms default could not be brought back/)]);
    free(db);
    for (let i = 0; i < 3; i++) {
      t.clock.ms += 1_000;
      hub.tick();
    }
    const after = await post(t, a.token, resting('90.03'));
    expect(after.status).toBe(503);
    expect((after.json.error as { message: string }).message).toMatch(/needs a restart/);
    expect(hub.snapshotAll()).toBe(0);
    const t2 = await start(t.dir);
    const room2 = t2.server.hub.rooms.get('default')!;
    expect(room2.studentOrders(a.studentId).map((o) => o.orderId)).toEqual(acked);
    const s2 = t2.server.hub.state(room2);
    const replay = replayJournal(ctx(), t.dir, 'default');
    expect([replay.seq, replay.hash]).toEqual([s2.seq, s2.hash]);
  });
});

describe('a failed fsync', () => {
  it('refuses changes and says a restart is needed; reads go on; a clean stop and a restart lose nothing acknowledged', async () => {
    const disk = controlledSync();
    const t = await start(undefined, disk.sync);
    const hub = t.server.hub;
    const states: unknown[] = [];
    hub.onJournalState((st) => states.push(st));
    const a = await t.join('Ann');
    const acked: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await post(t, a.token, resting('90.01'));
      expect(r.status).toBe(200);
      acked.push(r.json.orderId as number);
    }
    disk.mode = 'fail';
    const failed = await post(t, a.token, resting('90.02'));
    expect(failed.status).toBe(503);
    expect((failed.json.error as { message: string }).message).toMatch(
      /could not confirm that this change reached its disk \(EIO: i\/o error, fdatasync\)/,
    );
    disk.mode = 'ok';
    expect(states).toEqual([expect.objectContaining({ writable: false, needsRestart: true })]);
    const next = await post(t, a.token, resting('90.03'));
    expect(next.status).toBe(503);
    expect((next.json.error as { message: string }).message).toMatch(/needs a restart; nothing was done/);
    // Time passes: the server does not try to write again on its own after a failed fsync.
    for (let i = 0; i < 3; i++) {
      t.clock.ms += 1_000;
      hub.tick();
    }
    expect(hub.journalState()).toMatchObject({ writable: false, needsRestart: true });
    expect((await t.inject({ method: 'GET', url: '/api/me/orders', headers: auth(a.token) })).statusCode).toBe(200);
    expect(hub.snapshotAll()).toBe(0);
    // A clean stop while broken: no snapshot of what the disk may not hold, and no throw.
    await t.server.close();
    const t2 = await start(t.dir);
    const room2 = t2.server.hub.rooms.get('default')!;
    const ids = room2.studentOrders(a.studentId).map((o) => o.orderId);
    expect(ids).toEqual(expect.arrayContaining(acked));
    // The order whose fsync failed was committed: it may be there (its client was told so); nothing after it is.
    expect(ids.length).toBeLessThanOrEqual(acked.length + 1);
    const s2 = t2.server.hub.state(room2);
    const replay = replayJournal(ctx(), t.dir, 'default');
    expect([replay.seq, replay.hash]).toEqual([s2.seq, s2.hash]);
    expect((await post(t2, a.token, resting('90.04'))).status).toBe(200);
  });
});

describe('damaged files', () => {
  it('a torn WAL tail (a power cut during an unacknowledged commit): every acknowledged order is back, the state is the journal', async () => {
    const disk = controlledSync();
    const t = await start(undefined, disk.sync);
    const a = await t.join('Ann');
    const acked: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await post(t, a.token, resting('90.01'));
      expect(r.status).toBe(200);
      acked.push(r.json.orderId as number);
    }
    // One more order: committed to the WAL, its fsync held, so never acknowledged.
    disk.mode = 'hold';
    const pending = post(t, a.token, resting('90.02'));
    while (disk.held.length === 0) await new Promise((r) => setImmediate(r));
    const pageSize = dbOf(t).pragma('page_size', { simple: true }) as number;
    for (const tear of ['flip a byte of the last frame', 'half a frame of garbage after it'] as const) {
      const copy = powerCutCopy(t.dir);
      const wal = join(copy, 'cets.sqlite-wal');
      const size = statSync(wal).size;
      const fd = openSync(wal, 'r+');
      if (tear === 'flip a byte of the last frame') {
        const at = size - 100;
        const b = readFileSync(wal).subarray(at, at + 1);
        writeSync(fd, Buffer.from([b[0]! ^ 0xff]), 0, 1, at);
      } else writeSync(fd, Buffer.alloc((pageSize + 24) / 2, 0x5a), 0, (pageSize + 24) / 2, size);
      closeSync(fd);
      const t2 = await start(copy);
      const room2 = t2.server.hub.rooms.get('default')!;
      const ids = room2.studentOrders(a.studentId).map((o) => o.orderId);
      expect(ids, tear).toEqual(expect.arrayContaining(acked));
      if (tear === 'flip a byte of the last frame') expect(ids, tear).toHaveLength(acked.length);
      const s2 = t2.server.hub.state(room2);
      const replay = replayJournal(ctx(), copy, 'default');
      expect([replay.seq, replay.hash], tear).toEqual([s2.seq, s2.hash]);
      expect(replay.integrity, tear).toBeNull();
    }
    disk.held.splice(0).forEach((done) => {
      done(null);
    });
    expect((await pending).status).toBe(200);
  });

  it('a truncated store is refused with a message; nothing is written over it', async () => {
    const t = await start();
    const a = await t.join('Ann');
    for (let i = 0; i < 20; i++) expect((await post(t, a.token, resting('90.01'))).status).toBe(200);
    t.server.hub.snapshotAll();
    dbOf(t).pragma('wal_checkpoint(TRUNCATE)'); // everything in the main file, the WAL empty
    const copy = powerCutCopy(t.dir);
    const file = join(copy, 'cets.sqlite');
    const whole = statSync(file).size;
    const fd = openSync(file, 'r+');
    ftruncateSync(fd, Math.floor(whole / 2));
    closeSync(fd);
    const before = readFileSync(file);
    const token = readFileSync(join(copy, 'default-instructor-token'), 'utf8');
    const opened = buildServer(
      { ...DEFAULTS, dataDir: copy, port: 0, logLevel: 'silent', adminToken: 'admin-token-for-tests-0001' },
      { ctx: ctx(), autoStart: false },
    );
    await expect(opened).rejects.toThrow(StoreError);
    await expect(opened).rejects.toThrow(/is damaged|cannot be read as a database/);
    expect(readFileSync(file)).toEqual(before);
    expect(readFileSync(join(copy, 'default-instructor-token'), 'utf8')).toBe(token);
    rmSync(copy, { recursive: true, force: true });
  });
});
