// `cets batch <scenario> [--grid path=v1,v2,...]... [--seeds 1..50] [--workers N] [--out DIR] [--queue redis://...]
// [--shard k/N] [--trades]`: every grid point × every seed, in parallel worker threads (or queue workers), aggregated into
// quantiles across seeds (src/batch/run-batch.ts). Ctrl-C stops between runs; running the same command again resumes.
// `cets batch merge DIR... [--out DIR]` joins the folders of shards (src/batch/merge.ts).
import { parseArgs } from 'node:util';
import { pointLabel } from '../batch/aggregate.ts';
import { parseDesign, parseParamArgs } from '../batch/design.ts';
import { BatchError } from '../batch/errors.ts';
import { mergeBatches } from '../batch/merge.ts';
import { parseGridArgs, parseSeeds } from '../batch/plan.ts';
import { PoolStartError } from '../batch/pool.ts';
import { progressBar } from '../batch/progress.ts';
import { type BatchSummary, defaultWorkers, runBatch, type Shard } from '../batch/run-batch.ts';
import { SimCode, SimError } from '../sim/errors.ts';
import { table } from './format.ts';

export const BATCH_USAGE =
  'usage: cets batch <scenario> [--grid path=v1,v2,...]... [--seeds 1..50 | N | a,b,c] [--workers N] [--out DIR]\n' +
  '                  [--param path:min:max ... --design lhs:N | sobol:N | --design file.csv]\n' +
  '                  [--queue redis://host:port[/db]] [--shard k/N] [--trades]\n' +
  '       cets batch merge DIR... [--out DIR]';

/** `--shard k/N`: the k-th of N slices, 1 <= k <= N. */
export function parseShard(raw: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(raw.trim());
  const k = m === null ? Number.NaN : Number(m[1]);
  const n = m === null ? Number.NaN : Number(m[2]);
  if (!Number.isSafeInteger(k) || !Number.isSafeInteger(n) || k < 1 || n < 1 || k > n || n > 100_000)
    throw new SimError(SimCode.Args, `--shard wants k/N with 1 <= k <= N (e.g. 3/8), got "${raw}"`);
  return { k, n };
}

export function workersOf(raw: string | undefined): number {
  if (raw === undefined) return defaultWorkers();
  const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1)
    throw new SimError(SimCode.Args, `--workers must be a whole number ≥ 1, got "${raw}"`);
  return n;
}

const MAX_POINTS_SHOWN = 10;
const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const fmt = (x: number | null): string =>
  x === null ? 'n/a' : Math.abs(x) >= 1000 ? Math.round(x).toLocaleString('en-US') : x.toFixed(2);

/** The files a finished batch writes beside runs/. */
const outputs = (sensitivity: boolean, trades: boolean): string =>
  `aggregate.json .csv .html, daily.parquet .csv, run-figures.parquet .csv${trades ? ', trades.parquet .csv' : ''}${sensitivity ? ', sensitivity.csv' : ''}`;

export function summaryLines(s: BatchSummary): string[] {
  const out: string[] = [];
  const a = s.aggregate;
  if (a !== null) {
    // A design has hundreds of points: the first few here, all of them in aggregate.csv.
    const shown = a.points.slice(0, MAX_POINTS_SHOWN);
    const rows = shown.flatMap((p) =>
      a.figures.map((f) => {
        const q = p.figures[f.id]!;
        return [
          pointLabel(p),
          f.label,
          f.published === null ? '' : fmt(f.published),
          fmt(q.q05),
          fmt(q.q50),
          fmt(q.q95),
        ];
      }),
    );
    out.push(...table(['point', 'figure', 'published', '5%', 'median', '95%'], rows));
    if (a.points.length > shown.length)
      out.push(
        `... and ${a.points.length - shown.length} more points (see ${s.outDir ?? 'the aggregate'}/aggregate.csv)`,
      );
    out.push('');
  }
  for (const f of s.failures.slice(0, 10)) out.push(`failed ${f.key}: ${f.code}: ${f.message}`);
  if (s.failures.length > 10) out.push(`... and ${s.failures.length - 10} more (see ${s.outDir}/failed/)`);
  const resumed = s.skipped > 0 ? ` (${s.skipped} resumed from ${s.outDir})` : '';
  out.push(`${s.done} runs done, ${s.failed} failed, of ${s.total}${resumed}${s.interrupted ? ': INTERRUPTED' : ''}`);
  const ran = s.done + s.failed;
  const speed = s.wallMs > 0 ? s.runMs / s.wallMs : 0;
  out.push(
    ran === 0
      ? `wall ${secs(s.wallMs)}: nothing left to run`
      : `wall ${secs(s.wallMs)}, run time ${secs(s.runMs)} ${s.queue ? 'through the queue' : `on ${s.workers} worker${s.workers === 1 ? '' : 's'}`}: speed-up ${speed.toFixed(2)}×`,
  );
  if (s.outDir !== null)
    out.push(
      s.interrupted
        ? `finished runs are in ${s.outDir}/runs/; run the same command again to resume`
        : s.aggregate === null
          ? `wrote shard ${s.shard?.k}/${s.shard?.n} to ${s.outDir}/runs/; join the shards' folders with \`cets batch merge DIR...\``
          : `wrote ${s.outDir}/: ${outputs(s.sensitivity, s.trades)}, runs/ (one file per run)${s.failed > 0 ? ', failed/' : ''}`,
    );
  return out;
}

