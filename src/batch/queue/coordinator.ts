// The coordinator of a queue batch (`cets batch ... --queue redis://...`): puts one job per run left to do on the
// BullMQ queue, with a deterministic id (the plan's id and the run's key), and hands each result to the batch as
// it arrives, as the thread pool does for a local batch; the batch writes the files. Results are taken off Redis once
// written, so Redis holds only the runs in flight and the results not yet collected.
//
// Resume: the same command again (after Ctrl-C or a kill) finds the jobs of the plan still on the queue: finished
// ones are collected, waiting and running ones are left alone, failed ones are put back (a failed run is retried, as
// in a local batch), missing ones are added. Workers never notice the coordinator going away.
import { Job, Queue, QueueEvents } from 'bullmq';
import { BatchCode, BatchError } from '../errors.ts';
import { fingerprint } from '../fingerprint.ts';
import type { BatchJob, BatchPlan } from '../plan.ts';
import type { Outcome } from '../pool.ts';
import type { Fault } from '../protocol.ts';
import {
  connectionOf,
  decodeResult,
  jobId,
  planId,
  QUEUE_NAME,
  type QueueJobData,
  type QueueResult,
} from './protocol.ts';

export interface QueueRunOptions {
  readonly url: string;
  /** Scenario name or path as given: what each worker loads. */
  readonly scenario: string;
  readonly plan: BatchPlan;
  readonly jobs: readonly BatchJob[];
  /**
   * Runs of the plan already in the batch folder. A coordinator killed after writing a result but before taking its
   * job off Redis leaves the job there; the next one removes it (else it stays in Redis for good).
   */
  readonly written: readonly BatchJob[];
  readonly onOutcome: (o: Outcome) => void;
  readonly onQueue: (counts: { active: number; waiting: number }) => void;
  readonly signal?: AbortSignal;
  readonly faults?: Readonly<Record<string, Fault>>;
  /** How often the queue is swept for results the events missed, and its counts read; ms. */
  readonly sweepMs?: number;
}

const CONNECT_MS = 10_000;
const CLOSE_MS = 2_000;
const CHUNK = 500;

