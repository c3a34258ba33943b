// What a batch puts on the queue and what comes back. A job names its run (scenario as given, the point's parameters,
// seed) and the hashes a worker checks before running it: never the scenario data itself, which each worker loads
// from its own checkout. A result is the run summary, gzipped (about a tenth of its JSON), or the run's error.
// With --trades a result carries the run's trade log too (its CSV, gzipped: 42 kB for a q3-2024 run, 2.9 MB for a
// deadline-2024 run of 164,000 trades).
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { SimCode, SimError } from '../../sim/errors.ts';
import type { RunSummary } from '../../sim/output-types.ts';
import type { BatchPlan } from '../plan.ts';
import type { Outcome } from '../pool.ts';
import type { Fault } from '../protocol.ts';

export const QUEUE_NAME = 'cets-batch';

export interface QueueJobData {
  /** The plan's id (planId): the coordinator collects only its own jobs. */
  readonly plan: string;
  readonly key: string;
  /** Scenario name or path, as given to the coordinator. */
  readonly scenario: string;
  readonly params: Readonly<Record<string, string>>;
  readonly seed: number;
  readonly scenarioHash: string;
  readonly fingerprint: string;
  /** Keep the run's trade log and return it with the summary (--trades). */
  readonly trades?: true;
  /** Tests only. */
  readonly fault?: Fault;
}

export type QueueResult =
  | { readonly ok: true; readonly ms: number; readonly summary: string; readonly trades?: string }
  | { readonly ok: false; readonly ms: number; readonly code: string; readonly message: string };

/** Checks a redis:// (or rediss://) URL and gives the connection options BullMQ wants. */
export function connectionOf(url: string): { url: string; maxRetriesPerRequest: null } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new SimError(SimCode.Args, `--queue wants redis://host:port[/db], got "${url}"`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    throw new SimError(SimCode.Args, `--queue wants redis://host:port[/db], got "${url}"`);
  if (u.pathname !== '' && u.pathname !== '/' && !/^\/\d+$/.test(u.pathname))
    throw new SimError(SimCode.Args, `--queue ${url}: the database after the port must be a number`);
  return { url, maxRetriesPerRequest: null };
}

/** 12 hex digits naming a plan on the queue: its scenario, points and seeds, and the code that runs it. */
export function planId(plan: BatchPlan, fingerprint: string): string {
  const what = {
    file: plan.file,
    points: plan.points.map((p) => [p.id, p.scenarioHash]),
    seeds: plan.seeds,
    fingerprint,
    // A batch keeping trade logs has other jobs (their results carry the logs): not the same plan on the queue.
    ...(plan.trades ? { trades: true } : {}),
  };
  return createHash('sha256').update(JSON.stringify(what)).digest('hex').slice(0, 12);
}

export const jobId = (plan: string, key: string): string => `${plan}-${key}`;

export function encodeResult(o: Outcome): QueueResult {
  return o.ok
    ? {
        ok: true,
        ms: Math.round(o.ms),
        summary: gzipSync(JSON.stringify(o.summary)).toString('base64'),
        ...(o.trades === undefined ? {} : { trades: gzipSync(o.trades).toString('base64') }),
      }
    : { ok: false, ms: Math.round(o.ms), code: o.code, message: o.message };
}

export function decodeResult(key: string, r: QueueResult): Outcome {
  return r.ok
    ? {
        key,
        ok: true,
        ms: r.ms,
        summary: JSON.parse(gunzipSync(Buffer.from(r.summary, 'base64')).toString('utf8')) as RunSummary,
        ...(r.trades === undefined ? {} : { trades: gunzipSync(Buffer.from(r.trades, 'base64')).toString('utf8') }),
      }
    : { key, ok: false, ms: r.ms, code: r.code, message: r.message };
}
