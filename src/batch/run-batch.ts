// runBatch: a grid of scenario parameters × seeds, run in parallel worker threads, aggregated into quantiles.
//
// The batch folder (outDir):
//   batch.json            the plan: scenario, grid, seeds, the points with their parameters and scenario hash
//   runs/<point>-seed<N>.json     one per finished run: the run summary and how long it took (what the aggregate reads)
//   failed/<point>-seed<N>.json   one per failed run: error code and message
//   aggregate.json, aggregate.csv, aggregate.html   quantiles across seeds per point (written when the batch ends)
// Every file is written to a temporary name and renamed, from the main thread between jobs, so an interrupted batch
// leaves complete files only. Running the same plan into the same folder resumes: finished runs are read back, not
// run again; failed ones are retried. A finished run whose scenario hash differs from its point's (the scenario file
// or the grid changed since) stops the batch before anything runs: a folder never mixes two versions of a scenario.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { loadReportAssets } from '../report/assets.ts';
import { renderFanReport } from '../report/fan-chart.ts';
import { SimCode, SimError } from '../sim/errors.ts';
import type { RunSummary } from '../sim/output-types.ts';
import { loadRunContext } from '../store/scenario-files.ts';
import { type Aggregate, aggregate, aggregateCsv, fanReportParts } from './aggregate.ts';
import { figureSet } from './figures.ts';
import { type BatchJob, type BatchPlan, defaultOutDir, type Grid, planBatch } from './plan.ts';
import { type Outcome, runPool } from './pool.ts';
import { type Fault, type JobMessage, workerInit } from './protocol.ts';

export interface BatchProgress {
  readonly total: number;
  /** Finished in an earlier invocation (resumed), not run again. */
  readonly skipped: number;
  readonly done: number;
  readonly failed: number;
  readonly elapsedMs: number;
  /** Estimated time left, from the pace of the jobs finished so far; null before the first. */
  readonly etaMs: number | null;
}

export interface BatchFailure {
  readonly key: string;
  readonly code: string;
  readonly message: string;
}

export interface BatchOptions {
  /** Scenario name (scenarios/<name>.json) or path. */
  readonly scenario: string;
  readonly grid: Grid;
  readonly seeds: readonly number[];
  /** Worker threads; at most one per job is started. */
  readonly workers: number;
  /** The batch folder, '' for the default (runs/batch-<scenario>-<hash of grid and seeds>), null for no files. */
  readonly outDir: string | null;
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
  /** Null when interrupted. */
  readonly aggregate: Aggregate | null;
}

export const defaultWorkers = (): number => availableParallelism();

export const MAX_WORKERS = 256;

interface RunRecord {
  readonly key: string;
  readonly point: string;
  readonly params: Readonly<Record<string, string>>;
  readonly seed: number;
  readonly scenarioHash: string;
  readonly ms: number;
  readonly summary: RunSummary;
}

function writeAtomic(path: string, text: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** Temporary files left by a batch killed the hard way (SIGKILL between write and rename). */
function removeStaleTemps(dir: string): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) if (name.startsWith('.') && name.endsWith('.tmp')) rmSync(join(dir, name));
}

function readRecord(path: string): RunRecord | null {
  try {
    const r = JSON.parse(readFileSync(path, 'utf8')) as RunRecord;
    return typeof r.scenarioHash === 'string' && r.summary?.markets !== undefined ? r : null;
  } catch {
    return null;
  }
}

/** Finished runs of the plan found in the folder; refuses a run of another version of its point's scenario. */
function resume(dir: string, plan: BatchPlan): Map<string, RunRecord> {
  const found = new Map<string, RunRecord>();
  for (const job of plan.jobs) {
    const path = join(dir, 'runs', `${job.key}.json`);
    if (!existsSync(path)) continue;
    const r = readRecord(path);
    if (r === null) continue; // unreadable: run it again, the new file replaces it
    if (r.scenarioHash !== job.point.scenarioHash || r.seed !== job.seed)
      throw new SimError(
        SimCode.Args,
        `${path} is a run of another version of the scenario (hash ${r.scenarioHash.slice(0, 12)}, ` +
          `${JSON.stringify(r.params)}; now ${job.point.scenarioHash.slice(0, 12)}, ${JSON.stringify(job.point.params)}): ` +
          `the scenario file or the grid changed since it ran. Give another --out, or delete ${dir} to start over`,
      );
    found.set(job.key, r);
  }
  return found;
}

function checkWorkers(n: number): number {
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_WORKERS)
    throw new SimError(SimCode.Args, `--workers must be a whole number 1..${MAX_WORKERS}, got ${n}`);
  return n;
}