async function ready(what: { waitUntilReady(): Promise<unknown> }, url: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new BatchError(BatchCode.Queue, `cannot reach Redis at ${url} (no answer in ${CONNECT_MS / 1000} s)`)),
      CONNECT_MS,
    );
  });
  try {
    await Promise.race([what.waitUntilReady(), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** "BATCH_ERR_FINGERPRINT: ..." (as a worker throws it) into code and message; BullMQ's own reasons get a code. */
export function failureOf(reason: string): { code: string; message: string } {
  const m = /^([A-Z]+_ERR_[A-Z_]+): ([\s\S]*)$/.exec(reason);
  if (m !== null) return { code: m[1]!, message: m[2]! };
  if (/stalled/i.test(reason)) return { code: BatchCode.Stalled, message: reason };
  return { code: BatchCode.Queue, message: reason };
}

async function chunked<T>(xs: readonly T[], f: (x: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < xs.length; i += CHUNK) await Promise.all(xs.slice(i, i + CHUNK).map(f));
}

export async function runOnQueue(o: QueueRunOptions): Promise<{ interrupted: boolean }> {
  if (o.signal?.aborted) return { interrupted: true };
  if (o.jobs.length === 0 && o.written.length === 0) return { interrupted: false };
  const connection = connectionOf(o.url);
  const fp = fingerprint();
  const pid = planId(o.plan, fp);
  const pending = new Map(o.jobs.map((j) => [jobId(pid, j.key), j]));
  const queue = new Queue<QueueJobData, QueueResult>(QUEUE_NAME, { connection });
  // Without a listener an unreachable Redis is an unhandled 'error' event; ready() reports it instead.
  queue.on('error', () => {});
  let events: QueueEvents | null = null;
  // A client still connecting can take as long as it likes to close: give it a moment, then let the process go.
  const closeAll = async (): Promise<void> => {
    const all = Promise.allSettled([events?.close(), queue.close()]);
    await Promise.race([all, new Promise((r) => setTimeout(r, CLOSE_MS).unref())]);
  };
  try {
    await ready(queue, o.url);
    events = new QueueEvents(QUEUE_NAME, { connection });
    events.on('error', () => {});
    await ready(events, o.url);
  } catch (e) {
    await closeAll();
    throw e;
  }
  const ev = events;

  return new Promise((resolve, reject) => {
    let finished = false;
    const busy = new Set<string>();
    let sweeper: NodeJS.Timeout | undefined;

    const finish = (r: { interrupted: boolean } | Error): void => {
      if (finished) return;
      finished = true;
      clearInterval(sweeper);
      o.signal?.removeEventListener('abort', onAbort);
      void closeAll().then(() => (r instanceof Error ? reject(r) : resolve(r)));
    };
    const onAbort = (): void => finish({ interrupted: true });

    /** Collects a finished job of this plan: the batch writes it, then it leaves Redis. */
    const collect = async (id: string): Promise<void> => {
      const job = pending.get(id);
      if (job === undefined || busy.has(id) || finished) return;
      busy.add(id);
      try {
        await take(id, job);
      } finally {
        busy.delete(id);
      }
      // Over once every job is collected and every removal has finished: the last result's removal may finish
      // before an earlier one's, and a removal still in flight when the process exits leaves its job in Redis.
      if (pending.size === 0 && busy.size === 0) finish({ interrupted: false });
    };
    /** Writes a finished job's outcome and takes the job off Redis (nothing when it is not finished). */
    const take = async (id: string, job: BatchJob): Promise<void> => {
      const j = await Job.fromId<QueueJobData, QueueResult>(queue, id);
      if (j === undefined || finished || !pending.has(id)) return;
      const state = await j.getState();
      let outcome: Outcome;
      if (state === 'completed') outcome = decodeResult(job.key, j.returnvalue);
      else if (state === 'failed') outcome = { key: job.key, ok: false, ms: 0, ...failureOf(j.failedReason) };
      else return;
      pending.delete(id);
      o.onOutcome(outcome);
      await j.remove();
    };
    const fail = (e: unknown): void => finish(e instanceof Error ? e : new Error(String(e)));

    const sweep = async (): Promise<void> => {
      const [done, counts] = await Promise.all([
        queue.getJobs(['completed', 'failed']),
        queue.getJobCounts('active', 'waiting', 'prioritized', 'delayed'),
      ]);
      o.onQueue({
        active: counts.active ?? 0,
        waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts.delayed ?? 0),
      });
      await chunked(
        done.flatMap((j) => (j.id !== undefined && pending.has(j.id) ? [j.id] : [])),
        collect,
      );
    };

    ev.on('completed', ({ jobId: id }) => void collect(id).catch(fail));
    ev.on('failed', ({ jobId: id }) => void collect(id).catch(fail));
    o.signal?.addEventListener('abort', onAbort);

    const start = async (): Promise<void> => {
      await chunked(o.written, async (job) => {
        const id = jobId(pid, job.key);
        const state = await queue.getJobState(id);
        if (state === 'completed' || state === 'failed') await queue.remove(id);
      });
      if (pending.size === 0) return finish({ interrupted: false });
      const add: { id: string; job: BatchJob }[] = [];
      await chunked([...pending.entries()], async ([id, job]) => {
        const state = await queue.getJobState(id);
        if (state === 'completed') await collect(id);
        else if (state === 'failed') {
          await queue.remove(id);
          add.push({ id, job });
        } else if (state === 'unknown') add.push({ id, job });
      });
      add.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      for (let i = 0; i < add.length && !finished; i += CHUNK)
        await queue.addBulk(
          add.slice(i, i + CHUNK).map(({ id, job }) => {
            const fault = o.faults?.[job.key];
            const data: QueueJobData = {
              plan: pid,
              key: job.key,
              scenario: o.scenario,
              params: job.point.params,
              seed: job.seed,
              scenarioHash: job.point.scenarioHash,
              fingerprint: fp,
              ...(o.plan.trades ? { trades: true as const } : {}),
              ...(fault === undefined ? {} : { fault }),
            };
            return {
              name: 'run',
              data,
              opts: { jobId: id, attempts: 1, removeOnComplete: false, removeOnFail: false },
            };
          }),
        );
      if (finished) return;
      await sweep();
      // finish() may have come during the sweep (the last result, Ctrl-C): no timer must outlive it.
      if (!finished) sweeper = setInterval(() => void sweep().catch(fail), o.sweepMs ?? 1000);
    };
    start().catch(fail);
  });
}
