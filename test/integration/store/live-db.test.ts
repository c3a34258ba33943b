// The store refuses what it cannot trust, and says what to do, having changed nothing: a folder that held
// classrooms (its instructor token file is there) whose database is missing, empty or without classrooms, and a
// file that is not a database. A new folder, or an empty file with no token beside it, is a fresh install.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DB_FILE, INSTRUCTOR_TOKEN_FILE, LiveDb, StoreError } from '../../../src/store/live-db.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function folder(): string {
  const d = mkdtempSync(join(tmpdir(), 'cets-livedb-'));
  dirs.push(d);
  return d;
}

const room = {
  id: 'default',
  name: 'Default classroom',
  scenario: 'classroom',
  seed: 1,
  speed: 60,
  botIntensity: 1,
  instructorTokenHash: 'h',
  joinCode: 'ABCD-0001',
  createdMs: 0,
  rules: 2,
};

describe('opening the store', () => {
  it('a new folder, or an empty file with no token beside it, is a fresh install', () => {
    const a = folder();
    new LiveDb(a).close();
    const b = folder();
    writeFileSync(join(b, DB_FILE), '');
    const db = new LiveDb(b);
    expect(db.classrooms()).toEqual([]);
    db.close();
  });

  it('refuses a missing, empty or classroom-less store beside an instructor token, changing nothing', () => {
    const cases: [string, (dir: string) => void, RegExp][] = [
      ['missing', () => undefined, /cets\.sqlite is missing, but .*default-instructor-token is there/],
      ['empty', (d) => writeFileSync(join(d, DB_FILE), ''), /is empty \(0 bytes\)/],
      [
        'no classroom',
        (d) => {
          const db = new Database(join(d, DB_FILE));
          db.exec('CREATE TABLE other (x)');
          db.close();
        },
        /holds no classroom/,
      ],
    ];
    for (const [what, make, says] of cases) {
      const d = folder();
      writeFileSync(join(d, INSTRUCTOR_TOKEN_FILE), 'the-old-token\n');
      make(d);
      const before = existsSync(join(d, DB_FILE)) ? readFileSync(join(d, DB_FILE)) : null;
      expect(() => new LiveDb(d), what).toThrow(StoreError);
      expect(() => new LiveDb(d), what).toThrow(says);
      expect(() => new LiveDb(d), what).toThrow(
        /Nothing was changed\. Restore cets\.sqlite .* move the folder .* aside/,
      );
      expect(existsSync(join(d, DB_FILE)) ? readFileSync(join(d, DB_FILE)) : null, what).toEqual(before);
      expect(existsSync(join(d, `${DB_FILE}-wal`)), what).toBe(false);
    }
  });

  it('refuses a file that is not a database, with or without a token beside it', () => {
    const d = folder();
    writeFileSync(join(d, DB_FILE), 'not a database '.repeat(500));
    expect(() => new LiveDb(d)).toThrow(/cets\.sqlite cannot be read as a database \(file is not a database\)/);
    expect(statSync(join(d, DB_FILE)).size).toBe(7_500);
  });

  it('opens a store that holds classrooms, with its token beside it', () => {
    const d = folder();
    const db = new LiveDb(d);
    db.addClassroom(room);
    db.close();
    writeFileSync(join(d, INSTRUCTOR_TOKEN_FILE), 'tok\n');
    const again = new LiveDb(d);
    expect(again.classrooms().map((r) => r.id)).toEqual(['default']);
    again.close();
  });
});
