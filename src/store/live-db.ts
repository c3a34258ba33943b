// The live server's embedded store: one SQLite file under the data directory (created when missing). It keeps what
// a restart needs to bring classrooms back with the same people in them: each classroom's settings and the
// students (name, the sha256 of their token, in joining order, so each gets the same firm and account again).
// Tokens themselves are never stored, only their hashes.
//
// Opening refuses a store it cannot trust, with a StoreError saying what to do and having changed nothing: a file
// that is not a database or is damaged, and a missing, empty or classroom-less file in a folder that holds an
// instructor token (a data folder that had classrooms: starting afresh there would write a new token over the old
// one and lose the classrooms without a word).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** The store's file in the data folder. */
export const DB_FILE = 'cets.sqlite';
/** The default classroom's instructor token, kept beside the store by the server (src/server/app.ts). */
export const INSTRUCTOR_TOKEN_FILE = 'default-instructor-token';

/** The store cannot be used as it is; the message says why and what to do (the server prints it and stops). */
export class StoreError extends Error {
  readonly code = 'STORE_ERR';
}

export interface ClassroomRow {
  readonly id: string;
  readonly name: string;
  readonly scenario: string;
  readonly seed: number;
  readonly speed: number;
  readonly botIntensity: number;
  readonly instructorTokenHash: string;
  readonly joinCode: string;
  readonly createdMs: number;
  /** The rules the classroom runs by (src/live/types.ts RULES_BEFORE_ROUNDS ...): kept so its journal replays. */
  readonly rules: number;
}

/**
 * The rules of a classroom stored before the store kept them: the rules before rounds (src/live/types.ts
 * RULES_BEFORE_ROUNDS), the default of the `rules` column the migration adds to an older store's classroom table.
 */
export const RULES_OF_OLDER_STORE = 1;

export interface StudentRow {
  readonly classroomId: string;
  readonly studentId: number;
  readonly name: string;
  readonly tokenHash: string;
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export class LiveDb {
  private readonly db: Database.Database;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    const file = join(dataDir, DB_FILE);
    const tokenFile = join(dataDir, INSTRUCTOR_TOKEN_FILE);
    const held = existsSync(tokenFile);
    const keep =
      `Nothing was changed. Restore ${DB_FILE} (with ${DB_FILE}-wal if there is one) from a backup, or, to start ` +
      `afresh, move the folder ${dataDir} aside (or start with --data-dir <a new folder>).`;
    if (held && !existsSync(file))
      throw new StoreError(`${file} is missing, but ${tokenFile} is there: this folder held classrooms. ${keep}`);
    const bytes = existsSync(file) ? statSync(file).size : 0;
    const walBytes = existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0;
    if (held && bytes === 0 && walBytes === 0)
      throw new StoreError(
        `${file} is empty (0 bytes), but ${tokenFile} is there: this folder held classrooms. ${keep}`,
      );
    this.db = new Database(file);
    try {
      // A file that is not a database fails at the first read; a damaged one fails the check.
      const problems = this.db.pragma('quick_check(3)', { simple: false }) as { quick_check: string }[];
      const bad = problems.map((r) => r.quick_check).filter((x) => x !== 'ok');
      if (bad.length > 0) throw new StoreError(`${file} is damaged (${bad.join('; ')}). ${keep}`);
      const hasRooms =
        this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'classroom'").get() !==
          undefined && this.db.prepare('SELECT 1 FROM classroom LIMIT 1').get() !== undefined;
      if (held && !hasRooms)
        throw new StoreError(
          `${file} holds no classroom, but ${tokenFile} is there: this folder held classrooms. ${keep}`,
        );
    } catch (e) {
      this.db.close();
      if (e instanceof StoreError) throw e;
      const err = e as { code?: string; message?: string };
      throw new StoreError(`${file} cannot be read as a database (${err.message ?? String(e)}). ${keep}`);
    }
    this.db.pragma('journal_mode = WAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS classroom (
        id TEXT PRIMARY KEY, name TEXT NOT NULL, scenario TEXT NOT NULL, seed INTEGER NOT NULL,
        speed REAL NOT NULL, bot_intensity REAL NOT NULL, instructor_token_hash TEXT NOT NULL,
        join_code TEXT NOT NULL UNIQUE, created_ms INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS student (
        classroom_id TEXT NOT NULL REFERENCES classroom(id), student_id INTEGER NOT NULL, name TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE, PRIMARY KEY (classroom_id, student_id));
    `);
    this.migrate();
  }

  /**
   * Brings the schema of an older store up to date, in place (each step once, only when missing). The classroom's
   * `rules` (added with rounds, issue 22): its existing rows are of the rules before, the column's default.
   */
  private migrate(): void {
    const columns = this.db.prepare('PRAGMA table_info(classroom)').all() as { name: string }[];
    if (!columns.some((c) => c.name === 'rules'))
      this.db.exec(`ALTER TABLE classroom ADD COLUMN rules INTEGER NOT NULL DEFAULT ${RULES_OF_OLDER_STORE}`);
  }

  /** The connection, for the journal (src/store/journal.ts), which keeps its tables in the same file. */
  get handle(): Database.Database {
    return this.db;
  }

  classrooms(): ClassroomRow[] {
    return this.db
      .prepare(
        `SELECT id, name, scenario, seed, speed, bot_intensity AS botIntensity,
           instructor_token_hash AS instructorTokenHash, join_code AS joinCode, created_ms AS createdMs, rules
         FROM classroom ORDER BY created_ms, id`,
      )
      .all() as ClassroomRow[];
  }

  addClassroom(r: ClassroomRow): void {
    this.db
      .prepare(
        `INSERT INTO classroom (id, name, scenario, seed, speed, bot_intensity, instructor_token_hash, join_code,
           created_ms, rules)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        r.id,
        r.name,
        r.scenario,
        r.seed,
        r.speed,
        r.botIntensity,
        r.instructorTokenHash,
        r.joinCode,
        r.createdMs,
        r.rules,
      );
  }

  setInstructorTokenHash(classroomId: string, hash: string): void {
    this.db.prepare('UPDATE classroom SET instructor_token_hash = ? WHERE id = ?').run(hash, classroomId);
  }

  students(classroomId: string): StudentRow[] {
    return this.db
      .prepare(
        `SELECT classroom_id AS classroomId, student_id AS studentId, name, token_hash AS tokenHash
         FROM student WHERE classroom_id = ? ORDER BY student_id`,
      )
      .all(classroomId) as StudentRow[];
  }

  addStudent(r: StudentRow): void {
    this.db
      .prepare('INSERT INTO student (classroom_id, student_id, name, token_hash) VALUES (?, ?, ?, ?)')
      .run(r.classroomId, r.studentId, r.name, r.tokenHash);
  }

  /** Drops a classroom and its students (its journal is the journal's: Journal.forget). */
  removeClassroom(id: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM student WHERE classroom_id = ?').run(id);
      this.db.prepare('DELETE FROM classroom WHERE id = ?').run(id);
    })();
  }

  close(): void {
    this.db.close();
  }
}
