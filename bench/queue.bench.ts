// bench:queue: what running a batch through BullMQ costs and gives (issue 19). The same batch of BENCH_RUNS runs
// (default 40, deadline-2024 seeds 1..40: a simulated year of ten markets, about 2 s a run; BENCH_SCENARIO to change)
// four times, each into a fresh folder, each batch in a child process started with the flags `cets batch` runs with
// (bench/sim-batch.ts):
//   local, 1 worker thread      |  through the queue, one `cets worker --workers 1` process
//   local, 2 worker threads     |  through the queue, two `cets worker --workers 1` processes
// on a redis-server of its own (free port, temp folder, no persistence). Workers are started and ready (threads
// started, ThreadPool.warm) before their batch starts, as long-lived workers are; a local batch starts its threads
// inside its wall time (about a second). With q3-2024 (a quarter, 0.2 s a run) such fixed costs are most of a batch:
// 40 runs printed overhead -17.5% and scaling 1.37, which measure start-up, not the queue. Wall time is the batch's own
// (runBatch's wallMs: loading, planning, threads starting, runs, aggregate). Last line:
//   queue: overhead <pct>% (1 worker), scaling <x> (2 workers)
// overhead = queue 1 worker over local 1 thread, less 1; scaling = queue 1 worker over queue 2 workers.
// Targets (issue 19): overhead at most 10%, scaling at least 1.7 on two cores.
// Each queue worker is pinned to a CPU of its own with taskset (worker i to CPU i; the one-worker case to CPU 0), as
// one would run one `cets worker` per core on a machine: unpinned, the scheduler moved two workers' threads across
// the VM's two vCPUs and each run took 30-35% longer (scaling 1.38 and 1.53, docs/benchmarks.md). BENCH_PIN=0 runs
// them unpinned, to compare.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BATCH_V8_FLAGS } from '../src/batch/node-flags.ts';
import { haveRedis, startRedis } from '../test/integration/redis-server.ts';

const SCENARIO = process.env.BENCH_SCENARIO ?? 'deadline-2024';
const RUNS = Math.max(1, Math.round(Number(process.env.BENCH_RUNS ?? 40)));
const ROOT = join(import.meta.dirname, '..');
const TASKSET =
  process.env.BENCH_PIN === '0' ? null : (['/usr/bin/taskset', '/bin/taskset'].find((p) => existsSync(p)) ?? null);
const run = promisify(execFile);

if (!haveRedis) {
  console.error('bench:queue needs redis-server (apt-get install redis-server)');
  process.exit(1);
}

interface Times {
  wallMs: number;
  runMs: number;
  done: number;
  failed: number;
}

async function batch(workers: number, out: string, queue?: string): Promise<Times> {
  const args = [
    ...BATCH_V8_FLAGS,
    '--import',
    'tsx',
    'bench/sim-batch.ts',
    SCENARIO,
    String(workers),
    String(RUNS),
    out,
  ];
  const { stdout } = await run(process.execPath, queue === undefined ? args : [...args, queue], {
    cwd: ROOT,
    maxBuffer: 1 << 20,
  });
  const r = JSON.parse(stdout.trim().split('\n').pop()!) as Times;
  if (r.failed > 0 || r.done !== RUNS) throw new Error(`batch runs failed: ${r.failed} of ${RUNS}`);
  return r;
}

/** A `cets worker` with one thread, pinned to `cpu` when taskset is there; resolves once it serves the queue. */
function worker(url: string, cpu: number): Promise<ChildProcess> {
  const node = [process.execPath, ...BATCH_V8_FLAGS, 'bin/cets.js', 'worker', '--queue', url, '--workers', '1'];
  const [cmd, ...args] = TASKSET === null ? node : [TASKSET, '-c', String(cpu), ...node];
  const child = spawn(cmd!, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let log = '';
    child.stderr?.on('data', (b: Buffer) => {
      log += b.toString();
      if (/fingerprint [0-9a-f]+, queue/.test(log)) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`cets worker exited with ${code}: ${log}`)));
  });
}

async function stop(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          c.removeAllListeners('exit');
          c.once('exit', () => resolve());
          c.kill('SIGTERM');
        }),
    ),
  );
}

const tmp = mkdtempSync(join(tmpdir(), 'cets-bench-queue-'));
const redis = await startRedis();
const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
try {
  console.log(
    `bench:queue: ${SCENARIO}, ${RUNS} runs per batch, redis-server ${redis.url}, queue workers ${TASKSET === null ? 'not pinned' : 'pinned to a CPU each'}`,
  );
  const local1 = await batch(1, join(tmp, 'local1'));
  console.log(`local, 1 thread:    wall ${secs(local1.wallMs)} (run time ${secs(local1.runMs)})`);
  let ws = [await worker(redis.url, 0)];
  const queue1 = await batch(1, join(tmp, 'queue1'), redis.url);
  console.log(`queue, 1 worker:    wall ${secs(queue1.wallMs)} (run time ${secs(queue1.runMs)})`);
  const local2 = await batch(2, join(tmp, 'local2'));
  console.log(
    `local, 2 threads:   wall ${secs(local2.wallMs)} (run time ${secs(local2.runMs)}), scaling ${(local1.wallMs / local2.wallMs).toFixed(2)}`,
  );
  await stop(ws);
  ws = await Promise.all([worker(redis.url, 0), worker(redis.url, 1)]);
  const queue2 = await batch(1, join(tmp, 'queue2'), redis.url);
  await stop(ws);
  console.log(`queue, 2 workers:   wall ${secs(queue2.wallMs)} (run time ${secs(queue2.runMs)})`);
  // On a shared machine the runs themselves speed up and slow down with the others' load: the same ratios per second
  // of run time (wall / run time) show what the queue adds, whatever the machine did meanwhile.
  const per = (t: Times): number => t.wallMs / t.runMs;
  console.log(
    `per run-second (wall / run time): local 1 ${per(local1).toFixed(3)}, queue 1 ${per(queue1).toFixed(3)}, ` +
      `local 2 ${per(local2).toFixed(3)}, queue 2 ${per(queue2).toFixed(3)}: overhead ` +
      `${((per(queue1) / per(local1) - 1) * 100).toFixed(1)}% (1 worker), ${((per(queue2) / per(local2) - 1) * 100).toFixed(1)}% (2 workers)`,
  );
  const overhead = (queue1.wallMs / local1.wallMs - 1) * 100;
  const scaling = queue1.wallMs / queue2.wallMs;
  console.log(`queue: overhead ${overhead.toFixed(1)}% (1 worker), scaling ${scaling.toFixed(2)} (2 workers)`);
} finally {
  await redis.stop();
  rmSync(tmp, { recursive: true, force: true });
}
