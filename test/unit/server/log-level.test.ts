// `--log-level info` does what the README says: the server, started as `npm start` starts it, logs each request at
// info (with any token in the URL redacted); the default (warn) logs none.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../../src/server/config.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Starts the server with these flags, makes a request with a token in its URL, stops it; returns its stdout. */
async function logsOf(flags: string[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'cets-log-'));
  dirs.push(dir);
  const child = spawn(TSX, ['src/main.ts', '--data-dir', dir, '--port', '0', '--bots', '0', ...flags], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => {
    out += String(d);
  });
  child.stderr.on('data', (d) => {
    out += String(d);
  });
  const exited = new Promise((r) => child.once('exit', r));
  try {
    const base = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not listening: ${out}`)), 30_000);
      const look = () => {
        const m = /live classroom on (http:\/\/\S+)/.exec(out);
        if (m !== null) {
          clearTimeout(timer);
          resolve(m[1]!);
        } else setTimeout(look, 50);
      };
      look();
    });
    const r = await fetch(`${base}/trade?token=secret-student-token-0001`);
    expect(r.status).toBe(200);
    await new Promise((r) => setTimeout(r, 200));
    return out;
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

describe('--log-level', () => {
  it('info logs each request (token redacted); the default, warn, does not', async () => {
    expect(DEFAULTS.logLevel).toBe('warn');
    const info = await logsOf(['--log-level', 'info']);
    expect(info).toMatch(/"msg":"incoming request"/);
    expect(info).toContain('/trade?token=[redacted]');
    expect(info).not.toContain('secret-student-token-0001');
    const quiet = await logsOf([]);
    expect(quiet).not.toMatch(/incoming request/);
  }, 90_000);
});
