// `cets batch <scenario> [--grid path=v1,v2,...]... [--seeds 1..50] [--workers N] [--out DIR]`: every grid point ×
// every seed, in parallel worker threads, aggregated into quantiles across seeds (src/batch/run-batch.ts). Ctrl-C
// stops between runs; running the same command again resumes.
import { parseArgs } from 'node:util';
import { pointLabel } from '../batch/aggregate.ts';
import { parseGridArgs, parseSeeds } from '../batch/plan.ts';
import { PoolStartError } from '../batch/pool.ts';
import { progressBar } from '../batch/progress.ts';
import { type BatchSummary, defaultWorkers, runBatch } from '../batch/run-batch.ts';
import { SimCode, SimError } from '../sim/errors.ts';
import { table } from './format.ts';

export const BATCH_USAGE =
  'usage: cets batch <scenario> [--grid path=v1,v2,...]... [--seeds 1..50 | N | a,b,c] [--workers N] [--out DIR]';

function workersOf(raw: string | undefined): number {
  if (raw === undefined) return defaultWorkers();
  const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1)
    throw new SimError(SimCode.Args, `--workers must be a whole number ≥ 1, got "${raw}"`);
  return n;
}

const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const fmt = (x: number | null): string =>
  x === null ? 'n/a' : Math.abs(x) >= 1000 ? Math.round(x).toLocaleString('en-US') : x.toFixed(2);

export function summaryLines(s: BatchSummary): string[] {
  const out: string[] = [];
  const a = s.aggregate;
  if (a !== null) {
    const rows = a.points.flatMap((p) =>
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
    out.push(...table(['point', 'figure', 'published', '5%', 'median', '95%'], rows), '');
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
      : `wall ${secs(s.wallMs)}, run time ${secs(s.runMs)} on ${s.workers} worker${s.workers === 1 ? '' : 's'}: speed-up ${speed.toFixed(2)}×`,
  );
  if (s.outDir !== null)
    out.push(
      s.interrupted
        ? `finished runs are in ${s.outDir}/runs/; run the same command again to resume`
        : `wrote ${s.outDir}/: aggregate.json aggregate.csv aggregate.html, runs/ (one file per run)${s.failed > 0 ? ', failed/' : ''}`,
    );
  return out;
}

export async function batchCommand(args: readonly string[], out: (line: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      grid: { type: 'string', multiple: true },
      seeds: { type: 'string' },
      workers: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const name = positionals[0];
  if (name === undefined || positionals.length > 1) throw new SimError(SimCode.Args, BATCH_USAGE);
  const grid = parseGridArgs(values.grid ?? []);
  const seeds = parseSeeds(values.seeds ?? '1..20');
  const workers = workersOf(values.workers);
  if (values.out === '') throw new SimError(SimCode.Args, '--out wants a folder');

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
      seeds,
      workers,
      outDir: values.out ?? '',
      onProgress: bar.update,
      signal: abort.signal,
    });
  } catch (e) {
    if (e instanceof PoolStartError) {
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
