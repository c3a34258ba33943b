// The journal's acknowledgement rule: durable() resolves only after an fsync of the WAL that started after the
// commit holding the command; a failed fsync breaks the journal and nothing after it is acknowledged. The fsync is a
// fake here, so each test decides when (and whether) the disk answers.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { LiveCommand } from '../../../src/live/commands.ts';
import { Journal, type SyncFile } from '../../../src/store/journal.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A fake fsync that answers only when told, and records the descriptors it was given. */
function heldSync() {
  const pending: ((err: Error | null) => void)[] = [];
  const fds: number[] = [];
  const sync: SyncFile = (fd, done) => {
    fds.push(fd);
    pending.push(done);
  };
  return { sync, pending, fds };
}

function open(sync?: SyncFile, ack?: 'fsync' | 'commit', syncEveryMs?: number) {
  const dir = mkdtempSync(join(tmpdir(), 'cets-journal-'));
  dirs.push(dir);
  const file = join(dir, 'j.sqlite');
  const db = new Database(file);
  return {
    db,
    file,
    journal: new Journal(db, {
      ...(sync === undefined ? {} : { sync }),
      ...(ack === undefined ? {} : { ack }),
      ...(syncEveryMs === undefined ? {} : { syncEveryMs }),
    }),
  };
}

const tick = (exchangeMs: number): LiveCommand => ({ op: 'tick', exchangeMs });
const turn = () => new Promise<void>((r) => setImmediate(r));
/** Whether a promise has settled by now (after pending microtasks ran). */
async function settled(p: Promise<unknown>): Promise<'resolved' | 'rejected' | 'pending'> {
  let state: 'resolved' | 'rejected' | 'pending' = 'pending';
  p.then(
    () => {
      state = 'resolved';
    },
    () => {
      state = 'rejected';
    },
  );
  await new Promise<void>((r) => setTimeout(r, 5));
  return state;
}

