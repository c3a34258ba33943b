// npm run bench:sim — the simulator's speed (issue 4). Two measures:
// 1. a simulated year on one core: deadline-2024 (the whole of 2024: the national market with all 2,096 power
//    entities and its traders, plus the eight pilots with about 3,000 firms), one run in this process after a
//    warm-up run of the same scenario; prints trading days per second and orders per second;
// 2. the speed-up of a batch on all cores over one: the same 4 x cores runs (seeds 1..4n), each batch in a fresh
//    child process (bench/sim-batch.ts). "One core" is one worker pinned to CPU 0 with taskset: unpinned, a single
//    worker is not single-core, since V8 garbage-collects and compiles on background threads on the other core. The
//    unpinned one-worker time is printed too. Without taskset (not Linux) the one-worker batch runs unpinned.
// The last line is the format:  sim: year <seconds> s, <days/s> days/s, <orders/s> orders/s, batch speed-up <x>
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { runScenario } from '../src/sim/run.ts';
import { loadRunContext, loadScenario, scenarioHash } from '../src/store/scenario-files.ts';

const SCENARIO = 'deadline-2024';
const ctx = loadRunContext();
const scenario = loadScenario(SCENARIO, ctx).scenario;
const hash = scenarioHash(scenario);

runScenario(ctx, { scenario, scenarioHash: hash, seed: 99 }); // warm-up: JIT, registry in memory
const t0 = performance.now();
const r = runScenario(ctx, { scenario, scenarioHash: hash, seed: 1 });
const s = (performance.now() - t0) / 1000;
const m = r.manifest;
console.log(
  `one core: ${SCENARIO} ${m.period.from}..${m.period.to}, ${m.tradingDays} trading days, ${Object.keys(r.summary.markets).length} markets, ${m.entities} entities, ${m.agents} agents`,
);
console.log(`  ${s.toFixed(2)} s, ${m.orders} orders, ${m.trades} trades (target: a year in under 10 s)`);

const cores = availableParallelism();
const runs = 4 * cores;
const taskset = ['/usr/bin/taskset', '/bin/taskset'].find((p) => existsSync(p)) ?? null;
interface BatchTimes {
  wallMs: number;
  runMs: number;
  done: number;
  failed: number;
}
function batch(workers: number, pin: boolean): BatchTimes {
  const node = [process.execPath, '--import', 'tsx', 'bench/sim-batch.ts', SCENARIO, String(workers), String(runs)];
  const [cmd, ...args] = pin && taskset !== null ? [taskset, '-c', '0', ...node] : node;
  const out = execFileSync(cmd!, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const r = JSON.parse(out.trim().split('\n').pop()!) as BatchTimes;
  if (r.failed > 0 || r.done !== runs) throw new Error(`batch runs failed: ${r.failed} of ${runs}`);
  return r;
}
const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const pinned = batch(1, true);
const unpinned = batch(1, false);
const all = batch(cores, false);
const speedUp = pinned.wallMs / all.wallMs;
console.log(
  `batch: ${runs} runs; one core (1 worker${taskset === null ? ', not pinned: no taskset' : ' pinned to CPU 0'}) ${secs(pinned.wallMs)}; ` +
    `1 worker unpinned ${secs(unpinned.wallMs)} (${(unpinned.wallMs / all.wallMs).toFixed(2)}x); ` +
    `${cores} workers ${secs(all.wallMs)}, mean run ${secs(all.runMs / runs)} against ${secs(pinned.runMs / runs)} alone (target: at least 1.7x on two cores)`,
);
console.log(
  `sim: year ${s.toFixed(2)} s, ${Math.round(m.tradingDays / s)} days/s, ${Math.round(m.orders / s)} orders/s, batch speed-up ${speedUp.toFixed(2)}`,
);
