// `--log-level info` does what the README says: the server, started as `npm start` starts it, logs each request at
// info (with any token in the URL redacted); the default (warn) logs none.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../../src/server/config.ts';
import { serverOutput } from '../../fixtures/server-process.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Starts the server with these flags, makes a request with a token in its URL, stops it; returns its stdout. */
async function logsOf(flags: string[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'cets-log-'));
  dirs.push(dir);
  return serverOutput(dir, flags, /live classroom on (http:\/\/\S+)/, async (m) => {
    const r = await fetch(`${m[1]}/trade?token=secret-student-token-0001`);
    expect(r.status).toBe(200);
    await new Promise((r) => setTimeout(r, 200));
  });
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