function mergeCommand(args: readonly string[], out: (line: string) => void): number {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: { out: { type: 'string' } },
  });
  if (positionals.length === 0) throw new SimError(SimCode.Args, BATCH_USAGE);
  let m: ReturnType<typeof mergeBatches>;
  try {
    m = mergeBatches(positionals, values.out);
  } catch (e) {
    if (e instanceof BatchError) {
      console.error(`cets: ${e.code}: ${e.message}`);
      return 1;
    }
    throw e;
  }
  out(
    `merged ${positionals.length} folder${positionals.length === 1 ? '' : 's'} into ${m.outDir}: ${m.copied} runs copied`,
  );
  out(`${m.runs} runs, ${m.failed} failed, ${m.missing.length} missing, of ${m.total}`);
  if (m.missing.length > 0) {
    out(`missing: ${m.missing.slice(0, 10).join(' ')}${m.missing.length > 10 ? ' ...' : ''}`);
    out('no aggregate written: run the missing shards (the same command resumes), then merge again');
    return 1;
  }
  out(`wrote ${m.outDir}/: ${outputs(m.sensitivity, m.trades)}`);
  return m.failed > 0 ? 1 : 0;
}

export async function batchCommand(args: readonly string[], out: (line: string) => void): Promise<number> {
  if (args[0] === 'merge') return mergeCommand(args.slice(1), out);
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      grid: { type: 'string', multiple: true },
      seeds: { type: 'string' },
      workers: { type: 'string' },
      out: { type: 'string' },
      queue: { type: 'string' },
      shard: { type: 'string' },
      param: { type: 'string', multiple: true },
      design: { type: 'string' },
      trades: { type: 'boolean' },
    },
  });
  const name = positionals[0];
  if (name === undefined || positionals.length > 1) throw new SimError(SimCode.Args, BATCH_USAGE);
  const grid = parseGridArgs(values.grid ?? []);
  const params = parseParamArgs(values.param ?? []);
  if (values.design === undefined && params.length > 0)
    throw new SimError(SimCode.Args, '--param needs --design lhs:N or --design sobol:N');
  if (values.design !== undefined && values.grid !== undefined)
    throw new SimError(SimCode.Args, '--grid and --design cannot be combined: put the grid values in a design file');
  const design = values.design === undefined ? null : parseDesign(values.design, params);
  const seeds = parseSeeds(values.seeds ?? '1..20');
  const workers = workersOf(values.workers);
  if (values.out === '') throw new SimError(SimCode.Args, '--out wants a folder');
  const shard = values.shard === undefined ? undefined : parseShard(values.shard);
  if (shard !== undefined && values.queue !== undefined)
    throw new SimError(SimCode.Args, '--shard and --queue cannot be combined: a queue already spreads the runs');

  // First Ctrl-C: stop between runs (files stay complete), print what was done. Second: leave at once.
  const abort = new AbortController();
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write('\ninterrupted: stopping the batch (Ctrl-C again to quit at once)\n');
      abort.abort();
    } else process.exit(130);
  };
  process.on('SIGINT', onSigint);
  const bar = progressBar(process.stderr);
  let s: BatchSummary;
  try {
    s = await runBatch({
      scenario: name,
      grid,
      design,
      seeds,
      workers,
      outDir: values.out ?? '',
      onProgress: bar.update,
      signal: abort.signal,
      ...(values.queue === undefined ? {} : { queue: values.queue }),
      ...(shard === undefined ? {} : { shard }),
      ...(values.trades === true ? { trades: true } : {}),
    });
  } catch (e) {
    if (e instanceof PoolStartError || e instanceof BatchError) {
      bar.end();
      console.error(`cets: ${e.code}: ${e.message}`);
      return 1;
    }
    throw e;
  } finally {
    bar.end();
    process.off('SIGINT', onSigint);
  }
  for (const l of summaryLines(s)) out(l);
  return s.interrupted ? 130 : s.failed > 0 ? 1 : 0;
}
