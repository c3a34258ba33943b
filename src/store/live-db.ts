// The live server's embedded store: one SQLite file under the data directory (created when missing). It keeps what
// a restart needs to bring classrooms back with the same people in them: each classroom's settings and the
// students (name, the sha256 of their token, in joining order, so each gets the same firm and account again).
// Tokens themselves are never stored, only their hashes.
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

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
}

export interface StudentRow {
  readonly classroomId: string;
  readonly studentId: number;
  readonly name: string;
  readonly tokenHash: string;
}

/** The store cannot be used as it is; the message says why and what to do (the server prints it and stops). */
export class StoreError extends Error {
  readonly code = 'STORE_ERR';
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export class LiveDb {
  private readonly db: Database.Database;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.db = new Database(join(dataDir, 'cets.sqlite'));
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
  }

  /** The connection, for the journal (src/store/journal.ts), which keeps its tables in the same file. */
  get handle(): Database.Database {
    return this.db;
  }

  classrooms(): ClassroomRow[] {
    return this.db
      .prepare(
        `SELECT id, name, scenario, seed, speed, bot_intensity AS botIntensity,
           instructor_token_hash AS instructorTokenHash, join_code AS joinCode, created_ms AS createdMs
         FROM classroom ORDER BY created_ms, id`,
      )
      .all() as ClassroomRow[];
  }

  addClassroom(r: ClassroomRow): void {
    this.db
      .prepare(
        `INSERT INTO classroom (id, name, scenario, seed, speed, bot_intensity, instructor_token_hash, join_code, created_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(r.id, r.name, r.scenario, r.seed, r.speed, r.botIntensity, r.instructorTokenHash, r.joinCode, r.createdMs);
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

  close(): void {
    this.db.close();
  }
}
