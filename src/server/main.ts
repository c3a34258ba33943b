// npm start: the live classroom server on an embedded default (a SQLite file under .cets-data), with a default
// classroom already trading so that whoever opens the printed address sees a market moving.
//
// What stops it from starting is said in a line, not a stack trace: a bad setting, a store it cannot trust
// (StoreError: damaged, or empty beside an instructor token), a full disk, a port in use. A stop by SIGINT or SIGTERM
// always ends with the final snapshot: further signals while it is being taken (a terminal's Ctrl-C reaches the
// whole process group, and the tsx wrapper sends it on again) are ignored.

import { StoreError } from '../store/live-db.ts';
import { buildServer, type Server } from './app.ts';
import { ConfigError, loadConfig, SETTINGS, type ServerConfig } from './config.ts';
import { listensEverywhere } from './lan.ts';

/**
 * How long a stop waits before its final snapshot, ms, answering signals meanwhile: long enough for a wrapper's
 * relayed signal to be acknowledged (tsx gives a child 2 x 30 ms before SIGKILL).
 */
const STOP_SETTLE_MS = 150;

const settle = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Why the server could not start, in words (null: not a known kind; the caller prints the error's own message). */
export function startFailure(e: unknown, cfg: Pick<ServerConfig, 'host' | 'port' | 'dataDir'>): string | null {
  if (e instanceof StoreError) return e.message;
  const err = e as { code?: string; message?: string } | null;
  const msg = err?.message ?? String(e);
  switch (err?.code) {
    case 'EADDRINUSE':
      return `port ${cfg.port} on ${cfg.host} is in use (by another cets, or another program): stop it, or start with --port <another> (--port 0 takes any free port)`;
    case 'EACCES':
      return `this user may not listen on port ${cfg.port} on ${cfg.host}: start with --port 1024 or above`;
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return `${cfg.host} is not an address of this machine: start with --host 127.0.0.1 (or 0.0.0.0 for every address)`;
    case 'ENOSPC':
    case 'SQLITE_FULL':
      return `the disk holding ${cfg.dataDir} is full (${msg}): free some space and start again; nothing acknowledged is lost`;
    case 'SQLITE_CORRUPT':
    case 'SQLITE_NOTADB':
      return `the store in ${cfg.dataDir} is damaged (${msg}). Nothing was changed. Restore cets.sqlite from a backup, or move the folder aside to start afresh`;
    case 'SQLITE_READONLY':
    case 'SQLITE_CANTOPEN':
    case 'SQLITE_PERM':
      return `the store in ${cfg.dataDir} cannot be opened for writing (${msg}): check the folder's owner and permissions`;
    case 'SQLITE_IOERR':
      return `the store in ${cfg.dataDir} could not be read or written (${msg}): check the disk`;
  }
  if (err?.code?.startsWith('SQLITE_IOERR') === true)
    return `the store in ${cfg.dataDir} could not be read or written (${msg}): check the disk`;
  if (err?.code?.startsWith('SQLITE_CORRUPT') === true)
    return `the store in ${cfg.dataDir} is damaged (${msg}). Nothing was changed. Restore cets.sqlite from a backup, or move the folder aside to start afresh`;
  return null;
}

export async function startServer(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log('usage: npm start -- [--flag value]...   (flags win over environment variables)');
    for (const s of SETTINGS) console.log(`  --${s.flag.padEnd(17)} ${s.env.padEnd(22)} ${s.help}`);
    return 0;
  }
  let cfg: ReturnType<typeof loadConfig>;
  try {
    cfg = loadConfig(argv, process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`cets: ${e.code}: ${e.message}`);
      return 2;
    }
    throw e;
  }
  const failed = (e: unknown): number => {
    const known = startFailure(e, cfg);
    console.error(`cets: could not start: ${known ?? (e instanceof Error ? e.message : String(e))}`);
    if (known === null && cfg.logLevel === 'debug' && e instanceof Error) console.error(e.stack);
    return 1;
  };
  let server: Server;
  try {
    server = await buildServer(cfg);
  } catch (e) {
    return failed(e);
  }
  server.hub.onNotice((line) => console.error(`cets: ${new Date().toLocaleTimeString('en-GB')} ${line}`));
  let address: string;
  try {
    address = await server.listen();
  } catch (e) {
    await server.close().catch(() => undefined);
    return failed(e);
  }
  const base = address.replace('[::1]', 'localhost');
  for (const r of server.hub.recovered)
    if (r.snapshotSeq > 0 || r.replayed > 0)
      console.log(
        `recovered classroom ${r.classroomId}: snapshot at journal entry ${r.snapshotSeq}` +
          `${r.skippedSnapshots > 0 ? ` (${r.skippedSnapshots} skipped: damaged, or of an older version)` : ''}, ${r.replayed} entries replayed`,
      );
  console.log(`cets live classroom on ${base}`);
  // What students open: with --host 0.0.0.0, this machine's LAN addresses (lan.ts), the first the likeliest.
  const lan = server.addresses();
  const students = lan[0] ?? base;
  if (listensEverywhere(cfg.host)) {
    console.log(`  students open     ${students}/trade   (the instructor page's join screen shows it with a QR code)`);
    for (const other of lan.slice(1)) console.log(`                    or ${other}/trade`);
  }
  console.log(`  trading page      ${base}/trade      join code ${server.joinCode}`);
  console.log(
    `  instructor page   ${base}/instructor  token ${server.instructorToken ?? '(set before; see .cets-data)'}`,
  );
  console.log(`  API docs          ${base}/docs`);
  console.log(`  admin token (create, reset, delete classrooms; kept in ${cfg.dataDir}): ${server.adminToken}`);
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return; // the same Ctrl-C again (the process group, the wrapper): the stop is under way
    stopping = true;
    console.log(`${signal}: stopping (taking the final snapshot)`);
    // The final snapshot blocks the event loop for a moment; the tsx wrapper sends the signal on to us and, unless
    // the loop acknowledges it within 30 ms (twice), kills us with SIGKILL. So the stop starts once that is over.
    settle(STOP_SETTLE_MS)
      .then(() => server.close())
      .then(
        () => {
          console.log('stopped');
          process.exit(0);
        },
        (e: unknown) => {
          console.error(
            `cets: the stop did not finish cleanly (${e instanceof Error ? e.message : e}); the journal keeps everything acknowledged`,
          );
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return -1;
}
