// What goes through the queue: the Redis URL checked, results encoded and decoded, failure reasons read back into
// codes, plan ids stable. (The queue itself, with a real redis-server: test/integration/queue-batch.test.ts.)
import { describe, expect, it } from 'vitest';
import { BatchCode } from '../../../src/batch/errors.ts';
import { progressLine } from '../../../src/batch/progress.ts';
import { failureOf } from '../../../src/batch/queue/coordinator.ts';
import { connectionOf, decodeResult, encodeResult, jobId } from '../../../src/batch/queue/protocol.ts';
import { SimCode } from '../../../src/sim/errors.ts';
import type { RunSummary } from '../../../src/sim/output-types.ts';

describe('queue protocol', () => {
  it('takes redis:// and rediss:// URLs, with a database number, and refuses the rest', () => {
    expect(connectionOf('redis://127.0.0.1:6379/2')).toEqual({
      url: 'redis://127.0.0.1:6379/2',
      maxRetriesPerRequest: null,
    });
    expect(connectionOf('rediss://:pw@host:6380').url).toBe('rediss://:pw@host:6380');
    for (const bad of ['http://host:6379', 'host:6379', 'redis://host:6379/x', ''])
      expect(() => connectionOf(bad), bad).toThrow(expect.objectContaining({ code: SimCode.Args }));
  });

  it('round-trips a result: the summary gzipped, a failure as it is', () => {
    const summary = {
      markets: { national: { daily: [{ date: '2024-07-01', close: '90.10' }] } },
    } as unknown as RunSummary;
    const enc = encodeResult({ key: 'p0-seed1', ok: true, summary, ms: 12.4 });
    expect(enc).toMatchObject({ ok: true, ms: 12 });
    expect(JSON.stringify(enc).includes('90.10')).toBe(false);
    expect(decodeResult('p0-seed1', JSON.parse(JSON.stringify(enc)))).toEqual({
      key: 'p0-seed1',
      ok: true,
      summary,
      ms: 12,
    });
    const fail = encodeResult({ key: 'k', ok: false, code: 'SIM_ERR_STATE', message: 'm', ms: 3 });
    expect(decodeResult('k', fail)).toEqual({ key: 'k', ok: false, code: 'SIM_ERR_STATE', message: 'm', ms: 3 });
    expect(jobId('abc', 'p0-seed1')).toBe('abc-p0-seed1');
  });

  it('round-trips a trade log with the summary (--trades), gzipped too; without one the result has none', () => {
    const summary = { markets: {} } as unknown as RunSummary;
    const trades = 'tradeId,date\n1,2024-07-01\n2,2024-07-01\n';
    const enc = encodeResult({ key: 'k', ok: true, summary, trades, ms: 1 });
    expect(JSON.stringify(enc).includes('2024-07-01')).toBe(false);
    expect(decodeResult('k', JSON.parse(JSON.stringify(enc)))).toEqual({ key: 'k', ok: true, summary, trades, ms: 1 });
    expect(Object.keys(encodeResult({ key: 'k', ok: true, summary, ms: 1 }))).toEqual(['ok', 'ms', 'summary']);
  });

  it('reads a failed job’s reason back into a code', () => {
    expect(failureOf('BATCH_ERR_FINGERPRINT: worker x has other code')).toEqual({
      code: BatchCode.Fingerprint,
      message: 'worker x has other code',
    });
    expect(failureOf('job stalled more than allowable limit').code).toBe(BatchCode.Stalled);
    expect(failureOf('something else').code).toBe(BatchCode.Queue);
  });

  it('shows the queue’s counts on the progress line while runs are left', () => {
    const p = { total: 40, skipped: 0, done: 10, failed: 0, elapsedMs: 5000, etaMs: 15000 };
    expect(progressLine({ ...p, queue: { active: 2, waiting: 28 } })).toBe(
      '[#####---------------] 10/40 runs, queue: 2 running, 28 waiting, ETA 0:15',
    );
    expect(progressLine(p)).toBe('[#####---------------] 10/40 runs, ETA 0:15');
  });
});
