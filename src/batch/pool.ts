// A pool of worker threads running batch jobs. Each worker gets the run context when it starts (workerData, see
// WorkerInit) and takes one job at a time; a job's exception comes back as its failure, a worker that dies takes its
// job down as failed and is replaced. A worker that cannot even start (run context failing to set up) stops the pool:
// every other would fail the same way.
//
// Workers run TypeScript: the entry is a one-line ES module that registers tsx in the worker thread, then imports
// worker.ts. `execArgv: ['--import', 'tsx']` does not work for a worker's entry on Node 20 (the entry is loaded
// before the hooks are), and this form works the same from `npx cets`, `tsx` and vitest.
import { Worker } from 'node:worker_threads';
import type { RunSummary } from '../sim/output-types.ts';
import type { JobMessage, WorkerInit, WorkerMessage } from './protocol.ts';

const TSX_API = import.meta.resolve('tsx/esm/api');
const ENTRY = new URL('./worker.ts', import.meta.url).href;
const BOOT = `import(${JSON.stringify(TSX_API)}).then((m) => { m.register(); return import(${JSON.stringify(ENTRY)}); });`;

/** Error code of a job whose worker died under it. */
export const WORKER_CRASH = 'BATCH_ERR_WORKER_CRASH';

export type Outcome =
  | { readonly key: string; readonly ok: true; readonly summary: RunSummary; readonly ms: number }
  | { readonly key: string; readonly ok: false; readonly code: string; readonly message: string; readonly ms: number };

/** The pool could not run anything: a worker failed to start. */
export class PoolStartError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'PoolStartError';
    this.code = code;
  }
}

interface Slot {
  readonly worker: Worker;
  ready: boolean;
  /** Retired on purpose (no work left, or the pool finished): its exit is no crash. */
  retired: boolean;
  job: JobMessage | null;
  started: number;
  error: Error | null;
}

/**
 * Runs the jobs on up to `size` workers, calling onOutcome once per job as it finishes (in completion order).
 * Resolves when every job has an outcome, or as soon as the signal aborts (jobs in flight are dropped, no outcome).
 */
export function runPool(
  jobs: readonly JobMessage[],
  size: number,
  init: WorkerInit,
  onOutcome: (o: Outcome) => void,
  signal?: AbortSignal,
): Promise<{ interrupted: boolean }> {
  return new Promise((resolve, reject) => {
    let next = 0;
    let outcomes = 0;
    let finished = false;
    const slots = new Set<Slot>();

    const finish = (result: { interrupted: boolean } | Error): void => {
      if (finished) return;
      finished = true;
      signal?.removeEventListener('abort', onAbort);
      for (const s of slots) {
        s.retired = true;
        void s.worker.terminate();
      }
      slots.clear();
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const onAbort = (): void => finish({ interrupted: true });

    const record = (o: Outcome): void => {
      if (finished) return;
      outcomes++;
      onOutcome(o);
      if (outcomes === jobs.length) finish({ interrupted: false });
    };

    const dispatch = (slot: Slot): void => {
      const job = jobs[next];
      if (job === undefined || finished) {
        slot.retired = true;
        slot.job = null;
        void slot.worker.terminate();
        return;
      }
      next++;
      slot.job = job;
      slot.started = performance.now();
      slot.worker.postMessage(job);
    };

    const spawn = (): void => {
      const slot: Slot = {
        worker: new Worker(BOOT, { eval: true, workerData: init }),
        ready: false,
        retired: false,
        job: null,
        started: 0,
        error: null,
      };
      slots.add(slot);
      slot.worker.on('message', (m: WorkerMessage) => {
        if (finished) return;
        if (m.type === 'ready') {
          slot.ready = true;
          dispatch(slot);
        } else if (m.type === 'fatal') {
          finish(new PoolStartError(m.code, m.message));
        } else if (slot.job !== null && m.key === slot.job.key) {
          slot.job = null;
          record(
            m.type === 'done'
              ? { key: m.key, ok: true, summary: m.summary, ms: m.ms }
              : { key: m.key, ok: false, code: m.code, message: m.message, ms: m.ms },
          );
          if (!finished) dispatch(slot);
        }
      });
      slot.worker.on('error', (e) => {
        slot.error = e;
      });
      slot.worker.on('exit', (code) => {
        slots.delete(slot);
        if (finished || slot.retired) return;
        const why = slot.error?.message ?? `exit code ${code}`;
        if (!slot.ready) {
          finish(new PoolStartError(WORKER_CRASH, `a batch worker failed to start: ${why}`));
          return;
        }
        const job = slot.job;
        if (next < jobs.length) spawn();
        if (job !== null)
          record({
            key: job.key,
            ok: false,
            code: WORKER_CRASH,
            message: `the worker running it crashed: ${why}`,
            ms: performance.now() - slot.started,
          });
      });
    };

    if (jobs.length === 0 || signal?.aborted) {
      resolve({ interrupted: signal?.aborted === true });
      return;
    }
    signal?.addEventListener('abort', onAbort);
    for (let i = 0; i < Math.min(size, jobs.length); i++) spawn();
  });
}
