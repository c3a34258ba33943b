// runBatch: a grid (or design) of scenario parameters × seeds, run in parallel worker threads of this process or by
// queue workers on other machines (--queue, src/batch/queue/coordinator.ts), aggregated into quantiles. The folder
// and its files are the same either way (src/batch/folder.ts); so are a shard's runs (--shard k/N, one of N slices
// of the plan, joined by `cets batch merge`, src/batch/merge.ts).
import { availableParallelism } from 'node:os';
import { SimCode, SimError } from '../sim/errors.ts';
import type { RunSummary } from '../sim/output-types.ts';
import { loadRunContext } from '../store/scenario-files.ts';
import type { Aggregate } from './aggregate.ts';
import { figureSet } from './figures.ts';
import { appendTiming, dailyOf, openFolder, writeAggregate, writeFailure, writeRun } from './folder.ts';
import { type BatchJob, type Design, defaultOutDir, type Grid, planBatch } from './plan.ts';
import { type Outcome, runPool } from './pool.ts';
import { type Fault, type JobMessage, workerInit } from './protocol.ts';
import { runOnQueue } from './queue/coordinator.ts';

export interface BatchProgress {
  readonly total: number;
  /** Finished in an earlier invocation (resumed), not run again. */
  readonly skipped: number;
  readonly done: number;
  readonly failed: number;
  readonly elapsedMs: number;
  /** Estimated time left, from the pace of the jobs finished so far; null before the first. */
  readonly etaMs: number | null;
  /** With --queue: jobs of this batch the queue holds, running and waiting (the queue's counts). */
  readonly queue?: { readonly active: number; readonly waiting: number };
}

export interface BatchFailure {
  readonly key: string;
  readonly code: string;
  readonly message: string;
}

/** The k-th (1-based) of n slices of the plan: jobs k-1, k-1+n, k-1+2n, ... so every slice mixes the points. */
export interface Shard {
  readonly k: number;
  readonly n: number;
}

export interface BatchOptions {
  /** Scenario name (scenarios/<name>.json) or path. */
  readonly scenario: string;
  readonly grid: Grid;
  /** Points of a design instead of a grid (the grid must then be empty). */
  readonly design?: Design | null;
  readonly seeds: readonly number[];
  /** Worker threads; at most one per job is started. Ignored with a queue (the workers bring their own). */
  readonly workers: number;
  /** The batch folder, '' for the default (runs/batch-<scenario>-<hash of grid and seeds>), null for no files. */
  readonly outDir: string | null;
  /** redis://host:port[/db]: run the jobs through this queue instead of worker threads here. */
  readonly queue?: string;
  readonly shard?: Shard;
  /** Every run keeps its trade log: runs/<key>.trades.csv, then trades.parquet and trades.csv (src/batch/trades.ts). */
  readonly trades?: boolean;
  readonly onProgress?: (p: BatchProgress) => void;
  /** Aborting stops the batch between jobs: what is written stays, jobs in flight are dropped. */
  readonly signal?: AbortSignal;
  /** Tests only: job key -> a failure to provoke in its worker. */
  readonly faults?: Readonly<Record<string, Fault>>;
}

export interface BatchSummary {
  readonly scenario: string;
  readonly outDir: string | null;
  readonly total: number;
  readonly skipped: number;
  /** Runs finished by this call. */
  readonly done: number;
  readonly failed: number;
  readonly failures: readonly BatchFailure[];
  readonly interrupted: boolean;
  readonly workers: number;
  /** Wall time of the whole call: loading, workers starting, runs, aggregate. */
  readonly wallMs: number;
  /** Sum of the run times measured in the workers (failed jobs included): the work done. */
  readonly runMs: number;
  /** Null when interrupted, and for a shard of a plan (merge writes it). */
  readonly aggregate: Aggregate | null;
  readonly shard: Shard | null;
  /** A Sobol design's batch wrote sensitivity.csv. */
  readonly sensitivity: boolean;
  /** The runs went through a queue (workers elsewhere; `workers` says nothing then). */
  readonly queue: boolean;
  /** The runs kept their trade logs (trades.parquet and .csv written with the aggregate). */
  readonly trades: boolean;
}

export const defaultWorkers = (): number => availableParallelism();

export const MAX_WORKERS = 256;

export function checkWorkers(n: number): number {
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_WORKERS)
    throw new SimError(SimCode.Args, `--workers must be a whole number 1..${MAX_WORKERS}, got ${n}`);
  return n;
}

