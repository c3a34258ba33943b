// npm run bench:sim — the simulator's speed (issue 4). Two measures:
// 1. a simulated year on one core: deadline-2024 (the whole of 2024: the national market with all 2,096 power
//    entities and its traders, plus the eight pilots with about 3,000 firms), one run in this process after a
//    warm-up run of the same scenario; prints trading days per second and orders per second;
// 2. the speed-up of a batch on all cores over one: the same 2 x cores runs (seeds 1..2n) with 1 worker and with
//    n = os.availableParallelism() workers, wall time over wall time (runBatch, no files written).
// The last line is the format:  sim: year <seconds> s, <days/s> days/s, <orders/s> orders/s, batch speed-up <x>
import { availableParallelism } from 'node:os';
import { runBatch } from '../src/batch/run-batch.ts';
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
const seeds = Array.from({ length: 2 * cores }, (_, i) => i + 1);
const base = { scenario: SCENARIO, grid: {}, seeds, outDir: null } as const;
const one = await runBatch({ ...base, workers: 1 });
const all = await runBatch({ ...base, workers: cores });
if (one.failed > 0 || all.failed > 0) throw new Error(`batch runs failed: ${one.failed} + ${all.failed}`);
const speedUp = one.wallMs / all.wallMs;
console.log(
  `batch: ${seeds.length} runs, 1 worker ${(one.wallMs / 1000).toFixed(1)} s, ${cores} workers ${(all.wallMs / 1000).toFixed(1)} s (target: at least 1.7x on two cores)`,
);
console.log(
  `sim: year ${s.toFixed(2)} s, ${Math.round(m.tradingDays / s)} days/s, ${Math.round(m.orders / s)} orders/s, batch speed-up ${speedUp.toFixed(2)}`,
);
