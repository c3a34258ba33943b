// A pool of worker threads running batch jobs. Each worker gets the run context when it starts (workerData, see
// WorkerInit) and takes one job at a time; a job's exception comes back as its failure, a worker that dies takes its
// job down as failed and is replaced by the next job that needs one. A worker that cannot even start (run context
// failing to set up) stops the pool: every other would fail the same way.
//
// ThreadPool serves jobs as they come (the queue worker, src/batch/queue/worker.ts, hands it each job it takes);
// runPool runs a fixed list through one (the local batch).
//
// Workers run TypeScript: the entry is a one-line ES module that registers tsx in the worker thread, then imports
// worker.ts. `execArgv: ['--import', 'tsx']` does not work for a worker's entry on Node 20 (the entry is loaded
// before the hooks are), and this form works the same from `npx cets`, `tsx` and vitest.
import { Worker } from 'node:worker_threads';
import type { RunSummary } from '../sim/output-types.ts';
import { BatchCode } from './errors.ts';
import type { JobMessage, WorkerInit, WorkerMessage } from './protocol.ts';

const TSX_API = import.meta.resolve('tsx/esm/api');
const ENTRY = new URL('./worker.ts', import.meta.url).href;
const BOOT = `import(${JSON.stringify(TSX_API)}).then((m) => { m.register(); return import(${JSON.stringify(ENTRY)}); });`;

/** Error code of a job whose worker died under it. */
export const WORKER_CRASH = BatchCode.WorkerCrash;

export type Outcome =
  | {
      readonly key: string;
      readonly ok: true;
      readonly summary: RunSummary;
      /** The trade log as CSV text, when the job kept it. */
      readonly trades?: string;
      readonly ms: number;
    }
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

interface Task {
  readonly job: JobMessage;
  readonly resolve: (o: Outcome) => void;
  readonly reject: (e: Error) => void;
}

interface Slot {
  readonly worker: Worker;
  ready: boolean;
  task: Task | null;
  started: number;
  error: Error | null;
}

/** Up to `size` worker threads, started as jobs arrive; run() resolves with the job's outcome. */
export class ThreadPool {
  readonly #size: number;
  readonly #init: WorkerInit;
  readonly #slots = new Set<Slot>();
  readonly #waiting: Task[] = [];
  #failure: PoolStartError | null = null;
  #closed = false;

  constructor(size: number, init: WorkerInit) {
    this.#size = size;
    this.#init = init;
  }

  run(job: JobMessage): Promise<Outcome> {
    return new Promise((resolve, reject) => {
      if (this.#failure !== null) return reject(this.#failure);
      if (this.#closed) return reject(new Error('the thread pool is closed'));
      this.#waiting.push({ job, resolve, reject });
      this.#pump();
    });
  }

  /** Starts every thread now rather than with the first jobs; resolves when all are ready to run. */
  warm(): Promise<void> {
    while (this.#slots.size < this.#size) this.#spawn();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (this.#failure !== null) reject(this.#failure);
        else if ([...this.#slots].every((s) => s.ready)) resolve();
        else setTimeout(check, 20);
      };
      check();
    });
  }

  /** Stops every worker; jobs waiting or running get no outcome. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#waiting.length = 0;
    const all = [...this.#slots];
    this.#slots.clear();
    await Promise.all(all.map((s) => s.worker.terminate()));
  }

  #pump(): void {
    for (const s of this.#slots) if (s.ready && s.task === null) this.#dispatch(s);
    const idle = [...this.#slots].filter((s) => !s.ready).length;
    let wanted = this.#waiting.length - idle;
    while (wanted > 0 && this.#slots.size < this.#size) {
      this.#spawn();
      wanted--;
    }
  }

  #dispatch(slot: Slot): void {
    const task = this.#waiting.shift();
    if (task === undefined) return;
    slot.task = task;
    slot.started = performance.now();
    slot.worker.postMessage(task.job);
  }

  #fail(e: PoolStartError): void {
    this.#failure = e;
    const tasks = [...this.#waiting, ...[...this.#slots].flatMap((s) => (s.task === null ? [] : [s.task]))];
    void this.close();
    for (const t of tasks) t.reject(e);
  }

  #spawn(): void {
    const slot: Slot = {
      worker: new Worker(BOOT, { eval: true, workerData: this.#init }),
      ready: false,
      task: null,
      started: 0,
      error: null,
    };
    this.#slots.add(slot);
    slot.worker.on('message', (m: WorkerMessage) => {
      if (this.#closed) return;
      if (m.type === 'ready') {
        slot.ready = true;
        this.#dispatch(slot);
      } else if (m.type === 'fatal') this.#fail(new PoolStartError(m.code, m.message));
      else if (slot.task !== null && m.key === slot.task.job.key) {
        const task = slot.task;
        slot.task = null;
        this.#dispatch(slot);
        task.resolve(
          m.type === 'done'
            ? {
                key: m.key,
                ok: true,
                summary: m.summary,
                ...(m.trades === undefined ? {} : { trades: m.trades }),
                ms: m.ms,
              }
            : { key: m.key, ok: false, code: m.code, message: m.message, ms: m.ms },
        );
      }
    });
    slot.worker.on('error', (e) => {
      slot.error = e;
    });
    slot.worker.on('exit', (code) => {
      if (this.#closed || !this.#slots.delete(slot)) return;
      const why = slot.error?.message ?? `exit code ${code}`;
      if (!slot.ready) {
        this.#fail(new PoolStartError(WORKER_CRASH, `a batch worker failed to start: ${why}`));
        return;
      }
      const task = slot.task;
      this.#pump();
      task?.resolve({
        key: task.job.key,
        ok: false,
        code: WORKER_CRASH,
        message: `the worker running it crashed: ${why}`,
        ms: performance.now() - slot.started,
      });
    });
  }
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
  if (jobs.length === 0 || signal?.aborted) return Promise.resolve({ interrupted: signal?.aborted === true });
  const pool = new ThreadPool(Math.min(size, jobs.length), init);
  return new Promise((resolve, reject) => {
    let outcomes = 0;
    let finished = false;
    const finish = (result: { interrupted: boolean } | Error): void => {
      if (finished) return;
      finished = true;
      signal?.removeEventListener('abort', onAbort);
      void pool.close();
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const onAbort = (): void => finish({ interrupted: true });
    signal?.addEventListener('abort', onAbort);
    for (const job of jobs)
      pool.run(job).then((o) => {
        if (finished) return;
        outcomes++;
        onOutcome(o);
        if (outcomes === jobs.length) finish({ interrupted: false });
      }, finish);
  });
}
