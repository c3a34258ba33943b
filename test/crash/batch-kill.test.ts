// A batch killed with SIGKILL in the middle resumes without duplicates: the same command again runs only what is
// missing, and the folder ends with one file per run and the same aggregate as a batch never interrupted.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function batch(out: string): ChildProcess {
  return spawn(
    process.execPath,
    ['bin/cets.js', 'batch', 'q3-2024', '--seeds', '1..6', '--workers', '2', '--out', out],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

const finished = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });

/** Processes whose command line names `out` (Linux: /proc; elsewhere none are seen). */
function processesOf(out: string): number[] {
  if (!existsSync('/proc')) return [];
  const found: number[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d)))
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(out)) found.push(Number(pid));
    } catch {
      // gone meanwhile
    }
  return found;
}

const runs = (out: string) => (existsSync(join(out, 'runs')) ? readdirSync(join(out, 'runs')).sort() : []);

describe('batch killed mid-way', () => {
  it('resumes without duplicates and aggregates as if never interrupted', async () => {
    const out = mkdtempSync(join(tmpdir(), 'cets-batch-kill-'));
    const clean = mkdtempSync(join(tmpdir(), 'cets-batch-clean-'));
    dirs.push(out, clean);

    const first = batch(out);
    // Kill it as soon as some but not all runs are written.
    while (runs(out).length < 2 && first.exitCode === null) await new Promise((r) => setTimeout(r, 20));
    first.kill('SIGKILL');
    await finished(first);
    // `cets batch` runs itself again with V8 flags (src/cli/relaunch.ts): that child must go with the killed command.
    for (let i = 0; i < 100 && processesOf(out).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(processesOf(out)).toEqual([]);
    const before = runs(out);
    expect(before.length).toBeGreaterThanOrEqual(2);
    expect(before.length).toBeLessThan(6);
    expect(existsSync(join(out, 'aggregate.json'))).toBe(false);

    // The runs finished before the kill are read back, not run again: their files stay as they were.
    const kept = new Map(before.map((f) => [f, readFileSync(join(out, 'runs', f), 'utf8')]));
    const stamps = new Map(before.map((f) => [f, statSync(join(out, 'runs', f)).mtimeMs]));
    expect(await finished(batch(out))).toBe(0);
    for (const f of before) {
      expect(readFileSync(join(out, 'runs', f), 'utf8')).toBe(kept.get(f));
      expect(statSync(join(out, 'runs', f)).mtimeMs).toBe(stamps.get(f));
    }
    const after = runs(out);
    expect(after).toEqual([
      'p0-seed1.json',
      'p0-seed2.json',
      'p0-seed3.json',
      'p0-seed4.json',
      'p0-seed5.json',
      'p0-seed6.json',
    ]);
    expect(readdirSync(out).filter((f) => f.includes('.tmp'))).toEqual([]);

    expect(await finished(batch(clean))).toBe(0);
    const strip = (dir: string) => {
      const a = JSON.parse(readFileSync(join(dir, 'aggregate.json'), 'utf8')) as Record<string, unknown>;
      return JSON.stringify(a, (k, v) => (/Ms$|wall|elapsed|speed/i.test(k) ? undefined : v));
    };
    expect(strip(out)).toBe(strip(clean));
  }, 180_000);
});
