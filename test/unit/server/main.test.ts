// npm start for a class on a LAN: with --host 0.0.0.0 it prints the address students open, this machine's first
// IPv4 address other machines reach (os.networkInterfaces()); the admin token it prints is kept in the data folder,
// so a second start prints the same one.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { serverOutput } from '../../fixtures/server-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'cets-start-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts the server with these flags until it has printed its admin token; returns what it printed. */
const startOutput = (flags: string[]): Promise<string> => serverOutput(dir, flags, /admin token .*: \S+\n/);

describe('npm start -- --host 0.0.0.0', () => {
  it("prints the machine's LAN address for students and keeps the admin token across starts", async () => {
    const first = await startOutput(['--host', '0.0.0.0']);
    const port = /live classroom on http:\/\/[^:]+:(\d+)/.exec(first)![1];
    const v4 = Object.values(networkInterfaces())
      .flatMap((l) => l ?? [])
      .filter((i) => i.family === 'IPv4');
    const lan = v4.find((i) => !i.internal)?.address ?? '127.0.0.1';
    expect(first).toContain(`students open     http://${lan}:${port}/trade`);
    const admin = /admin token .*: (\S+)\n/.exec(first)![1]!;
    expect(readFileSync(join(dir, 'admin-token'), 'utf8').trim()).toBe(admin);

    const second = await startOutput([]);
    expect(/admin token .*: (\S+)\n/.exec(second)![1]).toBe(admin);
    // On 127.0.0.1 (the default) there is no LAN address to give.
    expect(second).not.toContain('students open');
  });
});
