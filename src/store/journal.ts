// The live market's journal: every command a classroom accepted, in order, in the server's SQLite file, and the
// classroom snapshots taken along the way. A restart loads a classroom's latest snapshot and replays the commands
// after it (src/server/hub.ts).
//
// Durability: the file is in WAL mode. A command is acknowledged only once the transaction holding it is committed
// and the WAL file is fsynced (fdatasync) after that commit, so a crash or a power loss can lose only commands
// nobody was told had succeeded. The fsync is ours, not SQLite's: SQLite runs with synchronous = NORMAL (no fsync at
// commit; WAL checkpoints are still synced, which keeps the file safe from corruption) and the journal calls
// fdatasync on the WAL file on libuv's thread pool. The event loop goes on serving requests while the disk works,
// where SQLite's own fsync (synchronous = FULL) would block it for every commit.
//
// Group commit: appends go into one transaction, committed at the end of the turn of the event loop; an fsync of
// the WAL then starts. At most MAX_SYNCS run at once: appends made while they all run wait, are committed together
// when one returns, and share the next. Everyone waiting on an fsync is answered when it (or a later one) returns.
// The WAL keeps commits in order and its checksums end recovery at the first frame missing after a power cut, so
// what survives is always a prefix of the commits. One row per classroom per commit holds its commands as one JSON
// array. WAL checkpoints (every 1,000 pages, SQLite's default) still fsync on the event loop; they are rare.
//
// With `ack: 'commit'` (the server's --durability commit) a command is acknowledged once its transaction is
// committed, without waiting for an fsync: the WAL is in the operating system's cache then, so the server being
// killed loses nothing acknowledged, but a power cut or an OS crash can take back what was not yet fsynced. Every
// batch is then committed at the end of its turn, and the fsyncs run one at a time, each starting a few milliseconds
// after the commit that needs it (syncLater): a power cut can take back about that much and one fsync.
import { closeSync, fdatasync, fsyncSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type Database from 'better-sqlite3';
import type { LiveCommand } from '../live/commands.ts';

export interface JournalEntry {
  readonly seq: number;
  readonly cmd: LiveCommand;
}

export interface SnapshotRow {
  readonly seq: number;
  readonly hash: string;
  /** Null when the stored bytes do not unzip (a damaged snapshot). */
  readonly state: string | null;
  readonly createdMs: number;
}

export class JournalError extends Error {
  readonly code = 'JOURNAL_ERR_WRITE';
  /**
   * True when the failure left the file as it was before the failed commit (SQLite rolled the transaction back:
   * SQLITE_FULL, the disk or the file's page limit is full), so writing may resume once there is room (resume()).
   * False after a failed fsync or any other I/O error: what the disk holds is not known, and only a restart (which
   * reads the file afresh) brings the journal back.
   */
  readonly retryable: boolean;
  constructor(message: string, retryable = false) {
    super(message);
    this.retryable = retryable;
  }
}

/** What a failure cost, for whoever holds the state the commands were applied to (the hub). */
export interface JournalFailure {
  readonly error: JournalError;
  /**
   * Classrooms with commands appended but never committed (the failed commit's, and those appended after it): their
   * state in memory is ahead of the journal and must be rebuilt from it. Commands committed before the failure stay
   * in the journal (and are acknowledged once an fsync covers them).
   */
  readonly dropped: ReadonlySet<string>;
}

interface Batch {
  /** Commands per classroom: first seq and the commands (written as one JSON array at the commit). */
  readonly rooms: Map<string, { first: number; cmds: LiveCommand[] }>;
  readonly sides: (() => void)[];
  /** Set once its transaction committed (the file holds its commands). */
  committed: boolean;
  /** Resolves once the batch is committed and the WAL fsynced after it. */
  readonly done: Promise<void>;
  resolve(): void;
  reject(e: Error): void;
}

/**
 * Fsyncs under way at once. With one, appends made while it runs wait for it to end before their own starts, so a
 * request waits up to two fsyncs (and the turns between); with two, the next batch's fsync starts at the end of the
 * turn that filled it.
 */
const MAX_SYNCS = 2;

/** Acknowledged on commit (ack: 'commit'), how long a commit waits for its fsync to start, ms (default). */
const SYNC_EVERY_MS = 5;

/** What resume() writes (and frees) to see that the disk has room again: 256 kB, some hundred commits' worth. */
const PROBE_BYTES = 256 * 1024;

/** Snapshots kept per classroom (older ones are deleted; the journal itself is kept whole). */
const KEEP_SNAPSHOTS = 3;

/** Flushes the WAL file to disk (fdatasync on the thread pool); tests pass a fake to hold or fail it. */
export type SyncFile = (fd: number, done: (err: Error | null) => void) => void;

export interface JournalOptions {
  /** How the WAL file is flushed (default: fdatasync on libuv's thread pool). */
  readonly sync?: SyncFile;
  /** When durable() resolves: after the fsync that covers the commit (default), or after the commit. */
  readonly ack?: 'fsync' | 'commit';
  /** With ack 'commit': how long a commit waits for its fsync to start, ms (default SYNC_EVERY_MS). */
  readonly syncEveryMs?: number;
}

export class Journal {
  private readonly db: Database.Database;
  /** The last committed sequence number per classroom (appends not yet committed are counted in the open batch). */
  private readonly seqs = new Map<string, number>();
  private readonly sync: SyncFile;
  private readonly ackOnCommit: boolean;
  private readonly syncEveryMs: number;
  /** Appends not yet committed. */
  private batch: Batch | null = null;
  /** Committed, waiting for the next fsync (committed by flush() while an fsync ran). */
  private committed: Batch[] = [];
  /** The newest batch of all: durable() waits for it (batches become durable in order). */
  private newest: Batch | null = null;
  /** Fsyncs under way, oldest first, each with the batches committed before it started (not covered by an earlier one). */
  private inFlight: { batches: Batch[] }[] = [];
  private scheduled = false;
  private syncTimer: NodeJS.Timeout | null = null;
  private walFd: number | null = null;
  private closed = false;
  private failure: JournalError | null = null;
  private readonly breakListeners: ((f: JournalFailure) => void)[] = [];
  private readonly insert: Database.Statement;
  private readonly commitBatch: (b: Batch) => void;
  /** Commits, fsyncs and commands so far (for the benchmarks and the logs). */
  commits = 0;
  syncs = 0;
  commands = 0;

  constructor(db: Database.Database, opts: JournalOptions = {}) {
    this.db = db;
    this.sync = opts.sync ?? fdatasync;
    this.ackOnCommit = opts.ack === 'commit';
    this.syncEveryMs = opts.syncEveryMs ?? SYNC_EVERY_MS;
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    // The fsync before each acknowledgement is of the WAL file: without WAL there would be nothing durable to wait on.
    if (mode !== 'wal' && !db.memory)
      throw new JournalError(`the journal needs SQLite's WAL mode, but ${db.name} is in ${String(mode)} mode`);
    // No fsync at commit: the journal fsyncs the WAL itself, off the event loop (see the top of this file).
    db.pragma('synchronous = NORMAL');
    // The journal is a rowid table (rows appended at the end of its b-tree) with a unique index for the lookups. It
    // was a WITHOUT ROWID table keyed by (classroom, first seq), where a commit's row of a few kB does not fit in the
    // key's b-tree page and spills into overflow pages: a commit of a 1.7 kB row took 51 us there against 33 us
    // here, and bench:journal went from 106-129k to 136-150k orders/s. Files made with the old table keep it: the
    // statements below work on both, and its primary key serves as the index.
    const old = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'journal'").get() as
      | { sql: string }
      | undefined;
    db.exec(`
      CREATE TABLE IF NOT EXISTS journal (
        classroom_id TEXT NOT NULL, first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL, cmds TEXT NOT NULL);
      ${old?.sql.includes('WITHOUT ROWID') ? '' : 'CREATE UNIQUE INDEX IF NOT EXISTS journal_seq ON journal (classroom_id, first_seq);'}
      CREATE TABLE IF NOT EXISTS probe (bytes BLOB NOT NULL);
      CREATE TABLE IF NOT EXISTS snapshot (
        classroom_id TEXT NOT NULL, seq INTEGER NOT NULL, hash TEXT NOT NULL, state BLOB NOT NULL,
        created_ms INTEGER NOT NULL, PRIMARY KEY (classroom_id, seq)) WITHOUT ROWID;
    `);
    this.insert = db.prepare('INSERT INTO journal (classroom_id, first_seq, last_seq, cmds) VALUES (?, ?, ?, ?)');
    this.commitBatch = db.transaction((b: Batch) => {
      for (const side of b.sides) side();
      for (const [roomId, r] of b.rooms)
        this.insert.run(roomId, r.first, r.first + r.cmds.length - 1, JSON.stringify(r.cmds));
    });
  }

  /**
   * The last sequence number of a classroom's commands that the file holds (0 before any): a command appended but
   * not yet committed is not counted (flush() first to count it), and one whose commit failed never is. So nothing
   * built on this number (a snapshot, the state's position) can be ahead of the journal.
   */
  lastSeq(roomId: string): number {
    let s = this.seqs.get(roomId);
    if (s === undefined) {
      // Rows are appended in sequence order: the last by first_seq (an index lookup) holds the last seq.
      const row = this.db
        .prepare('SELECT last_seq AS s FROM journal WHERE classroom_id = ? ORDER BY first_seq DESC LIMIT 1')
        .get(roomId) as { s: number } | undefined;
      s = row?.s ?? 0;
      this.seqs.set(roomId, s);
    }
    return s;
  }

  /**
   * Set when a commit or an fsync failed: nothing more is accepted until resume() (a retryable failure) or a
   * restart. The classrooms whose commands were dropped are told through onBreak().
   */
  get broken(): JournalError | null {
    return this.failure;
  }

  /** Called once per failure, after every waiter was refused, with the classrooms whose state is now ahead. */
  onBreak(listener: (f: JournalFailure) => void): void {
    this.breakListeners.push(listener);
  }

  /**
   * After a retryable failure (a full disk): tries a write of PROBE_BYTES (freed again in the same transaction, so it
   * leaves that much room in the file for the commits that follow) and, if it fits, accepts appends again. Returns
   * whether the journal is writable. Throws nothing: a probe that does not fit leaves it broken.
   */
  resume(): boolean {
    if (this.failure === null) return true;
    if (!this.failure.retryable || this.closed) return false;
    try {
      this.db.transaction(() => {
        this.db.prepare('INSERT INTO probe (bytes) VALUES (zeroblob(?))').run(PROBE_BYTES);
        this.db.prepare('DELETE FROM probe').run();
      })();
    } catch {
      return false;
    }
    this.seqs.clear(); // read again from the file (a failed commit changed nothing there, but the file is the truth)
    this.failure = null;
    // durable() waits for the newest batch still waiting for its fsync (the refused ones are gone).
    this.newest = this.committed.at(-1) ?? this.inFlight.at(-1)?.batches.at(-1) ?? null;
    return true;
  }

  /**
   * Adds an accepted command to the next commit and returns its sequence number. `side` runs inside the same
   * transaction (a row that must exist exactly when the command does, such as a student's token hash).
   */
  append(roomId: string, cmd: LiveCommand, side?: () => void): number {
    if (this.failure !== null) throw this.failure;
    const b = this.open();
    let r = b.rooms.get(roomId);
    if (r === undefined) {
      r = { first: this.lastSeq(roomId) + 1, cmds: [] };
      b.rooms.set(roomId, r);
    }
    const seq = r.first + r.cmds.length;
    // Kept by reference until the commit (commands are never changed once made), written in one stringify.
    r.cmds.push(cmd);
    if (side !== undefined) b.sides.push(side);
    this.commands++;
    // With MAX_SYNCS fsyncs under way, the batch waits for one to end (then joins the next); otherwise it goes at the
    // turn's end. Acknowledged on commit, it is committed at the turn's end either way.
    if ((this.ackOnCommit || this.inFlight.length < MAX_SYNCS) && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.commitAndSync();
      });
    }
    return seq;
  }

  /** Resolves when everything appended so far is committed and fsynced (rejects if that failed). */
  durable(): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    return this.newest?.done ?? Promise.resolve();
  }

  /**
   * Commits the appends now, so the file holds them (a snapshot after them, the state hash at this position), and
   * starts their fsync unless one is under way. durable() still says when they are on disk.
   */
  flush(): void {
    this.commit(); // now, even with every fsync slot taken (where commitAndSync would leave it pending)
    this.commitAndSync();
  }

  /**
   * Commits what is pending and fsyncs the WAL now, on the event loop (one fsync, for a snapshot or a clean stop),
   * answering everyone waiting. Returns whether everything appended so far is durable (false: the journal is broken).
   */
  syncNow(): boolean {
    if (this.closed) return this.failure === null;
    this.commit();
    // The fsync below covers what the ones under way (if any) were to make durable too; their late answers find
    // nothing left to answer.
    const waiting = [...this.inFlight.flatMap((f) => f.batches), ...this.committed];
    this.inFlight = [];
    this.committed = [];
    if (waiting.length > 0) {
      try {
        const fd = this.wal();
        if (fd !== null) fsyncSync(fd);
        this.syncs++;
      } catch (e) {
        this.fail(e, waiting);
        return false;
      }
      for (const b of waiting) b.resolve();
    }
    return this.failure === null;
  }

  /** Commits and fsyncs whatever is pending, without waiting for the loop (a clean stop); then closes the WAL fd. */
  close(): void {
    if (this.closed) return;
    if (this.syncTimer !== null) clearTimeout(this.syncTimer);
    this.syncTimer = null;
    this.syncNow();
    this.closed = true;
    // An fsync still on the thread pool holds its own reference to the file; closing our descriptor is safe.
    if (this.walFd !== null) closeSync(this.walFd);
    this.walFd = null;
  }

  /**
   * Commits what is pending and starts its fsync, as the mode says: acknowledged on commit, always commits and leaves
   * the fsync to syncLater; otherwise only when an fsync slot is free (kick).
   */
  private commitAndSync(): void {
    if (this.ackOnCommit) {
      this.commit();
      this.syncLater();
    } else this.kick();
  }

  /**
   * Acknowledged on commit: the next fsync starts syncEveryMs after the commit that needs it (or after the fsync
   * before it returns), one at a time. The fsyncs then cost little (at most a couple of hundred a second, each
   * covering many commits), and a power cut can take back at most about syncEveryMs and one fsync of commands. With
   * an fsync after every turn's commit instead, bench:http in this mode measured 0.48-0.60 rather than 0.61-0.71:
   * each fsync wakes a thread-pool thread and then the event loop.
   */
  private syncLater(): void {
    if (this.syncTimer !== null || this.inFlight.length > 0 || this.committed.length === 0 || this.closed) return;
    this.syncTimer = setTimeout(() => {
      this.syncTimer = null;
      this.kick();
    }, this.syncEveryMs);
  }

  private open(): Batch {
    if (this.batch !== null) return this.batch;
    let resolve!: () => void;
    let reject!: (e: Error) => void;
    const done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // A failed commit is reported to each waiter; this keeps an unwaited batch from being an unhandled rejection.
    done.catch(() => undefined);
    const b: Batch = { rooms: new Map(), sides: [], committed: false, done, resolve, reject };
    this.batch = b;
    this.newest = b;
    return b;
  }

  /** Writes the open batch's transaction (no fsync: see the top of this file). */
  private commit(): void {
    const b = this.batch;
    if (b === null || this.failure !== null) return;
    this.batch = null;
    try {
      this.commitBatch(b);
    } catch (e) {
      this.fail(e, [b]);
      return;
    }
    this.commits++;
    b.committed = true;
    for (const [roomId, r] of b.rooms) this.seqs.set(roomId, r.first + r.cmds.length - 1);
    this.committed.push(b);
    if (this.ackOnCommit) b.resolve();
  }

  /**
   * Starts an fsync for everything committed, committing the open batch first, if fewer than MAX_SYNCS run. Also
   * after a failed commit: what was committed before it is in the file and is acknowledged once an fsync covers it.
   */
  private kick(): void {
    if (this.inFlight.length >= MAX_SYNCS || this.closed) return;
    this.commit();
    if (this.committed.length === 0) return;
    const group = { batches: this.committed };
    this.committed = [];
    let fd: number | null;
    try {
      fd = this.wal();
    } catch (e) {
      this.fail(e, group.batches);
      return;
    }
    if (fd === null) {
      for (const b of group.batches) b.resolve();
      return;
    }
    this.inFlight.push(group);
    this.sync(fd, (err) => {
      if (this.closed) return; // close() fsynced and answered them already
      const k = this.inFlight.indexOf(group); // -1: syncNow() fsynced and answered them already
      if (err !== null) {
        this.fail(err, []);
        return;
      }
      this.syncs++;
      // This fsync started after every commit of its group and of the groups before it: all of them are on disk.
      for (const g of this.inFlight.splice(0, k + 1)) for (const b of g.batches) b.resolve();
      // Appends made meanwhile are committed now, together, and share the next fsync.
      if (this.ackOnCommit) this.syncLater();
      else this.kick();
    });
  }

  /**
   * The WAL file's descriptor, opened at the first commit (SQLite creates the file at the first write; it keeps it
   * until the connection closes, so the descriptor stays valid). Null for a database without a file (in memory).
   */
  private wal(): number | null {
    if (this.walFd !== null) return this.walFd;
    const file = this.db.name;
    if (this.db.memory || file === '' || file === ':memory:') return null;
    this.walFd = openSync(`${file}-wal`, 'r');
    // The WAL's name in its directory must survive a power cut as well as its contents.
    const dir = openSync(dirname(file), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
    return this.walFd;
  }

  /**
   * Marks the journal broken and refuses the waiters that cannot be acknowledged: `group` (a failed commit's batch,
   * or batches whose fsync failed) and the open batch. A failed commit leaves the file as it was (SQLite rolls the
   * transaction back), so batches committed before it still wait for their fsync; a failed fsync leaves nothing
   * known about the disk, and every waiter is refused. Then tells the listeners which classrooms lost commands.
   */
  private fail(e: unknown, group: Batch[]): void {
    const full = e !== null && typeof e === 'object' && 'code' in e && e.code === 'SQLITE_FULL';
    const atCommit = group.length > 0 && group.every((b) => !b.committed);
    const next = new JournalError(
      `the journal could not be written: ${e instanceof Error ? e.message : String(e)}`,
      full && atCommit,
    );
    // The first failure is kept, unless a worse one follows (a failed fsync after a full disk: now a restart is needed).
    const changed = this.failure === null || (this.failure.retryable && !next.retryable);
    if (changed) this.failure = next;
    const failure = this.failure!;
    const refused = [...group, ...(this.batch !== null ? [this.batch] : [])];
    if (!failure.retryable) {
      refused.push(...this.inFlight.flatMap((f) => f.batches), ...this.committed);
      this.inFlight = [];
      this.committed = [];
    }
    this.batch = null;
    const dropped = new Set<string>();
    for (const b of refused) {
      b.reject(failure);
      if (!b.committed) for (const roomId of b.rooms.keys()) dropped.add(roomId);
    }
    // Called from the loop's own callbacks (the turn's commit, an fsync's answer): a listener that throws must not end
    // the process, and the journal stays broken whatever it did.
    if (changed || dropped.size > 0)
      for (const l of this.breakListeners)
        try {
          l({ error: failure, dropped });
        } catch {
          // the listener's own problem; the failure is already recorded
        }
  }

  /** Drops a classroom's commands and snapshots (a classroom deleted, or reset to start afresh under its id). */
  forget(roomId: string): void {
    this.flush();
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM journal WHERE classroom_id = ?').run(roomId);
      this.db.prepare('DELETE FROM snapshot WHERE classroom_id = ?').run(roomId);
    })();
    this.seqs.delete(roomId);
  }

  /** A classroom's commands after `afterSeq`, in order. */
  *entries(roomId: string, afterSeq = 0): Generator<JournalEntry> {
    const rows = this.db
      .prepare(
        'SELECT first_seq AS first, cmds FROM journal WHERE classroom_id = ? AND last_seq > ? ORDER BY first_seq',
      )
      .iterate(roomId, afterSeq) as Iterable<{ first: number; cmds: string }>;
    for (const row of rows) {
      const cmds = JSON.parse(row.cmds) as LiveCommand[];
      for (let i = 0; i < cmds.length; i++) {
        const seq = row.first + i;
        if (seq > afterSeq) yield { seq, cmd: cmds[i]! };
      }
    }
  }

  /**
   * Stores a snapshot of a classroom at `seq` (everything up to it is committed first). Refuses a `seq` the file's
   * journal has not reached: a restart would skip the commands that later take those numbers.
   */
  saveSnapshot(roomId: string, seq: number, hash: string, state: string, createdMs: number): void {
    this.flush();
    const last = this.lastSeq(roomId);
    if (seq > last)
      throw new JournalError(`a snapshot of ${roomId} at journal entry ${seq} would be ahead of the journal (${last})`);
    const zipped = gzipSync(state);
    this.db.transaction(() => {
      this.db
        .prepare('INSERT OR REPLACE INTO snapshot (classroom_id, seq, hash, state, created_ms) VALUES (?, ?, ?, ?, ?)')
        .run(roomId, seq, hash, zipped, createdMs);
      this.db
        .prepare(
          `DELETE FROM snapshot WHERE classroom_id = ? AND seq NOT IN
             (SELECT seq FROM snapshot WHERE classroom_id = ? ORDER BY seq DESC LIMIT ${KEEP_SNAPSHOTS})`,
        )
        .run(roomId, roomId);
    })();
  }

  /** Snapshots of a classroom, newest first (a damaged one can be skipped for the one before). */
  *snapshots(roomId: string): Generator<SnapshotRow> {
    const rows = this.db
      .prepare(
        'SELECT seq, hash, state, created_ms AS createdMs FROM snapshot WHERE classroom_id = ? ORDER BY seq DESC',
      )
      .all(roomId) as { seq: number; hash: string; state: Buffer; createdMs: number }[];
    for (const r of rows) {
      let state: string | null = null;
      try {
        state = gunzipSync(r.state).toString('utf8');
      } catch {
        state = null;
      }
      yield { seq: r.seq, hash: r.hash, state, createdMs: r.createdMs };
    }
  }
}