export async function runBatch(opts: BatchOptions): Promise<BatchSummary> {
  const t0 = performance.now();
  const workers = checkWorkers(opts.workers);
  const ctx = loadRunContext();
  const plan = planBatch(ctx, opts.scenario, opts.grid, opts.seeds);
  const figures = figureSet(plan.base);
  const dir = opts.outDir === null ? null : opts.outDir || defaultOutDir(plan.base.id, plan.grid, plan.seeds);

  const summaries = new Map<string, RunSummary>();
  let todo: readonly BatchJob[] = plan.jobs;
  if (dir !== null) {
    for (const d of [dir, join(dir, 'runs'), join(dir, 'failed')]) {
      mkdirSync(d, { recursive: true });
      removeStaleTemps(d);
    }
    const found = resume(dir, plan);
    for (const [k, r] of found) summaries.set(k, r.summary);
    todo = plan.jobs.filter((j) => !found.has(j.key));
    writeAtomic(
      join(dir, 'batch.json'),
      `${JSON.stringify(
        {
          scenario: plan.base.id,
          file: plan.file,
          grid: plan.grid,
          seeds: plan.seeds,
          figures: figures.source,
          points: plan.points.map((p) => ({ id: p.id, params: p.params, scenarioHash: p.scenarioHash })),
        },
        null,
        2,
      )}\n`,
    );
  }
  const skipped = plan.jobs.length - todo.length;

  const byKey = new Map(plan.jobs.map((j) => [j.key, j]));
  const failures: BatchFailure[] = [];
  let done = 0;
  let runMs = 0;
  const tStart = performance.now();
  const progress = (): void => {
    if (opts.onProgress === undefined) return;
    const finished = done + failures.length;
    const elapsed = performance.now() - tStart;
    const left = todo.length - finished;
    opts.onProgress({
      total: plan.jobs.length,
      skipped,
      done,
      failed: failures.length,
      elapsedMs: performance.now() - t0,
      etaMs: left === 0 ? 0 : finished === 0 ? null : (elapsed / finished) * left,
    });
  };

  const onOutcome = (o: Outcome): void => {
    const job = byKey.get(o.key)!;
    runMs += o.ms;
    const failedPath = dir === null ? null : join(dir, 'failed', `${o.key}.json`);
    if (o.ok) {
      done++;
      summaries.set(o.key, o.summary);
      if (dir !== null) {
        const rec: RunRecord = {
          key: o.key,
          point: job.point.id,
          params: job.point.params,
          seed: job.seed,
          scenarioHash: job.point.scenarioHash,
          ms: Math.round(o.ms),
          summary: o.summary,
        };
        writeAtomic(join(dir, 'runs', `${o.key}.json`), `${JSON.stringify(rec)}\n`);
        if (failedPath !== null && existsSync(failedPath)) rmSync(failedPath);
      }
    } else {
      failures.push({ key: o.key, code: o.code, message: o.message });
      if (failedPath !== null)
        writeAtomic(
          failedPath,
          `${JSON.stringify(
            {
              key: o.key,
              point: job.point.id,
              params: job.point.params,
              seed: job.seed,
              scenarioHash: job.point.scenarioHash,
              code: o.code,
              message: o.message,
            },
            null,
            2,
          )}\n`,
        );
    }
    progress();
  };

  progress();
  const messages: JobMessage[] = todo.map((j) => {
    const fault = opts.faults?.[j.key];
    return {
      type: 'job',
      key: j.key,
      scenario: j.point.scenario,
      scenarioHash: j.point.scenarioHash,
      seed: j.seed,
      ...(fault === undefined ? {} : { fault }),
    };
  });
  const { interrupted } = await runPool(messages, workers, workerInit(ctx), onOutcome, opts.signal);

  let agg: Aggregate | null = null;
  if (!interrupted) {
    agg = aggregate(plan, figures, summaries, new Set(failures.map((f) => f.key)));
    if (dir !== null) {
      writeAtomic(join(dir, 'aggregate.json'), `${JSON.stringify(agg, null, 2)}\n`);
      writeAtomic(join(dir, 'aggregate.csv'), aggregateCsv(agg));
      const parts = fanReportParts(agg);
      writeAtomic(
        join(dir, 'aggregate.html'),
        renderFanReport({
          title: `Batch: ${plan.base.title}`,
          subtitle: `${plan.points.length} grid point${plan.points.length === 1 ? '' : 's'} × ${plan.seeds.length} seed${plan.seeds.length === 1 ? '' : 's'}; figures: ${figures.source}`,
          fans: parts.fans,
          table: parts.table,
          assets: loadReportAssets(),
        }),
      );
    }
  }
  return {
    scenario: plan.base.id,
    outDir: dir,
    total: plan.jobs.length,
    skipped,
    done,
    failed: failures.length,
    failures,
    interrupted,
    workers: Math.min(workers, todo.length),
    wallMs: performance.now() - t0,
    runMs,
    aggregate: agg,
  };
}
