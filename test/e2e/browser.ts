// What every browser test shares: where chromium is (Debian's, or CHROMIUM_PATH), whether to skip (only outside CI on
// a machine without it: in CI a missing browser fails the test), the folder the screenshots go to (gitignored, for a
// person to look at) and launching it headless.
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { buildServer, type Server } from '../../src/server/app.ts';
import { DEFAULTS } from '../../src/server/config.ts';

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

const IN_CI = process.env['CI'] !== undefined && process.env['CI'] !== '' && process.env['CI'] !== 'false';

/** Where the screenshots go: test/e2e/screenshots/, made on first use. */
export const SHOTS = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');

/** True when the test `name` must be skipped (no chromium, not in CI), saying so once. */
export function skipWithoutChromium(name: string): boolean {
  const skip = !existsSync(CHROMIUM) && !IN_CI;
  if (skip) console.warn(`${name}: skipped, no chromium at ${CHROMIUM} (set CHROMIUM_PATH, or install chromium)`);
  return skip;
}

/** Chromium, headless, as the guide runs it (no sandbox in a container, no GPU, no background traffic). */
export function launchChromium(): Promise<Browser> {
  mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/**
 * The classroom server a browser test drives: in this process on a free port (listen when ready), a temporary data
 * folder, busy bots (the book has depth), the given tokens, and the wall clock frozen, so exchange time moves only
 * when the test moves it.
 */
export async function frozenServer(
  folderPrefix: string,
  adminToken: string,
  instructorToken: string,
): Promise<{ server: Server; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), folderPrefix));
  const frozenMs = Date.now();
  const server = await buildServer(
    {
      ...DEFAULTS,
      host: '127.0.0.1',
      port: 0,
      dataDir: dir,
      logLevel: 'silent',
      botIntensity: 6,
      adminToken,
      instructorToken,
    },
    { now: () => frozenMs },
  );
  return { server, dir };
}
