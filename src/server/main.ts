// npm start: the live classroom server on an embedded default (a SQLite file under .cets-data), with a default
// classroom already trading so that whoever opens the printed address sees a market moving.

import { buildServer } from './app.ts';
import { ConfigError, loadConfig, SETTINGS } from './config.ts';

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
  const server = await buildServer({ ...cfg, logLevel: cfg.logLevel === 'info' ? 'warn' : cfg.logLevel });
  const address = await server.listen();
  const base = address.replace('[::1]', 'localhost');
  for (const r of server.hub.recovered)
    if (r.snapshotSeq > 0 || r.replayed > 0)
      console.log(
        `recovered classroom ${r.classroomId}: snapshot at journal entry ${r.snapshotSeq}` +
          `${r.skippedSnapshots > 0 ? ` (${r.skippedSnapshots} damaged skipped)` : ''}, ${r.replayed} entries replayed`,
      );
  console.log(`cets live classroom on ${base}`);
  console.log(`  trading page      ${base}/trade      join code ${server.joinCode}`);
  console.log(
    `  instructor page   ${base}/instructor  token ${server.instructorToken ?? '(set before; see .cets-data)'}`,
  );
  console.log(`  API docs          ${base}/docs`);
  console.log(`  admin token (create classrooms): ${server.adminToken}`);
  const stop = async (): Promise<void> => {
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return -1;
}
