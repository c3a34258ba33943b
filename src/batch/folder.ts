// The batch folder, written the same way whoever runs the jobs (worker threads here, queue workers elsewhere, shards):
//   batch.json                    the plan: scenario, grid or design, seeds, the points with parameters and hash
//   runs/<point>-seed<N>.json     one per finished run: the run summary (what the aggregate reads)
//   runs/<point>-seed<N>.trades.csv   with --trades: the run's trade log, written before its .json (src/batch/trades.ts)
//   failed/<point>-seed<N>.json   one per failed run: error code and message
//   timings.csv                   key,ms per finished or failed run, appended: wall times stay out of the run files,
//                                 so a batch run by a queue equals one run here byte for byte
//   aggregate.json, aggregate.csv, aggregate.html   quantiles across seeds per point (written when the batch ends)
//   daily.parquet/.csv, run-figures.parquet/.csv    tidy tables of every run (src/batch/tables.ts)
//   trades.parquet/.csv                             with --trades: every run's trade log (src/batch/trades.ts)
//   sensitivity.csv                                 Sobol indices, for a Sobol design (src/batch/sensitivity.ts)
// Every file but timings.csv is written to a temporary name and renamed, so an interrupted batch leaves complete files
// only. Finished runs are read back instead of run again; one whose scenario hash differs from its point's (the
// scenario file or the grid changed since) is refused: a folder never mixes two versions of a scenario.
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { loadReportAssets } from '../report/assets.ts';
import { renderFanReport } from '../report/fan-chart.ts';
import { SimCode, SimError } from '../sim/errors.ts';
import type { RunSummary } from '../sim/output-types.ts';
import { type Aggregate, aggregate, aggregateCsv, fanReportParts } from './aggregate.ts';
import { DailyTable } from './daily-table.ts';
import type { FigureSet } from './figures.ts';
import type { BatchJob, BatchPlan } from './plan.ts';
import { batchSensitivity, sensitivityCsv } from './sensitivity.ts';
import { sensitivitySection } from './sensitivity-chart.ts';
import { runsTable, toCsv, toParquet } from './tables.ts';
import { tradesPath, tradeTables } from './trades.ts';

/** Fan charts in aggregate.html at most (a design has hundreds of points; the table and CSV keep them all). */
export const MAX_FANS = 24;

export interface RunRecord {
  readonly key: string;
  readonly point: string;
  readonly params: Readonly<Record<string, string>>;
  readonly seed: number;
  readonly scenarioHash: string;
  readonly summary: RunSummary;
}

export function writeAtomic(path: string, text: string | Uint8Array): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** Temporary files left by a batch killed the hard way (SIGKILL between write and rename). */
function removeStaleTemps(dir: string): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) if (name.startsWith('.') && name.endsWith('.tmp')) rmSync(join(dir, name));
}

export function readRecord(path: string): RunRecord | null {
  try {
    const r = JSON.parse(readFileSync(path, 'utf8')) as RunRecord;
    return typeof r.scenarioHash === 'string' && r.summary?.markets !== undefined ? r : null;
  } catch {
    return null;
  }
}

/** batch.json: what the folder holds, identical for every way of running the same plan (merge compares it). */
export function batchJson(plan: BatchPlan, figures: FigureSet): string {
  return `${JSON.stringify(
    {
      scenario: plan.base.id,
      file: plan.file,
      ...(plan.design === null ? { grid: plan.grid } : { design: plan.design.spec }),
      seeds: plan.seeds,
      figures: figures.source,
      ...(plan.trades ? { trades: true } : {}),
      points: plan.points.map((p) => ({ id: p.id, params: p.params, scenarioHash: p.scenarioHash })),
    },
    null,
    2,
  )}\n`;
}

