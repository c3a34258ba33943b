// npm run bench:http — the live server's order entry against a bare fastify route, in one process run, with
// autocannon. Order entry: each connection submits a limit buy at the bottom of the band (it rests, never trades)
// and then cancels it by its client order id, so the book stays small and every request does real work (auth, schema, money parsing,
// market rules, reservation, engine, the streams' bookkeeping). Bare: a fastify instance with one route returning a
// constant, no plugins. The server runs in this process with logs off and rate limits out of the way. Each target
// runs WARMUP_S unmeasured first. Then the two take turns, BENCH_ROUNDS rounds (default 5) of DURATION_S / rounds
// each, in alternating order, and the ratio is the median of the rounds' ratios: on a shared machine the host's speed
// drifts within seconds, and two back-to-back 10 s runs measured that drift with the ratio. The journal line says how
// many commands each fsync carried: every order waits for one, so with few connections the order path waits on the
// disk as well as working.
// Last line:  http: orders <req/s> req/s, bare <req/s> req/s, ratio <r>
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { buildServer } from '../src/server/app.ts';
import { DEFAULTS } from '../src/server/config.ts';
import { median } from '../src/sim/figures.ts';

const DURATION_S = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
/** Each target first runs this long unmeasured, so that neither is timed while V8 still compiles its code. */
const WARMUP_S = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);

const ROUNDS = Math.max(1, Math.round(Number(process.env.BENCH_ROUNDS ?? 5)));
/** The server's --durability: fsync (the default) or commit. */
const DURABILITY = process.env.BENCH_DURABILITY === 'commit' ? 'commit' : DEFAULTS.durability;
const ROUND_S = DURATION_S / ROUNDS;

const cannon = (o: autocannon.Options): Promise<autocannon.Result> =>
  new Promise<autocannon.Result>((resolve, reject) => {
    autocannon(o, (err, res) => (err ? reject(err) : resolve(res)));
  });

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
const join_ = await server.app.inject({
  method: 'POST',
  url: '/api/join',
  payload: { code: server.joinCode, name: 'bench' },
});
const { token } = join_.json() as { token: string };
const rules = (await server.app.inject({ method: 'GET', url: '/api/classrooms/default/markets/national' })).json() as {
  bands: Record<string, { lowCny: string }>;
};
const low = rules.bands['CEA-23']!.lowCny;
const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

const orderBody = (clientOrderId: string): string =>
  JSON.stringify({
    marketId: 'national',
    instrumentId: 'CEA-23',
    side: 'buy',
    priceCny: low,
    qtyT: 100,
    tif: 'day',
    clientOrderId,
  });
let connection = 0;
const ordersTarget: autocannon.Options = {
  url: base,
  connections: CONNECTIONS,
  // Each connection names its order with its own client order id and cancels it by that id, so its two requests are
  // built once, as the bare route's is. Cancelling by the server's order id instead made autocannon rebuild the
  // cancel and parse every order response, about 5 us a request in this thread, counted against the order path only.
  setupClient: (client) => {
    const id = `bench-${++connection}`;
    client.setRequests([
      { method: 'POST', path: '/api/orders', headers, body: orderBody(id) },
      { method: 'DELETE', path: `/api/orders/client/${id}`, headers: { authorization: headers.authorization } },
    ]);
  },
  // Replaced per connection by setupClient; autocannon checks the options before it calls it.
  requests: [{ method: 'POST', path: '/api/orders', headers, body: orderBody('bench-0') }],
};

const bare = Fastify({ logger: false });
bare.get('/bare', async () => ({ ok: true }));
const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });
const bareTarget: autocannon.Options = { url: `${bareUrl}/bare`, connections: CONNECTIONS };

if (WARMUP_S > 0) {
  await cannon({ ...ordersTarget, duration: WARMUP_S });
  await cannon({ ...bareTarget, duration: WARMUP_S });
}
interface Round {
  readonly orders: autocannon.Result;
  readonly bare: autocannon.Result;
}
const rounds: Round[] = [];
for (let i = 0; i < ROUNDS; i++) {
  // Alternating order, so that a host getting slower (or faster) across the rounds favours neither target.
  const first = i % 2 === 0 ? ordersTarget : bareTarget;
  const second = i % 2 === 0 ? bareTarget : ordersTarget;
  const a = await cannon({ ...first, duration: ROUND_S });
  const b = await cannon({ ...second, duration: ROUND_S });
  rounds.push(i % 2 === 0 ? { orders: a, bare: b } : { orders: b, bare: a });
}
await bare.close();
const room = server.hub.rooms.get('default')!;
const placed = room.studentOrders(1).length;
const journal = server.hub.journal;
const journalLine =
  journal === null
    ? 'journal off'
    : `journal: ${journal.commands} commands in ${journal.commits} commits, ${journal.syncs} fsyncs (${(journal.commands / Math.max(1, journal.syncs)).toFixed(1)} commands each)`;
await server.close();
rmSync(dir, { recursive: true, force: true });

const sum = (pick: (r: Round) => number): number => rounds.reduce((t, r) => t + pick(r), 0);
const rate = (r: autocannon.Result): number => r.requests.average;
const ordersRate = sum((r) => rate(r.orders)) / ROUNDS;
const bareRate = sum((r) => rate(r.bare)) / ROUNDS;
const ratios = rounds.map((r) => rate(r.orders) / rate(r.bare));
const ratio = median(ratios);
const p99 = (pick: (r: Round) => autocannon.Result): number => Math.max(...rounds.map((r) => pick(r).latency.p99));
const counts = (pick: (r: Round) => autocannon.Result): string =>
  `${sum((r) => pick(r)['2xx'])} 2xx, ${sum((r) => pick(r).non2xx)} non-2xx, ${sum((r) => pick(r).errors)} errors`;
const secs = `${ROUNDS} rounds of ${ROUND_S} s, after ${WARMUP_S} s of warm-up`;
console.log(
  `orders (submit then cancel, ${CONNECTIONS} connections, durability ${DURABILITY}, ${secs}): ${Math.round(ordersRate)} req/s, p99 ${p99((r) => r.orders)} ms (worst round); ${counts((r) => r.orders)}; ${placed} orders placed`,
);
console.log(`  ${journalLine}, warm-up included`);
console.log(
  `bare fastify route: ${Math.round(bareRate)} req/s, p99 ${p99((r) => r.bare)} ms (worst round); ${counts((r) => r.bare)}`,
);
console.log(`ratio by round: ${ratios.map((r) => r.toFixed(2)).join(', ')}; the median is the ratio below`);
if (sum((r) => r.orders.non2xx) > 0)
  console.log('warning: order entry answered non-2xx; the ratio is not of successful requests only');
console.log(
  `http: orders ${Math.round(ordersRate)} req/s, bare ${Math.round(bareRate)} req/s, ratio ${ratio.toFixed(2)}`,
);
