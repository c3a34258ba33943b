// npm run bench:http — the live server's order entry against a bare fastify route, at a class's size. The server
// (and the bare route) run in this process; the load generator, autocannon, runs in a child process of its own
// (bench/http-load.ts), so that building requests and parsing answers no longer count against the server.
// Order entry: each connection submits a limit buy at the bottom of the band (it rests, never trades) and then
// cancels it by its client order id, so the book stays small and every request does real work (auth, schema, money
// parsing, market rules, reservation, engine, journal, the streams' bookkeeping). Bare: a fastify instance with one
// route returning a constant, no plugins. Logs off, rate limits out of the way, the durability the server defaults to
// (fsync; BENCH_DURABILITY=commit for the other).
// For each connection count (BENCH_CONNECTIONS, default "20,100": a class is about 100 students; the last is the
// headline), each target runs WARMUP_S unmeasured, then the two take turns, BENCH_ROUNDS rounds (default 5) of
// DURATION_S / rounds each, in alternating order, and the ratio is the median of the rounds' ratios: on a shared
// machine the host's speed drifts within seconds, and two back-to-back runs measured that drift with the ratio.
// Orders a connection left resting when a run stopped are cancelled between runs (unmeasured). The journal line says
// how many commands each fsync carried.
// Last line:  http: orders <req/s> req/s, bare <req/s> req/s, ratio <r> (<n> connections, <durability>)
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { buildServer } from '../src/server/app.ts';
import { DEFAULTS } from '../src/server/config.ts';
import { median } from '../src/sim/figures.ts';
import type { LoadJob, LoadResult } from './http-load.ts';

const DURATION_S = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTION_COUNTS = (process.env.BENCH_CONNECTIONS ?? '20,100').split(',').map((s) => Number(s.trim()));
if (!CONNECTION_COUNTS.every((n) => Number.isSafeInteger(n) && n > 0)) {
  console.error(
    `BENCH_CONNECTIONS: expected positive whole numbers separated by commas, got ${process.env.BENCH_CONNECTIONS}`,
  );
  process.exit(2);
}
/** Each target first runs this long unmeasured at each connection count, so that neither is timed while V8 compiles. */
const WARMUP_S = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const ROUNDS = Math.max(1, Math.round(Number(process.env.BENCH_ROUNDS ?? 5)));
/** The server's --durability: fsync (the default) or commit. */
const DURABILITY = process.env.BENCH_DURABILITY === 'commit' ? 'commit' : DEFAULTS.durability;
const ROUND_S = DURATION_S / ROUNDS;

// ------------------------------------------------------------------------------------------------ the load process

const loader: ChildProcess = fork(fileURLToPath(new URL('./http-load.ts', import.meta.url)), [], {
  // The tsx loader this process runs under (process.execArgv), so the child runs TypeScript too.
  execArgv: process.execArgv,
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
const pending = new Map<number, (r: LoadResult) => void>();
loader.on('message', (r: LoadResult) => {
  pending.get(r.id)?.(r);
  pending.delete(r.id);
});
loader.on('exit', (code) => {
  if (pending.size > 0) {
    console.error(`bench:http: the load process exited (code ${code}) with ${pending.size} runs unanswered`);
    process.exit(1);
  }
});
let jobs = 0;
async function load(job: Omit<LoadJob, 'id'>): Promise<LoadResult> {
  const id = ++jobs;
  const r = await new Promise<LoadResult>((resolve) => {
    pending.set(id, resolve);
    loader.send({ ...job, id } satisfies LoadJob);
  });
  if (r.error !== undefined) throw new Error(`autocannon: ${r.error}`);
  return r;
}

// ------------------------------------------------------------------------------------------------ the servers

const dir = mkdtempSync(join(tmpdir(), 'cets-bench-http-'));
const server = await buildServer({
  ...DEFAULTS,
  dataDir: dir,
  port: 0,
  logLevel: 'silent',
  speed: 1,
  rateLimitPerMin: 100_000_000,
  durability: DURABILITY,
});
const base = await server.listen();
const joined = await server.app.inject({
  method: 'POST',
  url: '/api/join',
  payload: { code: server.joinCode, name: 'bench' },
});
const { token } = joined.json() as { token: string };
const rules = (await server.app.inject({ method: 'GET', url: '/api/classrooms/default/markets/national' })).json() as {
  bands: Record<string, { lowCny: string }>;
};
const low = rules.bands['CEA-23']!.lowCny;
const auth = { authorization: `Bearer ${token}` };

const bare = Fastify({ logger: false });
bare.get('/bare', async () => ({ ok: true }));
const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });

