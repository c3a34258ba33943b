// npm run bench:http — the live server's order entry against a bare fastify route, in one process run, with
// autocannon. Order entry: each connection submits a limit buy at the bottom of the band (it rests, never trades)
// and then cancels it, so the book stays small and every request does real work (auth, schema, money parsing,
// market rules, reservation, engine, the streams' bookkeeping). Bare: a fastify instance with one route returning a
// constant, no plugins. The server runs in this process with logs off and rate limits out of the way. Each target
// runs WARMUP_S unmeasured first. The journal line says how many commands each fsync carried: every order waits for
// one, so with few connections the order path waits on the disk as well as working.
// Last line:  http: orders <req/s> req/s, bare <req/s> req/s, ratio <r>
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { buildServer } from '../src/server/app.ts';
import { DEFAULTS } from '../src/server/config.ts';

const DURATION_S = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
/** Each target first runs this long unmeasured, so that neither is timed while V8 still compiles its code. */
const WARMUP_S = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);

async function cannon(opts: autocannon.Options): Promise<autocannon.Result> {
  const once = (o: autocannon.Options) =>
    new Promise<autocannon.Result>((resolve, reject) => {
      autocannon(o, (err, res) => (err ? reject(err) : resolve(res)));
    });
  if (WARMUP_S > 0) await once({ ...opts, duration: WARMUP_S });
  return once(opts);
}

const dir = mkdtempSync(join(tmpdir(), 'cets-bench-http-'));
const server = await buildServer({
  ...DEFAULTS,
  dataDir: dir,
  port: 0,
  logLevel: 'silent',
  speed: 1,
  rateLimitPerMin: 100_000_000,
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

const orders = await cannon({
  url: base,
  connections: CONNECTIONS,
  duration: DURATION_S,
  requests: [
    {
      method: 'POST',
      path: '/api/orders',
      headers,
      body: JSON.stringify({
        marketId: 'national',
        instrumentId: 'CEA-23',
        side: 'buy',
        priceCny: low,
        qtyT: 100,
        tif: 'day',
      }),
      // biome-ignore lint/suspicious/noExplicitAny: autocannon's context is untyped
      onResponse: (status: number, body: string, context: any) => {
        context.orderId = status === 200 ? (JSON.parse(body) as { orderId: number }).orderId : null;
      },
    },
    {
      method: 'DELETE',
      // biome-ignore lint/suspicious/noExplicitAny: autocannon's context is untyped
      setupRequest: (req: any, context: any) => ({
        ...req,
        path: `/api/orders/${context.orderId ?? 0}`,
        headers: { authorization: headers.authorization },
      }),
    },
  ],
});
const room = server.hub.rooms.get('default')!;
const placed = room.studentOrders(1).length;
const journal = server.hub.journal;
const journalLine =
  journal === null
    ? 'journal off'
    : `journal: ${journal.commands} commands in ${journal.commits} commits, ${journal.syncs} fsyncs (${(journal.commands / Math.max(1, journal.syncs)).toFixed(1)} commands each)`;
await server.close();
rmSync(dir, { recursive: true, force: true });

const bare = Fastify({ logger: false });
bare.get('/bare', async () => ({ ok: true }));
const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });
const bareRes = await cannon({ url: `${bareUrl}/bare`, connections: CONNECTIONS, duration: DURATION_S });
await bare.close();

const ok = (r: autocannon.Result): string => `${r['2xx']} 2xx, ${r.non2xx} non-2xx, ${r.errors} errors`;
console.log(
  `orders (submit then cancel, ${CONNECTIONS} connections, ${DURATION_S} s after ${WARMUP_S} s of warm-up): ${Math.round(orders.requests.average)} req/s, p99 ${orders.latency.p99} ms; ${ok(orders)}; ${placed} orders placed`,
);
console.log(`  ${journalLine}, warm-up included`);
console.log(
  `bare fastify route: ${Math.round(bareRes.requests.average)} req/s, p99 ${bareRes.latency.p99} ms; ${ok(bareRes)}`,
);
if (orders.non2xx > 0)
  console.log('warning: order entry answered non-2xx; the ratio is not of successful requests only');
console.log(
  `http: orders ${Math.round(orders.requests.average)} req/s, bare ${Math.round(bareRes.requests.average)} req/s, ratio ${(orders.requests.average / bareRes.requests.average).toFixed(2)}`,
);