function shardOf(jobs: readonly BatchJob[], shard: Shard | undefined): BatchJob[] {
  if (shard === undefined) return [...jobs];
  return jobs.filter((_, i) => i % shard.n === shard.k - 1);
}

export async function runBatch(opts: BatchOptions): Promise<BatchSummary> {
  const t0 = performance.now();
  const workers = checkWorkers(opts.workers);
  const ctx = loadRunContext();
  const plan = planBatch(ctx, opts.scenario, opts.grid, opts.seeds, opts.design ?? null, opts.trades === true);
  const figures = figureSet(plan.base);
  const dir =
    opts.outDir === null
      ? null
      : opts.outDir || defaultOutDir(plan.base.id, plan.grid, plan.seeds, plan.design?.spec ?? null, plan.trades);

  const summaries = new Map<string, RunSummary>();
  const mine = shardOf(plan.jobs, opts.shard);
  let todo: readonly BatchJob[] = mine;
  if (dir !== null) {
    const found = openFolder(dir, plan, figures);
    for (const [k, r] of found) summaries.set(k, r.summary);
    todo = mine.filter((j) => !found.has(j.key));
  }
  // The daily table grows as results come in, while the workers run on: only its assembly is left at the end.
  const daily = dir === null ? undefined : dailyOf(plan, summaries);
  const skipped = mine.length - todo.length;

  const byKey = new Map(plan.jobs.map((j) => [j.key, j]));
  const failures: BatchFailure[] = [];
  let done = 0;
  let runMs = 0;
  let queueCounts: { active: number; waiting: number } | undefined;
  const tStart = performance.now();
  const progress = (): void => {
    if (opts.onProgress === undefined) return;
    const finished = done + failures.length;
    const elapsed = performance.now() - tStart;
    const left = todo.length - finished;
    opts.onProgress({
      total: mine.length,
      skipped,
      done,
      failed: failures.length,
      elapsedMs: performance.now() - t0,
      etaMs: left === 0 ? 0 : finished === 0 ? null : (elapsed / finished) * left,
      ...(queueCounts === undefined ? {} : { queue: queueCounts }),
    });
  };

  const onOutcome = (o: Outcome): void => {
    const job = byKey.get(o.key)!;
    runMs += o.ms;
    if (o.ok) {
      done++;
      summaries.set(o.key, o.summary);
      if (dir !== null) writeRun(dir, job, o.summary, o.trades);
      daily?.add(job, o.summary);
    } else {
      failures.push({ key: o.key, code: o.code, message: o.message });
      if (dir !== null) writeFailure(dir, job, o.code, o.message);
    }
    if (dir !== null) appendTiming(dir, o.key, o.ms);
    progress();
  };

  progress();
  const onQueue = (q: { active: number; waiting: number }): void => {
    queueCounts = q;
    progress();
  };
  const { interrupted } =
    opts.queue === undefined
      ? await runPool(messages(todo, plan.trades, opts.faults), workers, workerInit(ctx), onOutcome, opts.signal)
      : await runOnQueue({
          url: opts.queue,
          scenario: opts.scenario,
          plan,
          jobs: todo,
          written: mine.filter((j) => summaries.has(j.key)),
          onOutcome,
          onQueue,
          ...(opts.signal === undefined ? {} : { signal: opts.signal }),
          ...(opts.faults === undefined ? {} : { faults: opts.faults }),
        });

  const whole = opts.shard === undefined || opts.shard.n === 1;
  const agg =
    interrupted || !whole
      ? null
      : writeAggregate(dir, plan, figures, summaries, new Set(failures.map((f) => f.key)), daily);
  return {
    scenario: plan.base.id,
    outDir: dir,
    total: mine.length,
    skipped,
    done,
    failed: failures.length,
    failures,
    interrupted,
    workers: Math.min(workers, todo.length),
    wallMs: performance.now() - t0,
    runMs,
    aggregate: agg,
    shard: opts.shard ?? null,
    sensitivity: agg !== null && plan.design?.spec.kind === 'sobol',
    queue: opts.queue !== undefined,
    trades: plan.trades,
  };
}

function messages(jobs: readonly BatchJob[], trades: boolean, faults: BatchOptions['faults']): JobMessage[] {
  return jobs.map((j) => {
    const fault = faults?.[j.key];
    return {
      type: 'job',
      key: j.key,
      scenario: j.point.scenario,
      scenarioHash: j.point.scenarioHash,
      seed: j.seed,
      ...(trades ? { keepTrades: true as const } : {}),
      ...(fault === undefined ? {} : { fault }),
    };
  });
}