/** Cancels what a stopped run left resting (each connection's last order, if its cancel was not sent). */
async function cancelLeftovers(): Promise<void> {
  const res = await server.app.inject({ method: 'GET', url: '/api/me/orders', headers: auth });
  const { orders } = res.json() as { orders: { orderId: number; status: string }[] };
  for (const o of orders)
    if (o.status === 'resting')
      await server.app.inject({ method: 'DELETE', url: `/api/orders/${o.orderId}`, headers: auth });
}

// ------------------------------------------------------------------------------------------------ the runs

interface Round {
  readonly orders: LoadResult;
  readonly bare: LoadResult;
}

const target = (kind: 'orders' | 'bare', connections: number, durationS: number): Omit<LoadJob, 'id'> =>
  kind === 'orders'
    ? { target: 'orders', url: base, connections, durationS, token, priceCny: low }
    : { target: 'bare', url: `${bareUrl}/bare`, connections, durationS };

async function measure(connections: number): Promise<string> {
  const journal = server.hub.journal;
  const j0 = journal === null ? null : { commands: journal.commands, commits: journal.commits, syncs: journal.syncs };
  if (WARMUP_S > 0) {
    await load(target('orders', connections, WARMUP_S));
    await cancelLeftovers();
    await load(target('bare', connections, WARMUP_S));
  }
  const rounds: Round[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    // Alternating order, so that a host getting slower (or faster) across the rounds favours neither target.
    const ordersFirst = i % 2 === 0;
    const a = await load(target(ordersFirst ? 'orders' : 'bare', connections, ROUND_S));
    if (ordersFirst) await cancelLeftovers();
    const b = await load(target(ordersFirst ? 'bare' : 'orders', connections, ROUND_S));
    if (!ordersFirst) await cancelLeftovers();
    rounds.push(ordersFirst ? { orders: a, bare: b } : { orders: b, bare: a });
  }
  const sum = (pick: (r: Round) => number): number => rounds.reduce((t, r) => t + pick(r), 0);
  const ordersRate = sum((r) => r.orders.reqPerS) / ROUNDS;
  const bareRate = sum((r) => r.bare.reqPerS) / ROUNDS;
  const ratios = rounds.map((r) => r.orders.reqPerS / r.bare.reqPerS);
  const p99 = (pick: (r: Round) => LoadResult): number => Math.max(...rounds.map((r) => pick(r).p99Ms));
  const counts = (pick: (r: Round) => LoadResult): string =>
    `${sum((r) => pick(r).ok2xx)} 2xx, ${sum((r) => pick(r).non2xx)} non-2xx, ${sum((r) => pick(r).errors)} errors`;
  const secs = `${ROUNDS} rounds of ${ROUND_S} s, after ${WARMUP_S} s of warm-up`;
  console.log(
    `orders (submit then cancel, ${connections} connections, durability ${DURABILITY}, ${secs}): ${Math.round(ordersRate)} req/s, p99 ${p99((r) => r.orders)} ms (worst round); ${counts((r) => r.orders)}`,
  );
  if (journal !== null && j0 !== null) {
    const commands = journal.commands - j0.commands;
    const syncs = journal.syncs - j0.syncs;
    console.log(
      `  journal: ${commands} commands in ${journal.commits - j0.commits} commits, ${syncs} fsyncs (${(commands / Math.max(1, syncs)).toFixed(1)} commands each), warm-up included`,
    );
  } else console.log('  journal off');
  console.log(
    `bare fastify route: ${Math.round(bareRate)} req/s, p99 ${p99((r) => r.bare)} ms (worst round); ${counts((r) => r.bare)}`,
  );
  console.log(`ratio by round: ${ratios.map((r) => r.toFixed(2)).join(', ')}; the median is the ratio below`);
  if (sum((r) => r.orders.non2xx) > 0)
    console.log('warning: order entry answered non-2xx; the ratio is not of successful requests only');
  return `http: orders ${Math.round(ordersRate)} req/s, bare ${Math.round(bareRate)} req/s, ratio ${median(ratios).toFixed(2)} (${connections} connections, ${DURABILITY})`;
}

console.log(
  `bench:http: load generator in its own process (pid ${loader.pid}), server in this one (pid ${process.pid}); connections ${CONNECTION_COUNTS.join(', ')}`,
);
const lines: string[] = [];
for (const n of CONNECTION_COUNTS) {
  const line = await measure(n);
  lines.push(line);
  console.log(line);
}
loader.disconnect();
await bare.close();
await server.close();
rmSync(dir, { recursive: true, force: true });
// The headline (the last count) once more as the last line, after the others for comparison.
if (lines.length > 1) console.log(lines.slice(0, -1).join('\n'));
console.log(lines.at(-1));
