// The server as an operator runs it, through the tsx wrapper (`npm start` is `tsx src/main.ts`), in its own process
// group: Ctrl-C in a terminal sends SIGINT to the whole group, and the wrapper sends it on to the server again. A
// clean stop must still end with the final snapshot (the next start replays nothing). And what keeps it from
// starting is said in one line, not a stack trace: a damaged or emptied store beside an instructor token (whose
// token file must not be overwritten), a port in use.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const ADMIN = 'stop-admin-token-0000000001';
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function folder(): string {
  const d = mkdtempSync(join(tmpdir(), 'cets-stop-'));
  dirs.push(d);
  return d;
}

interface Run {
  readonly child: ChildProcess;
  out: string;
  err: string;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts the server as the leader of its own process group: through `npm start` (npm, then the tsx wrapper, then
 * the server: each sends a SIGINT it gets on to its child) or through the tsx wrapper alone.
 */
function run(dir: string, extra: readonly string[] = [], via: 'npm' | 'tsx' = 'tsx'): Run {
  const args = ['--data-dir', dir, '--admin-token', ADMIN, '--log-level', 'silent', '--tick-ms', '20', ...extra];
  const child =
    via === 'npm'
      ? spawn('npm', ['start', '--silent', '--', ...args], {
          cwd: ROOT,
          stdio: ['ignore', 'pipe', 'pipe'],
          detached: true,
        })
      : spawn(TSX, ['src/main.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const r: Run = {
    child,
    out: '',
    err: '',
    exit: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
  };
  child.stdout?.on('data', (d) => {
    r.out += String(d);
  });
  child.stderr?.on('data', (d) => {
    r.err += String(d);
  });
  return r;
}

async function listening(r: Run): Promise<string> {
  for (let i = 0; i < 600; i++) {
    const m = /cets live classroom on (http:\/\/\S+)/.exec(r.out);
    if (m !== null) return m[1]!;
    if (r.child.exitCode !== null) throw new Error(`exited: ${r.err}`);
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`did not start: ${r.out} ${r.err}`);
}

/** Where the default classroom's journal ends and its newest snapshot stands. */
function positions(dir: string): { journal: number; snapshot: number } {
  const db = new Database(join(dir, 'cets.sqlite'), { readonly: true });
  try {
    const j = db.prepare("SELECT MAX(last_seq) AS s FROM journal WHERE classroom_id = 'default'").get() as {
      s: number | null;
    };
    const s = db.prepare("SELECT MAX(seq) AS s FROM snapshot WHERE classroom_id = 'default'").get() as {
      s: number | null;
    };
    return { journal: j.s ?? 0, snapshot: s.s ?? 0 };
  } finally {
    db.close();
  }
}

describe('stopping and starting the server process', () => {
  it('Ctrl-C to the whole process group of `npm start` (npm and the tsx wrapper send it on) still takes the final snapshot', async () => {
    const dir = folder();
    const r = run(dir, ['--port', '0', '--snapshot-every', '3600'], 'npm');
    const base = await listening(r);
    // Some journal after the start: students join, the clock ticks (20 ms).
    const added = await fetch(`${base}/api/classrooms/default/students`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${readFileSync(join(dir, 'default-instructor-token'), 'utf8').trim()}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ names: ['Ann', 'Bo', 'Cy'] }),
    });
    expect(added.status).toBe(200);
    await new Promise((res) => setTimeout(res, 300));
    process.kill(-r.child.pid!, 'SIGINT');
    await r.exit; // npm's own status: it ends itself with the SIGINT it got, once its child has gone
    const p = positions(dir);
    expect(p.journal).toBeGreaterThan(3);
    expect(p.snapshot).toBe(p.journal);
    expect(r.out).toMatch(/SIGINT: stopping \(taking the final snapshot\)\s+stopped/);
    // The next start replays nothing.
    const again = run(dir, ['--port', '0']);
    await listening(again);
    expect(again.out).toMatch(
      new RegExp(`recovered classroom default: snapshot at journal entry ${p.journal}, 0 entries replayed`),
    );
    process.kill(-again.child.pid!, 'SIGTERM');
    expect(await again.exit).toEqual({ code: 0, signal: null });
  }, 120_000);

  it('an emptied or damaged store beside an instructor token: a message, no stack trace, nothing overwritten', async () => {
    const dir = folder();
    const first = run(dir, ['--port', '0']);
    await listening(first);
    process.kill(-first.child.pid!, 'SIGTERM');
    await first.exit;
    const token = readFileSync(join(dir, 'default-instructor-token'), 'utf8');
    for (const [what, bytes, says] of [
      ['empty', Buffer.alloc(0), /is empty \(0 bytes\), but .*default-instructor-token is there/],
      [
        'damaged',
        Buffer.from('this is not a database, it was overwritten '.repeat(200)),
        /cannot be read as a database/,
      ],
    ] as const) {
      writeFileSync(join(dir, 'cets.sqlite'), bytes);
      rmSync(join(dir, 'cets.sqlite-wal'), { force: true });
      rmSync(join(dir, 'cets.sqlite-shm'), { force: true });
      const r = run(dir, ['--port', '0']);
      // It must not start: one that does (taking the folder for a fresh install) is stopped at once.
      const started = listening(r).then(
        () => true,
        () => false,
      );
      if (await started) process.kill(-r.child.pid!, 'SIGKILL');
      expect(await started, `${what}: started on the ${what} store`).toBe(false);
      const exit = await r.exit;
      expect(exit.code, what).toBe(1);
      expect(r.err, what).toMatch(says);
      expect(r.err, what).toMatch(/Nothing was changed\. Restore cets\.sqlite/);
      expect(r.err, what).not.toMatch(/\n\s+at /); // no stack trace
      expect(readFileSync(join(dir, 'default-instructor-token'), 'utf8'), what).toBe(token);
      expect(readFileSync(join(dir, 'cets.sqlite')), what).toEqual(bytes);
    }
  }, 120_000);

  it('a port in use: a message, no stack trace', async () => {
    const taken = createServer();
    const port = await new Promise<number>((res) =>
      taken.listen(0, '127.0.0.1', () => res((taken.address() as { port: number }).port)),
    );
    try {
      const r = run(folder(), ['--port', String(port)]);
      const exit = await r.exit;
      expect(exit.code).toBe(1);
      expect(r.err).toMatch(new RegExp(`could not start: port ${port} on 127.0.0.1 is in use`));
      expect(r.err).not.toMatch(/\n\s+at /);
    } finally {
      taken.close();
    }
  }, 120_000);
});
