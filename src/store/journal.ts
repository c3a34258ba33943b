// The live market's journal: every command a classroom accepted, in order, in the server's SQLite file, and the
// classroom snapshots taken along the way. A restart loads a classroom's latest snapshot and replays the commands
// after it (src/server/hub.ts).
//
// Durability: the file is in WAL mode with synchronous = FULL, so a transaction is on disk (the WAL fsynced) when
// its COMMIT returns; the server acknowledges a command only after the transaction holding it committed. A crash
// or a power loss can therefore lose only commands nobody was told had succeeded.
//
// Group commit: appends go into one transaction, committed once a turn of the event loop adds nothing more to it
// (at most MAX_BATCH_TURNS turns), or when someone needs it now (flush()); everyone waiting on that commit is
// answered together. One row per classroom per commit holds its commands as one JSON array.
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
}

interface Batch {
  /** Commands per classroom: first seq and the commands (written as one JSON array at the commit). */
  readonly rooms: Map<string, { first: number; cmds: LiveCommand[] }>;
  readonly sides: (() => void)[];
  readonly done: Promise<void>;
  resolve(): void;
  reject(e: Error): void;
}

/**
 * Most turns of the event loop a batch waits for more commands before its commit. Each commit is an fsync (about
 * 0.2 ms here, blocking the loop): bench:http's orders, 20 connections, went from about 10,400 req/s committing
 * every turn to 14,000-16,300 waiting for a quiet turn.
 */
const MAX_BATCH_TURNS = 8;

/** Snapshots kept per classroom (older ones are deleted; the journal itself is kept whole). */
const KEEP_SNAPSHOTS = 3;

export class Journal {
  private readonly db: Database.Database;
  private readonly seqs = new Map<string, number>();
  private batch: Batch | null = null;
  private failure: Error | null = null;
  private readonly insert: Database.Statement;
  private readonly commitBatch: (b: Batch) => void;
  /** Commits so far, and commands in them (for the benchmark and the logs). */
  commits = 0;
  commands = 0;

  constructor(db: Database.Database) {
    this.db = db;
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(`
      CREATE TABLE IF NOT EXISTS journal (
        classroom_id TEXT NOT NULL, first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL, cmds TEXT NOT NULL,
        PRIMARY KEY (classroom_id, first_seq)) WITHOUT ROWID;
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

  /** The last sequence number given to a classroom's commands (0 before any). */
  lastSeq(roomId: string): number {
    let s = this.seqs.get(roomId);
    if (s === undefined) {
      const row = this.db.prepare('SELECT MAX(last_seq) AS s FROM journal WHERE classroom_id = ?').get(roomId) as {
        s: number | null;
      };
      s = row.s ?? 0;
      this.seqs.set(roomId, s);
    }
    return s;
  }

  /** Set when a commit failed: nothing more is accepted (the state in memory is ahead of the journal). */
  get broken(): Error | null {
    return this.failure;
  }

  /**
   * Adds an accepted command to this turn's commit and returns its sequence number. `side` runs inside the same
   * transaction (a row that must exist exactly when the command does, such as a student's token hash).
   */
  append(roomId: string, cmd: LiveCommand, side?: () => void): number {
    if (this.failure !== null) throw this.failure;
    const seq = this.lastSeq(roomId) + 1;
    this.seqs.set(roomId, seq);
    const b = this.open();
    let r = b.rooms.get(roomId);
    if (r === undefined) {
      r = { first: seq, cmds: [] };
      b.rooms.set(roomId, r);
    }
    // Kept by reference until the commit (commands are never changed once made), written in one stringify.
    r.cmds.push(cmd);
    if (side !== undefined) b.sides.push(side);
    this.commands++;
    return seq;
  }

  /** Resolves when everything appended so far is on disk (rejects if that commit failed). */
  durable(): Promise<void> {
    return this.batch?.done ?? Promise.resolve();
  }

  /** Commits this turn's appends now. */
  flush(): void {
    const b = this.batch;
    if (b === null) return;
    this.batch = null;
    try {
      this.commitBatch(b);
    } catch (e) {
      this.failure = new JournalError(`the journal could not be written: ${e instanceof Error ? e.message : e}`);
      b.reject(this.failure);
      return;
    }
    this.commits++;
    b.resolve();
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
    const b: Batch = { rooms: new Map(), sides: [], done, resolve, reject };
    this.batch = b;
    // Commit once a turn of the event loop adds nothing to the batch (or after MAX_BATCH_TURNS): requests that
    // arrive while others wait for this commit join it, instead of each turn paying its own fsync.
    let turns = 0;
    let seen = -1;
    const later = (): void => {
      if (this.batch !== b) return; // flushed already (a WebSocket flush or a snapshot needed it)
      turns++;
      const grew = this.commands !== seen;
      seen = this.commands;
      if (grew && turns < MAX_BATCH_TURNS) setImmediate(later);
      else this.flush();
    };
    setImmediate(later);
    return b;
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

  /** Stores a snapshot of a classroom at `seq` (everything up to it is committed first). */
  saveSnapshot(roomId: string, seq: number, hash: string, state: string, createdMs: number): void {
    this.flush();
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
