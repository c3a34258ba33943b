// A batch through BullMQ on a real redis-server: a coordinator and two `cets worker` processes run a grid × seeds;
// the first worker is SIGKILLed in the middle of a job and the other takes that job once its lock expires; the
// coordinator is SIGKILLed too and started again, and resumes (it collects what finished meanwhile). The folder
// then equals a local batch's byte for byte (timings.csv aside, which holds wall times). Then, on the same queue: a
// job planned by another checkout is refused with BATCH_ERR_FINGERPRINT and not retried, and a run that throws is
// recorded as failed after one attempt. A batch keeping trade logs (--trades) gets them back with the results and
// writes the folder a local one does.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprint } from '../../src/batch/fingerprint.ts';
import { connectionOf, decodeResult, QUEUE_NAME, type QueueJobData } from '../../src/batch/queue/protocol.ts';
import { runBatch } from '../../src/batch/run-batch.ts';
import { SimCode } from '../../src/sim/errors.ts';
import { batchFiles } from '../fixtures/batch-files.ts';
import { haveRedis, IN_CI, startRedis, type TestRedis } from './redis-server.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const skip = !haveRedis && !IN_CI;
if (skip) console.warn('queue-batch: skipped, no redis-server (apt-get install redis-server)');

const GRID = ['--grid', 'agents.noise.count=6,9'];
const SEEDS = '1..3';
let redis: TestRedis;
let tmp: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  if (skip) return;
  redis = await startRedis();
  tmp = mkdtempSync(join(tmpdir(), 'cets-queue-'));
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  if (skip) return;
  await redis.stop();
  rmSync(tmp, { recursive: true, force: true });
});

