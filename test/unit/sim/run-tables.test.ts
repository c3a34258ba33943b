// A run's tidy files (issue 19): daily.csv, the daily series in long form, and with --trades trades.csv, its trade log.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../../src/cli/run.ts';

describe('cets run: daily.csv and --trades', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cets-run-tables-'));
    runCommand(['q3-2024', '--out', join(dir, 'plain')], () => {});
    runCommand(['q3-2024', '--trades', '--out', join(dir, 'trades')], () => {});
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('daily.csv holds every day, market and variable of the summary in long form', () => {
    const summary = JSON.parse(readFileSync(join(dir, 'plain/summary.json'), 'utf8'));
    const rows = readFileSync(join(dir, 'plain/daily.csv'), 'utf8').trim().split('\n');
    expect(rows[0]).toBe('date,market,instrument,variable,value');
    const day = summary.markets.national.daily[10];
    const close = rows.find((r) => r.startsWith(`${day.date},national,all,close,`));
    expect(Number(close!.split(',')[4])).toBe(Number(day.close));
    const vol = rows.find((r) => r.startsWith(`${day.date},national,all,listed_volume_t,`));
    expect(Number(vol!.split(',')[4])).toBe(day.listed.volumeT);
    expect(rows.filter((r) => r.includes(',close,'))).toHaveLength(64);
  });

  it('--trades writes every trade, summing to the bars, and changes nothing else', () => {
    expect(() => readFileSync(join(dir, 'plain/trades.csv'))).toThrow();
    for (const f of ['summary.json', 'bars.csv', 'daily.csv', 'entities.csv', 'events.json', 'manifest.json'])
      expect(readFileSync(join(dir, 'trades', f), 'utf8'), f).toBe(readFileSync(join(dir, 'plain', f), 'utf8'));
    const rows = readFileSync(join(dir, 'trades/trades.csv'), 'utf8').trim().split('\n');
    expect(rows[0]).toBe('tradeId,date,time,market,instrument,mode,price,qtyT,buyer,seller');
    const manifest = JSON.parse(readFileSync(join(dir, 'trades/manifest.json'), 'utf8'));
    expect(rows.length - 1).toBe(manifest.trades);
    const trades = rows.slice(1).map((r) => r.split(','));
    for (const t of trades) {
      expect(t).toHaveLength(10);
      expect(t[2]).toMatch(/^\d\d:\d\d$/);
      expect(t[6]).toMatch(/^\d+\.\d\d$/);
      expect(t[8]).not.toBe(t[9]);
    }
    // The listed volume of each day equals the listed trades of that day.
    const summary = JSON.parse(readFileSync(join(dir, 'trades/summary.json'), 'utf8'));
    for (const d of summary.markets.national.daily.slice(0, 5)) {
      const sum = trades
        .filter((t) => t[1] === d.date && t[3] === 'national' && t[5] === 'listed')
        .reduce((a, t) => a + Number(t[7]), 0);
      expect(sum, d.date).toBe(d.listed.volumeT);
    }
  });
});
