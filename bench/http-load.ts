// The load generator of bench:http, in a process of its own (forked by bench/http.bench.ts), so that autocannon's
// work (building requests, parsing answers, its timers) runs on its own core instead of in the server's thread,
// where it counted against the server. It waits for jobs over IPC, runs each with autocannon and answers with the
// figures the bench prints; it exits when the parent disconnects.
import autocannon from 'autocannon';

/** A run against one of the two targets. */
export interface LoadJob {
  readonly id: number;
  readonly target: 'orders' | 'bare';
  readonly url: string;
  readonly connections: number;
  readonly durationS: number;
  /** orders: the student's token and the price (CNY) of the resting buy. */
  readonly token?: string;
  readonly priceCny?: string;
}

export interface LoadResult {
  readonly id: number;
  readonly reqPerS: number;
  readonly p99Ms: number;
  readonly ok2xx: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly error?: string;
}

let connection = 0;

/**
 * Order entry: each connection submits a limit buy at priceCny (it rests, never trades) and cancels it by its client
 * order id, one id per connection, so each connection's two requests are built once, as the bare route's one is.
 */
function ordersOptions(job: LoadJob): autocannon.Options {
  const headers = { authorization: `Bearer ${job.token}`, 'content-type': 'application/json' };
  const body = (clientOrderId: string): string =>
    JSON.stringify({
      marketId: 'national',
      instrumentId: 'CEA-23',
      side: 'buy',
      priceCny: job.priceCny,
      qtyT: 100,
      tif: 'day',
      clientOrderId,
    });
  return {
    url: job.url,
    connections: job.connections,
    duration: job.durationS,
    setupClient: (client) => {
      const id = `bench-${++connection}`;
      client.setRequests([
        { method: 'POST', path: '/api/orders', headers, body: body(id) },
        { method: 'DELETE', path: `/api/orders/client/${id}`, headers: { authorization: headers.authorization } },
      ]);
    },
    // Replaced per connection by setupClient; autocannon checks the options before it calls it.
    requests: [{ method: 'POST', path: '/api/orders', headers, body: body('bench-0') }],
  };
}

const run = (o: autocannon.Options): Promise<autocannon.Result> =>
  new Promise((resolve, reject) => {
    autocannon(o, (err, res) => (err ? reject(err) : resolve(res)));
  });

process.on('message', (job: LoadJob) => {
  const opts =
    job.target === 'orders'
      ? ordersOptions(job)
      : { url: job.url, connections: job.connections, duration: job.durationS };
  run(opts).then(
    (r) =>
      process.send?.({
        id: job.id,
        reqPerS: r.requests.average,
        p99Ms: r.latency.p99,
        ok2xx: r['2xx'],
        non2xx: r.non2xx,
        errors: r.errors,
      } satisfies LoadResult),
    (err: unknown) =>
      process.send?.({
        id: job.id,
        reqPerS: 0,
        p99Ms: 0,
        ok2xx: 0,
        non2xx: 0,
        errors: 0,
        error: err instanceof Error ? err.message : String(err),
      } satisfies LoadResult),
  );
});
process.on('disconnect', () => process.exit(0));