describe('journal', () => {
  it('acknowledges a command only once an fsync that started after its commit has returned', async () => {
    const fake = heldSync();
    const { journal: j, file } = open(fake.sync);
    j.append('room', tick(1));
    const first = j.durable();
    expect(await settled(first)).toBe('pending'); // committed at the turn's end, fsync asked, not answered
    expect(fake.pending).toHaveLength(1);
    expect(existsSync(`${file}-wal`)).toBe(true);
    // Two fsyncs may run at once: the next turn's command gets its own at once.
    j.append('room', tick(2));
    const second = j.durable();
    await turn();
    expect(fake.pending).toHaveLength(2);
    // A third command waits: both fsyncs are under way.
    j.append('room', tick(3));
    const third = j.durable();
    await turn();
    expect(fake.pending).toHaveLength(2);
    // The second fsync returns first: it started after the first two commits, so both are durable.
    fake.pending[1]!(null);
    expect(await settled(first)).toBe('resolved');
    expect(await settled(second)).toBe('resolved');
    expect(await settled(third)).toBe('pending');
    // The third was committed when that fsync returned, and got the next one.
    expect(fake.pending).toHaveLength(3);
    fake.pending[0]!(null); // the first fsync, late: changes nothing
    expect(await settled(third)).toBe('pending');
    fake.pending[2]!(null);
    expect(await settled(third)).toBe('resolved');
    expect([...j.entries('room')].map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(new Set(fake.fds).size).toBe(1);
    expect(j.syncs).toBe(3);
    j.close();
  });

  it('commits a whole turn of appends in one transaction and one fsync', async () => {
    const fake = heldSync();
    const { journal } = open(fake.sync);
    for (let i = 1; i <= 50; i++) journal.append('a', tick(i));
    journal.append('b', tick(1));
    const all = journal.durable();
    await turn();
    expect(journal.commits).toBe(1);
    expect(fake.pending).toHaveLength(1);
    fake.pending[0]!(null);
    await all;
    expect([...journal.entries('a', 48)].map((e) => e.cmd)).toEqual([tick(49), tick(50)]);
    expect(journal.lastSeq('b')).toBe(1);
    journal.close();
  });

  it('a failed fsync breaks the journal: its waiters and everything after are refused', async () => {
    const fake = heldSync();
    const { journal } = open(fake.sync);
    journal.append('room', tick(1));
    const first = journal.durable();
    await turn();
    journal.append('room', tick(2)); // committed behind the failing fsync
    const second = journal.durable();
    await turn();
    fake.pending[0]!(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    await expect(first).rejects.toThrow(/journal could not be written: EIO/);
    await expect(second).rejects.toThrow(/journal could not be written/);
    expect(journal.broken?.message).toMatch(/EIO/);
    expect(() => journal.append('room', tick(3))).toThrow(/journal could not be written/);
    await expect(journal.durable()).rejects.toThrow();
    // The late answer of the second fsync cannot un-break it.
    fake.pending[1]?.(null);
    expect(journal.broken).not.toBeNull();
    journal.close();
  });

  it('close() fsyncs what is pending itself and answers its waiters', async () => {
    const fake = heldSync();
    const { journal, db, file } = open(fake.sync);
    journal.append('room', tick(1));
    const first = journal.durable();
    await turn(); // its fsync is under way (held)
    journal.append('room', tick(2)); // not even committed yet
    const second = journal.durable();
    journal.close();
    await expect(first).resolves.toBeUndefined();
    await expect(second).resolves.toBeUndefined();
    db.close();
    const again = new Journal(new Database(file));
    expect([...again.entries('room')].map((e) => e.seq)).toEqual([1, 2]);
  });

  it('acknowledged on commit: durable() resolves at the turn’s end; one fsync at a time, a few ms later; a failed fsync still breaks it', async () => {
    const fake = heldSync();
    const { journal: j, db, file } = open(fake.sync, 'commit', 20);
    j.append('room', tick(1));
    const first = j.durable();
    expect(await settled(first)).toBe('resolved'); // committed at the turn's end, no fsync yet (settled waits 5 ms)
    expect(fake.pending).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 30)); // the fsync starts syncEveryMs after the commit
    expect(fake.pending).toHaveLength(1);
    // With that fsync held, commits go on and are acknowledged; no second fsync starts.
    j.append('room', tick(2));
    await turn();
    j.append('room', tick(3));
    const third = j.durable();
    expect(await settled(third)).toBe('resolved');
    await new Promise((r) => setTimeout(r, 30));
    expect(fake.pending).toHaveLength(1);
    expect(j.commits).toBe(3);
    // Another connection reads the three commands: they are in the file (in the WAL, not yet fsynced).
    const reader = new Database(file, { readonly: true });
    expect((reader.prepare('SELECT COUNT(*) AS n FROM journal').get() as { n: number }).n).toBe(3);
    reader.close();
    // When it returns, the next fsync (for commits 2 and 3) starts syncEveryMs later.
    fake.pending[0]!(null);
    expect(fake.pending).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 30));
    expect(fake.pending).toHaveLength(2);
    expect(j.syncs).toBe(1);
    fake.pending[1]!(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    expect(j.broken?.message).toMatch(/EIO/);
    expect(() => j.append('room', tick(4))).toThrow(/journal could not be written/);
    await expect(j.durable()).rejects.toThrow();
    j.close();
    db.close();
  });

  it('acknowledged on commit, close() fsyncs what the timer had not yet', async () => {
    const fake = heldSync();
    const { journal: j, db } = open(fake.sync, 'commit', 60_000);
    j.append('room', tick(1));
    await j.durable();
    expect(fake.pending).toHaveLength(0);
    j.close(); // fsyncSync of the real file; the timer is cleared (the test would wait a minute otherwise)
    expect(j.syncs).toBe(1);
    db.close();
  });

  it('keeps working on a file made with the older WITHOUT ROWID journal table, without adding an index to it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cets-journal-'));
    dirs.push(dir);
    const file = join(dir, 'old.sqlite');
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.exec(`CREATE TABLE journal (
      classroom_id TEXT NOT NULL, first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL, cmds TEXT NOT NULL,
      PRIMARY KEY (classroom_id, first_seq)) WITHOUT ROWID`);
    db.prepare('INSERT INTO journal VALUES (?, ?, ?, ?)').run('room', 1, 2, JSON.stringify([tick(1), tick(2)]));
    const j = new Journal(db);
    expect(j.lastSeq('room')).toBe(2);
    expect(j.append('room', tick(3))).toBe(3);
    await j.durable();
    expect([...j.entries('room', 1)].map((e) => [e.seq, e.cmd])).toEqual([
      [2, tick(2)],
      [3, tick(3)],
    ]);
    const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'journal'").all();
    expect(indexes.map((r) => (r as { name: string }).name).filter((n) => !n.startsWith('sqlite_'))).toEqual([]);
    j.close();
    db.close();
  });

  it('a new file gets the rowid table and its index; the last seq is found through the index', async () => {
    const { journal: j, db } = open(undefined);
    for (let i = 1; i <= 3; i++) {
      j.append('a', tick(i));
      j.append('b', tick(i));
      await j.durable();
    }
    const sql = (db.prepare("SELECT sql FROM sqlite_master WHERE name = 'journal'").get() as { sql: string }).sql;
    expect(sql).not.toMatch(/WITHOUT ROWID/);
    const plan = db
      .prepare('EXPLAIN QUERY PLAN SELECT last_seq FROM journal WHERE classroom_id = ? ORDER BY first_seq DESC LIMIT 1')
      .all('a') as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING INDEX journal_seq/);
    j.close();
    const again = new Journal(db);
    expect([again.lastSeq('a'), again.lastSeq('b'), again.lastSeq('c')]).toEqual([3, 3, 0]);
    again.close();
    db.close();
  });

  it('uses the real fdatasync by default', async () => {
    const { journal, db } = open(undefined);
    journal.append('room', tick(1));
    await journal.durable();
    expect(journal.syncs).toBe(1);
    journal.close();
    db.close();
  });
  it('a full disk: the failed commit is refused and leaves the file and the sequence as they were; resume() once there is room', async () => {
    // The first fsync is held (its commit waits for it), every later one answers at once.
    const held: ((err: Error | null) => void)[] = [];
    const sync: SyncFile = (_fd, done) => {
      if (held.length === 0) held.push(done);
      else setImmediate(() => done(null));
    };
    const { journal: j, db } = open(sync);
    const broke: { retryable: boolean; dropped: string[] }[] = [];
    j.onBreak((f) => broke.push({ retryable: f.error.retryable, dropped: [...f.dropped] }));
    j.append('a', tick(1));
    const first = j.durable();
    await turn(); // committed, its fsync held
    expect(j.lastSeq('a')).toBe(1);
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true })}`);
    // Appends until one does not fit; the sequence counts only what the file holds.
    let failed: Promise<void> | null = null;
    let seq = 1;
    for (let i = 2; i < 2_000 && failed === null; i++) {
      expect(j.append('a', tick(i))).toBe(++seq);
      expect(j.lastSeq('a')).toBe(seq - 1); // not before its commit
      j.append('b', tick(i));
      const d = j.durable();
      await turn();
      if (j.broken !== null) failed = d;
      else expect(j.lastSeq('a')).toBe(seq);
    }
    expect(failed).not.toBeNull();
    await expect(failed).rejects.toThrow(/database or disk is full/);
    expect(j.broken?.retryable).toBe(true);
    expect(broke).toEqual([{ retryable: true, dropped: ['a', 'b'] }]);
    const committed = j.lastSeq('a');
    expect([...j.entries('a')].map((e) => e.seq)).toEqual(Array.from({ length: committed }, (_, k) => k + 1));
    expect(() => j.append('a', tick(0))).toThrow(/database or disk is full/);
    expect(j.lastSeq('a')).toBe(committed);
    expect(committed).toBe(seq - 1);
    // A commit before the failure still gets its fsync and is acknowledged: it is in the file.
    held[0]!(null);
    expect(await settled(first)).toBe('resolved');
    // Still full: the probe does not fit and the journal stays broken.
    expect(j.resume()).toBe(false);
    expect(j.broken).not.toBeNull();
    db.pragma('max_page_count = 1073741823');
    expect(j.resume()).toBe(true);
    expect(j.broken).toBeNull();
    expect(j.append('a', tick(9))).toBe(committed + 1);
    await expect(j.durable()).resolves.toBeUndefined();
    expect([...j.entries('a', committed)].map((e) => [e.seq, e.cmd])).toEqual([[committed + 1, tick(9)]]);
    j.close();
    db.close();
  });

  it('a failed fsync cannot be resumed (what the disk holds is not known): a restart is needed', async () => {
    const fake = heldSync();
    const { journal: j, db } = open(fake.sync);
    const broke: { retryable: boolean; dropped: string[] }[] = [];
    j.onBreak((f) => broke.push({ retryable: f.error.retryable, dropped: [...f.dropped] }));
    j.append('a', tick(1));
    const first = j.durable();
    await turn();
    j.append('b', tick(1)); // appended, not committed when the fsync fails
    fake.pending[0]!(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    await expect(first).rejects.toThrow(/EIO/);
    expect(broke).toEqual([{ retryable: false, dropped: ['b'] }]);
    expect(j.resume()).toBe(false);
    expect(j.lastSeq('a')).toBe(1); // committed: the file holds it, though it was never acknowledged
    expect(j.lastSeq('b')).toBe(0);
    j.close();
    db.close();
  });

  it('refuses a snapshot ahead of the journal, and syncNow() makes everything appended durable at once', async () => {
    const fake = heldSync();
    const { journal: j, db } = open(fake.sync);
    j.append('a', tick(1));
    j.append('a', tick(2));
    const waiting = j.durable();
    expect(() => j.saveSnapshot('a', 3, 'h', '{}', 0)).toThrow(/ahead of the journal \(2\)/);
    expect([...j.snapshots('a')]).toHaveLength(0);
    expect(j.syncNow()).toBe(true); // no fsync held: a real one, on the loop
    expect(await settled(waiting)).toBe('resolved');
    j.saveSnapshot('a', 2, 'h', '{}', 0);
    expect([...j.snapshots('a')].map((s) => s.seq)).toEqual([2]);
    fake.pending[0]?.(null); // the late answer of the fsync started at the turn's end changes nothing
    j.close();
    db.close();
  });
  it('a commit that fails with an I/O error (not a full disk) is not retried either', async () => {
    const { journal: j, db } = open(undefined);
    const broke: { retryable: boolean; dropped: string[] }[] = [];
    j.onBreak((f) => broke.push({ retryable: f.error.retryable, dropped: [...f.dropped] }));
    j.append('a', tick(1));
    await j.durable();
    // A write inside the commit's transaction fails as a failing disk would make it.
    j.append('a', tick(2), () => {
      throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_WRITE' });
    });
    await expect(j.durable()).rejects.toThrow(/disk I\/O error/);
    expect(broke).toEqual([{ retryable: false, dropped: ['a'] }]);
    expect(j.lastSeq('a')).toBe(1);
    expect(j.resume()).toBe(false);
    j.close();
    db.close();
  });
});