/** `cets` started with the batch flags already given, so no relaunch: a kill reaches the process doing the work. */
function cets(args: string[]): { child: ChildProcess; log: () => string } {
  const child = spawn(process.execPath, ['--single-threaded', 'bin/cets.js', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let text = '';
  child.stdout?.on('data', (b: Buffer) => {
    text += b.toString();
  });
  child.stderr?.on('data', (b: Buffer) => {
    text += b.toString();
  });
  return { child, log: () => text };
}

const exited = (c: ChildProcess): Promise<number | null> =>
  new Promise((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) resolve(c.exitCode);
    else c.once('exit', (code) => resolve(code));
  });

async function until(what: string, f: () => boolean): Promise<void> {
  for (let i = 0; i < 3000; i++) {
    if (f()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const runsIn = (dir: string): string[] => (existsSync(join(dir, 'runs')) ? readdirSync(join(dir, 'runs')).sort() : []);

describe.skipIf(skip)('batch on a BullMQ queue', () => {
  it('survives a worker and the coordinator killed mid-batch, and equals a local batch byte for byte', async () => {
    const local = join(tmp, 'local');
    const queued = join(tmp, 'queued');
    const url = redis.url;
    const batchArgs = ['batch', 'q3-2024', ...GRID, '--seeds', SEEDS, '--out', queued, '--queue', url];
    const workerArgs = ['worker', '--queue', url, '--workers', '1', '--lock-ms', '1500'];

    const c1 = cets(batchArgs);
    const a = cets(workerArgs);
    await until('worker A to take a job', () => /took (p\d-seed\d)/.test(a.log()));
    const killed = /took (p\d-seed\d)/.exec(a.log())![1]!;
    const b = cets(workerArgs);
    a.child.kill('SIGKILL');
    await exited(a.child);
    expect(a.log()).not.toContain(`done ${killed}`);

    await until('two runs written', () => runsIn(queued).length >= 2);
    c1.child.kill('SIGKILL');
    await exited(c1.child);
    const doneBefore = (b.log().match(/done p/g) ?? []).length;
    // A run finishes while no coordinator listens: it waits in Redis for the next one.
    await until('worker B to finish a run meanwhile', () => (b.log().match(/done p/g) ?? []).length > doneBefore);
    expect(runsIn(queued).length).toBeLessThan(6);

    const c2 = cets(batchArgs);
    expect(await exited(c2.child), c2.log()).toBe(0);
    expect(c2.log()).toMatch(/6 runs done|runs done, 0 failed, of 6/);
    // The killed worker's job went to the other worker.
    expect(b.log()).toContain(`took ${killed}`);
    expect(b.log()).toContain(`done ${killed}`);
    expect(runsIn(queued)).toEqual([
      'p0-seed1.json',
      'p0-seed2.json',
      'p0-seed3.json',
      'p1-seed1.json',
      'p1-seed2.json',
      'p1-seed3.json',
    ]);
    expect(readdirSync(join(queued, 'failed'))).toEqual([]);

    // The same batch locally, in worker threads of this process.
    const s = await runBatch({
      scenario: 'q3-2024',
      grid: { 'agents.noise.count': ['6', '9'] },
      seeds: [1, 2, 3],
      workers: 2,
      outDir: local,
    });
    expect([s.done, s.failed]).toEqual([6, 0]);
    const want = batchFiles(local);
    const got = batchFiles(queued);
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [k, v] of want) expect(got.get(k) === v, `${k} differs`).toBe(true);

    // Results were taken off Redis as they were written: no job of the batch is left.
    const queue = new Queue(QUEUE_NAME, { connection: connectionOf(url) });
    try {
      const left = await queue.getJobCounts('completed', 'failed', 'active', 'waiting');
      expect(left).toEqual({ completed: 0, failed: 0, active: 0, waiting: 0 });

      // A job planned by another checkout is refused, once; a run that throws is a failed result, not retried.
      const events = new QueueEvents(QUEUE_NAME, { connection: connectionOf(url) });
      await events.waitUntilReady();
      const data = (key: string, fp: string, extra: Partial<QueueJobData> = {}): QueueJobData => ({
        plan: 'test',
        key,
        scenario: 'q3-2024',
        params: {},
        seed: 1,
        scenarioHash: 'x',
        fingerprint: fp,
        ...extra,
      });
      const foreign = await queue.add('run', data('p0-seed1', '0000000000000000'), { jobId: 'test-foreign' });
      await expect(foreign.waitUntilFinished(events, 60_000)).rejects.toThrow(
        /^BATCH_ERR_FINGERPRINT: .*same checkout/,
      );
      const f = (await queue.getJob('test-foreign'))!;
      expect([await f.getState(), f.attemptsMade]).toEqual(['failed', 1]);

      // The scenario hash is checked too (the point's scenario as this checkout builds it).
      const { scenarioHash } = JSON.parse(readFileSync(join(queued, 'runs', 'p0-seed1.json'), 'utf8')) as {
        scenarioHash: string;
      };
      const thrown = await queue.add(
        'run',
        data('p0-seed1', fingerprint(), { params: { 'agents.noise.count': '6' }, scenarioHash, fault: 'throw' }),
        { jobId: 'test-throw' },
      );
      const r = decodeResult('p0-seed1', await thrown.waitUntilFinished(events, 60_000));
      expect(r).toMatchObject({ ok: false, code: SimCode.Unsupported });
      expect((await queue.getJob('test-throw'))!.attemptsMade).toBe(1);
      await events.close();
    } finally {
      await queue.close();
    }
    b.child.kill('SIGTERM');
    expect(await exited(b.child)).toBe(0);
  });

  it('with --trades: the trade logs come back with the results, and the folder equals a local batch', async () => {
    const local = join(tmp, 'local-trades');
    const queued = join(tmp, 'queued-trades');
    const w = cets(['worker', '--queue', redis.url, '--workers', '2']);
    const c = cets(['batch', 'q3-2024', ...GRID, '--seeds', '1', '--out', queued, '--queue', redis.url, '--trades']);
    expect(await exited(c.child), c.log()).toBe(0);
    expect(c.log()).toContain('trades.parquet .csv');
    const s = await runBatch({
      scenario: 'q3-2024',
      grid: { 'agents.noise.count': ['6', '9'] },
      seeds: [1],
      workers: 2,
      outDir: local,
      trades: true,
    });
    expect([s.done, s.failed]).toEqual([2, 0]);
    const want = batchFiles(local);
    const got = batchFiles(queued);
    expect([...want.keys()].filter((k) => k.includes('trades')).sort()).toEqual([
      'runs/p0-seed1.trades.csv',
      'runs/p1-seed1.trades.csv',
      'trades.csv',
      'trades.parquet',
    ]);
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [k, v] of want) expect(got.get(k) === v, `${k} differs`).toBe(true);
    w.child.kill('SIGTERM');
    expect(await exited(w.child)).toBe(0);
  });
});