/** Finished runs of the plan found in the folder; refuses a run of another version of its point's scenario. */
function resume(dir: string, plan: BatchPlan): Map<string, RunRecord> {
  const found = new Map<string, RunRecord>();
  for (const job of plan.jobs) {
    const path = join(dir, 'runs', `${job.key}.json`);
    if (!existsSync(path)) continue;
    // Kept trade logs are part of the run: a record without its log (from a batch without --trades) runs again.
    if (plan.trades && !existsSync(tradesPath(dir, job.key))) continue;
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

/** Creates the folder (or opens it to resume), writes batch.json; returns the runs already finished. */
export function openFolder(dir: string, plan: BatchPlan, figures: FigureSet): Map<string, RunRecord> {
  for (const d of [dir, join(dir, 'runs'), join(dir, 'failed')]) {
    mkdirSync(d, { recursive: true });
    removeStaleTemps(d);
  }
  const found = resume(dir, plan);
  writeAtomic(join(dir, 'batch.json'), batchJson(plan, figures));
  return found;
}

/** The run's record, and its trade log first when the batch keeps them (a record is only ever beside its log). */
export function writeRun(dir: string, job: BatchJob, summary: RunSummary, trades?: string): void {
  if (trades !== undefined) writeAtomic(tradesPath(dir, job.key), trades);
  const rec: RunRecord = {
    key: job.key,
    point: job.point.id,
    params: job.point.params,
    seed: job.seed,
    scenarioHash: job.point.scenarioHash,
    summary,
  };
  writeAtomic(join(dir, 'runs', `${job.key}.json`), `${JSON.stringify(rec)}\n`);
  const failed = join(dir, 'failed', `${job.key}.json`);
  if (existsSync(failed)) rmSync(failed);
}

export function writeFailure(dir: string, job: BatchJob, code: string, message: string): void {
  const rec = {
    key: job.key,
    point: job.point.id,
    params: job.point.params,
    seed: job.seed,
    scenarioHash: job.point.scenarioHash,
    code,
    message,
  };
  writeAtomic(join(dir, 'failed', `${job.key}.json`), `${JSON.stringify(rec, null, 2)}\n`);
}

/** One line per run that finished or failed: key, milliseconds in its worker. */
export function appendTiming(dir: string, key: string, ms: number): void {
  const path = join(dir, 'timings.csv');
  appendFileSync(path, `${existsSync(path) ? '' : 'key,ms\n'}${key},${Math.round(ms)}\n`);
}

/** The daily table of finished runs (a batch builds its own as results come in: runBatch). */
export function dailyOf(plan: BatchPlan, runs: ReadonlyMap<string, RunSummary>): DailyTable {
  const t = new DailyTable();
  for (const job of plan.jobs) {
    const s = runs.get(job.key);
    if (s !== undefined) t.add(job, s);
  }
  return t;
}

/**
 * aggregate.json, .csv and .html from the runs of the plan (and sensitivity.csv for a Sobol design), and the tidy
 * tables; `daily` holds the runs' daily rows when they were added as they came in (else built here from `runs`).
 */
export function writeAggregate(
  dir: string | null,
  plan: BatchPlan,
  figures: FigureSet,
  runs: ReadonlyMap<string, RunSummary>,
  failed: ReadonlySet<string>,
  daily?: DailyTable,
): Aggregate {
  const agg = aggregate(plan, figures, runs, failed);
  if (dir === null) return agg;
  writeAtomic(join(dir, 'aggregate.json'), `${JSON.stringify(agg, null, 2)}\n`);
  writeAtomic(join(dir, 'aggregate.csv'), aggregateCsv(agg));
  const parts = fanReportParts(agg);
  const n = plan.points.length;
  const what = plan.design === null ? 'grid point' : `${plan.design.spec.kind} design point`;
  const cut = parts.fans.length > MAX_FANS ? `; close fans of the first ${MAX_FANS} points` : '';
  let html = renderFanReport({
    title: `Batch: ${plan.base.title}`,
    subtitle: `${n} ${what}${n === 1 ? '' : 's'} × ${plan.seeds.length} seed${plan.seeds.length === 1 ? '' : 's'}; figures: ${figures.source}${cut}`,
    fans: parts.fans.slice(0, MAX_FANS),
    table: parts.table,
    assets: loadReportAssets(),
  });
  const sens = batchSensitivity(plan, figures, runs);
  if (sens !== null && plan.design !== null) {
    writeAtomic(join(dir, 'sensitivity.csv'), sensitivityCsv(plan, sens));
    const section = sensitivitySection(sens, plan.design.spec.params, plan.design.spec.n, plan.seeds.length);
    // First on the page, before the fan charts (or at the end of the main column if the page has no section).
    const first = html.indexOf('<section');
    const at = first >= 0 ? first : html.indexOf('</main>');
    html = at < 0 ? `${html}${section}` : `${html.slice(0, at)}${section}${html.slice(at)}`;
  }
  writeAtomic(join(dir, 'aggregate.html'), html);
  const table = daily ?? dailyOf(plan, runs);
  writeAtomic(join(dir, 'daily.parquet'), table.parquet(plan));
  writeAtomic(join(dir, 'daily.csv'), table.csv(plan));
  const figureCols = runsTable(plan, figures, runs);
  writeAtomic(join(dir, 'run-figures.parquet'), toParquet(figureCols));
  writeAtomic(join(dir, 'run-figures.csv'), toCsv(figureCols));
  if (plan.trades) {
    const t = tradeTables(dir, plan, new Set(runs.keys()));
    writeAtomic(join(dir, 'trades.parquet'), toParquet(t.columns));
    writeAtomic(join(dir, 'trades.csv'), t.csv);
  }
  return agg;
}
