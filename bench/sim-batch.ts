// One batch for bench:sim and bench:queue, run in a child process so that the one-core case can be pinned to a single
// CPU (taskset) while the all-cores case gets every CPU. Prints one JSON line: { wallMs, runMs, done, failed }.
// usage: tsx bench/sim-batch.ts <scenario> <workers> <runs> [outDir] [redis://... to run through the queue]
import { runBatch } from '../src/batch/run-batch.ts';

const [scenario = 'deadline-2024', workers = '1', runs = '4', out, queue] = process.argv.slice(2);
const seeds = Array.from({ length: Number(runs) }, (_, i) => i + 1);
const r = await runBatch({
  scenario,
  grid: {},
  seeds,
  outDir: out === undefined || out === '' ? null : out,
  workers: Number(workers),
  ...(queue === undefined ? {} : { queue }),
});
console.log(JSON.stringify({ wallMs: r.wallMs, runMs: r.runMs, done: r.done, failed: r.failed }));
