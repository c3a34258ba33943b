// A live server for tests: a temporary data folder, quiet logs, a wall clock the test moves by hand.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { type BuildOptions, buildServer, type Server } from '../../../src/server/app.ts';
import { DEFAULTS, type ServerConfig } from '../../../src/server/config.ts';
import type { SyncFile } from '../../../src/store/journal.ts';
import { ctx } from '../../fixtures/run-context.ts';

export { ctx };

export interface TestServer {
  server: Server;
  clock: { ms: number };
  dir: string;
  inject: Server['app']['inject'];
  join(name: string): Promise<{ token: string; studentId: number; accountId: number }>;
  close(): Promise<void>;
}

export async function testServer(
  cfg: Partial<ServerConfig> = {},
  opts: {
    autoStart?: boolean;
    dir?: string;
    journal?: boolean;
    journalSync?: SyncFile;
    heartbeatMs?: number;
    limits?: BuildOptions['limits'];
    logStream?: BuildOptions['logStream'];
  } = {},
): Promise<TestServer> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'cets-server-'));
  const clock = { ms: 1_000_000 };
  const server = await buildServer(
    { ...DEFAULTS, dataDir: dir, port: 0, logLevel: 'silent', adminToken: 'admin-token-for-tests-0001', ...cfg },
    {
      now: () => clock.ms,
      ctx: ctx(),
      autoStart: opts.autoStart ?? true,
      journal: opts.journal ?? true,
      ...(opts.journalSync === undefined ? {} : { journalSync: opts.journalSync }),
      ...(opts.heartbeatMs === undefined ? {} : { heartbeatMs: opts.heartbeatMs }),
      ...(opts.limits === undefined ? {} : { limits: opts.limits }),
      ...(opts.logStream === undefined ? {} : { logStream: opts.logStream }),
    },
  );
  const inject = server.app.inject.bind(server.app);
  return {
    server,
    clock,
    dir,
    inject,
    async join(name) {
      const r = await inject({ method: 'POST', url: '/api/join', payload: { code: server.joinCode, name } });
      if (r.statusCode !== 200) throw new Error(`join ${name}: ${r.statusCode} ${r.body}`);
      return r.json();
    },
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The server's SQLite connection (the journal keeps its tables in the same file): the fault tests fill it. */
export function dbOf(t: TestServer): Database.Database {
  return (t.server.hub.journal as unknown as { db: Database.Database }).db;
}

export const auth = (token: string) => ({ authorization: `Bearer ${token}` });

/** The body of POST /api/orders: a day order in the national market's 2023 vintage, unless `extra` says otherwise. */
export const order = (side: 'buy' | 'sell', priceCny: string | null, qtyT: number, extra: object = {}) => ({
  marketId: 'national',
  instrumentId: 'CEA-23',
  side,
  priceCny,
  qtyT,
  tif: 'day',
  ...extra,
});

/**
 * What the market holds for these students, for "nothing changed": their accounts and orders, the default
 * classroom's national CEA-23 book (its sequence number aside) and its trades.
 */
export async function marketState(t: TestServer, tokens: readonly string[]): Promise<string> {
  const get = async (url: string, token?: string) =>
    (await t.inject({ method: 'GET', url, ...(token === undefined ? {} : { headers: auth(token) }) })).json();
  const me = await Promise.all(tokens.map((tk) => get('/api/me', tk)));
  const orders = await Promise.all(tokens.map((tk) => get('/api/me/orders', tk)));
  const depth = await get('/api/classrooms/default/markets/national/depth?instrument=CEA-23');
  const trades = await get('/api/classrooms/default/markets/national/trades?instrument=CEA-23');
  return JSON.stringify([me, orders, { ...depth, seq: 0 }, trades]);
}
