// `cets batch merge DIR...`: joins batch folders of the same plan (shards run with --shard k/N on a cluster's job
// array, or folders resumed on other machines) into the first one (or --out), then writes the aggregate as a batch
// run in one go would. The folders must hold the same batch.json byte for byte, and a run found in two folders must
// be the same bytes in both (BATCH_ERR_MERGE otherwise). The plan is rebuilt from batch.json and checked against it,
// so a scenario changed since the shards ran is refused too. A batch with --trades brings its runs' trade logs along
// (runs/<key>.trades.csv, compared and copied as the records are).
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RunSummary } from '../sim/output-types.ts';
import { loadRunContext } from '../store/scenario-files.ts';
import type { Aggregate } from './aggregate.ts';
import { BatchCode, BatchError } from './errors.ts';
import { figureSet } from './figures.ts';
import { batchJson, readRecord, writeAggregate, writeAtomic } from './folder.ts';
import { type DesignSpec, type Grid, planBatch } from './plan.ts';
import { tradesPath } from './trades.ts';

export interface MergeSummary {
  readonly outDir: string;
  readonly total: number;
  readonly runs: number;
  readonly failed: number;
  /** Keys of the runs no folder has: the aggregate is not written while any is missing. */
  readonly missing: readonly string[];
  readonly copied: number;
  readonly aggregate: Aggregate | null;
  /** A Sobol design's merge wrote sensitivity.csv. */
  readonly sensitivity: boolean;
  /** The batch kept trade logs: trades.parquet and .csv were written with the aggregate. */
  readonly trades: boolean;
}

interface BatchFile {
  readonly file: string;
  readonly grid?: Grid;
  readonly design?: DesignSpec;
  readonly seeds: number[];
  readonly trades?: boolean;
  readonly points: { id: string; params: Record<string, string>; scenarioHash: string }[];
}

function read(dir: string): string {
  const path = join(dir, 'batch.json');
  if (!existsSync(path)) throw new BatchError(BatchCode.Merge, `${dir} is not a batch folder (no batch.json)`);
  return readFileSync(path, 'utf8');
}

const list = (dir: string, ext = '.json'): string[] =>
  existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith(ext)) : [];

export function mergeBatches(dirs: readonly string[], outDir?: string): MergeSummary {
  if (dirs.length === 0) throw new BatchError(BatchCode.Merge, 'no folders to merge');
  const text = read(dirs[0]!);
  for (const d of dirs.slice(1))
    if (read(d) !== text)
      throw new BatchError(BatchCode.Merge, `${d}/batch.json differs from ${dirs[0]}/batch.json: not the same batch`);
  const out = outDir ?? dirs[0]!;
  for (const d of [out, join(out, 'runs'), join(out, 'failed')]) mkdirSync(d, { recursive: true });
  if (!existsSync(join(out, 'batch.json'))) writeAtomic(join(out, 'batch.json'), text);

  let copied = 0;
  const timings: string[] = [];
  for (const d of dirs) {
    if (resolve(d) === resolve(out)) continue;
    // Trade logs (--trades) first: a run's record is never in the folder without its log.
    for (const name of list(join(d, 'runs'), '.trades.csv')) {
      const src = join(d, 'runs', name);
      const dst = join(out, 'runs', name);
      if (existsSync(dst)) {
        if (!readFileSync(src).equals(readFileSync(dst)))
          throw new BatchError(BatchCode.Merge, `${src} and ${dst} are the same run with other trades`);
      } else copyFileSync(src, dst);
    }
    for (const name of list(join(d, 'runs'))) {
      const src = join(d, 'runs', name);
      const dst = join(out, 'runs', name);
      if (existsSync(dst)) {
        if (!readFileSync(src).equals(readFileSync(dst)))
          throw new BatchError(BatchCode.Merge, `${src} and ${dst} are the same run with other results`);
        continue;
      }
      copyFileSync(src, dst);
      copied++;
    }
    for (const name of list(join(d, 'failed')))
      if (!existsSync(join(out, 'runs', name)) && !existsSync(join(out, 'failed', name)))
        copyFileSync(join(d, 'failed', name), join(out, 'failed', name));
    const t = join(d, 'timings.csv');
    if (existsSync(t)) timings.push(...readFileSync(t, 'utf8').split('\n').slice(1).filter(Boolean));
  }
  // A run that failed in one folder and finished in another counts as finished.
  for (const name of list(join(out, 'failed')))
    if (existsSync(join(out, 'runs', name))) rmSync(join(out, 'failed', name));
  if (timings.length > 0) {
    const t = join(out, 'timings.csv');
    const have = existsSync(t) ? readFileSync(t, 'utf8') : 'key,ms\n';
    writeAtomic(t, `${have}${timings.join('\n')}\n`);
  }

  const b = JSON.parse(text) as BatchFile;
  const ctx = loadRunContext();
  const design = b.design === undefined ? null : { spec: b.design, rows: b.points.map((p) => p.params) };
  const plan = planBatch(ctx, b.file, b.grid ?? {}, b.seeds, design, b.trades === true);
  const figures = figureSet(plan.base);
  if (batchJson(plan, figures) !== text)
    throw new BatchError(
      BatchCode.Merge,
      `${out}/batch.json is not what ${b.file} plans now: the scenario, its data or the figures changed since the batch ran`,
    );
  const runs = new Map<string, RunSummary>();
  const failed = new Set<string>();
  const missing: string[] = [];
  for (const job of plan.jobs) {
    const r = readRecord(join(out, 'runs', `${job.key}.json`));
    const logged = !plan.trades || existsSync(tradesPath(out, job.key));
    if (r !== null && logged && r.scenarioHash === job.point.scenarioHash && r.seed === job.seed)
      runs.set(job.key, r.summary);
    else if (existsSync(join(out, 'failed', `${job.key}.json`))) failed.add(job.key);
    else missing.push(job.key);
  }
  const agg = missing.length === 0 ? writeAggregate(out, plan, figures, runs, failed) : null;
  return {
    outDir: out,
    total: plan.jobs.length,
    runs: runs.size,
    failed: failed.size,
    missing,
    copied,
    aggregate: agg,
    sensitivity: agg !== null && plan.design?.spec.kind === 'sobol',
    trades: agg !== null && plan.trades,
  };
}
