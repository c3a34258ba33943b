// `cets worker --queue redis://...`: takes batch jobs from the queue and runs each in this process's worker-thread
// pool (src/batch/pool.ts), so the BullMQ worker stays on the event loop and renews its job locks however long a run
// takes. Before running a job it checks that this checkout computes what the coordinator's would: the code and data
// fingerprint, then the scenario hash of the point. A mismatch is refused with BATCH_ERR_FINGERPRINT and not retried
// (UnrecoverableError). A run that throws comes back as a failed result (recorded, not retried); a worker process that
// dies mid-job leaves its job locked until the lock expires, then another worker takes it (BullMQ's stalled check).
import { hostname } from 'node:os';
import { UnrecoverableError, Worker } from 'bullmq';
import type { RunContext } from '../../sim/run.ts';
import { withOverrides } from '../../sim/scenario/overrides.ts';
import type { Scenario } from '../../sim/scenario/schema.ts';
import { loadRunContext, loadScenario, scenarioHash } from '../../store/scenario-files.ts';
import { BatchCode } from '../errors.ts';
import { fingerprint } from '../fingerprint.ts';
import { ThreadPool } from '../pool.ts';
import { workerInit } from '../protocol.ts';
import { connectionOf, encodeResult, QUEUE_NAME, type QueueJobData, type QueueResult } from './protocol.ts';

export interface ServeOptions {
  readonly url: string;
  /** Worker threads, and jobs taken at once. */
  readonly workers: number;
  /** How long a job stays locked to a silent worker before another may take it (BullMQ lockDuration), ms. */
  readonly lockMs: number;
  readonly log: (line: string) => void;
  readonly signal?: AbortSignal;
}

const BUILT_KEPT = 256;

/** The scenario of a job's point as this checkout builds it, cached per scenario and parameters. */
function scenarios(ctx: RunContext): (d: QueueJobData) => { scenario: Scenario; hash: string } {
  const base = new Map<string, ReturnType<typeof loadScenario>>();
  const built = new Map<string, { scenario: Scenario; hash: string }>();
  return (d) => {
    const sets = Object.entries(d.params).map(([k, v]) => `${k}=${v}`);
    const id = JSON.stringify([d.scenario, sets]);
    let b = built.get(id);
    if (b === undefined) {
      let loaded = base.get(d.scenario);
      if (loaded === undefined) {
        loaded = loadScenario(d.scenario, ctx);
        base.set(d.scenario, loaded);
      }
      const s = withOverrides(loaded.scenario, loaded.file, sets, ctx);
      b = { scenario: s, hash: scenarioHash(s) };
      // A design has thousands of points, each seen once per seed: keep the latest few, not every one ever served.
      if (built.size >= BUILT_KEPT) built.delete(built.keys().next().value!);
      built.set(id, b);
    }
    return b;
  };
}

/** Serves jobs until the signal aborts (then finishes the jobs in hand). */
export async function serveQueue(o: ServeOptions): Promise<void> {
  const connection = connectionOf(o.url);
  const ctx = loadRunContext();
  const fp = fingerprint();
  const pool = new ThreadPool(o.workers, workerInit(ctx));
  const build = scenarios(ctx);
  const me = `${hostname()}:${process.pid}`;
  // A worker serves batch after batch: its threads start now, not with the first job of the first batch.
  await pool.warm();

  const worker = new Worker<QueueJobData, QueueResult>(
    QUEUE_NAME,
    async (job) => {
      const d = job.data;
      if (d.fingerprint !== fp) {
        o.log(`refused ${d.key}: fingerprint ${d.fingerprint}, this checkout ${fp}`);
        throw new UnrecoverableError(
          `${BatchCode.Fingerprint}: worker ${me} has code or data ${fp}, the batch was planned with ${d.fingerprint}: ` +
            'run the workers from the same checkout (same commit, same data/ and scenarios/) as the coordinator',
        );
      }
      let s: { scenario: Scenario; hash: string };
      try {
        s = build(d);
      } catch (e) {
        throw new UnrecoverableError(
          `${BatchCode.Fingerprint}: worker ${me} cannot build ${d.key} of scenario ${d.scenario}: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
      if (s.hash !== d.scenarioHash) {
        o.log(`refused ${d.key}: scenario hash differs`);
        throw new UnrecoverableError(
          `${BatchCode.Fingerprint}: worker ${me} builds another scenario for ${d.key} (hash ${s.hash.slice(0, 12)}, ` +
            `the batch's ${d.scenarioHash.slice(0, 12)}): is ${d.scenario} the same file on both machines?`,
        );
      }
      o.log(`took ${d.key} (${job.id})`);
      const outcome = await pool.run({
        type: 'job',
        key: d.key,
        scenario: s.scenario,
        scenarioHash: s.hash,
        seed: d.seed,
        ...(d.trades === true ? { keepTrades: true as const } : {}),
        ...(d.fault === undefined ? {} : { fault: d.fault }),
      });
      o.log(`${outcome.ok ? 'done' : `failed (${outcome.code})`} ${d.key} in ${Math.round(outcome.ms)} ms`);
      return encodeResult(outcome);
    },
    {
      connection,
      concurrency: o.workers,
      lockDuration: o.lockMs,
      stalledInterval: o.lockMs,
      maxStalledCount: 2,
    },
  );
  worker.on('error', (e) => o.log(`queue error: ${e.message}`));
  o.log(`connecting to ${o.url} ...`);
  await worker.waitUntilReady();
  o.log(
    `worker ${me}: ${o.workers} thread${o.workers === 1 ? '' : 's'}, fingerprint ${fp}, queue ${QUEUE_NAME} on ${o.url}`,
  );
  await new Promise<void>((resolve) => {
    if (o.signal === undefined) return;
    if (o.signal.aborted) resolve();
    else o.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await worker.close();
  await pool.close();
}
