import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dateRuns, observedCommand } from '../../../src/cli/observed.ts';
import { runCommand } from '../../../src/cli/run.ts';
import { ROOT_DIR } from '../../../src/store/scenario-files.ts';

const FIXTURES = join(ROOT_DIR, 'test/fixtures/observed');

function run(args: readonly string[]): string[] {
  const lines: string[] = [];
  expect(observedCommand(args, (l) => lines.push(l))).toBe(0);
  return lines;
}

describe('cets observed', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cets-observed-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the mapping, a line per month, the skipped days and why, and last the days it kept', () => {
    const lines = run([join(FIXTURES, 'terminal-gbk.csv')]);
    expect(lines[0]).toMatch(/terminal-gbk\.csv: data-terminal export, GBK$/);
    expect(lines).toContain('  column 2 收盘价:挂牌协议交易(CEA) (元/吨): close');
    expect(lines).toContain('  column 4 成交量:大宗协议交易(CEA) (吨): block volume');
    const head = lines.findIndex((l) => l.startsWith('month'));
    expect(lines[head]!.split(/\s{2,}/)).toEqual([
      'month',
      'days',
      'last close',
      'listed t',
      'block t',
      'listed turnover CNY',
      'block turnover CNY',
    ]);
    // 4 days with a close; block volume given on 2 of them (the others blank): marked as a partial sum.
    expect(lines[head + 2]!.split(/\s+/)).toEqual([
      '2021-07',
      '4',
      '55.50',
      '7,914,453',
      '0*',
      '419,413,028.75',
      '0.00*',
    ]);
    expect(lines[head + 3]).toMatch(/^\* some trading days of the month do not give this figure/);
    const text = lines.join('\n');
    expect(text).toContain(
      'skipped 4 days:\n  3 no values (no trading):\n    2021-07-17..2021-07-18, 2021-07-21\n' +
        '  1 no close (the row gives 成交量:大宗协议交易(CEA), 成交额:大宗协议交易(CEA)):\n    2021-07-20',
    );
    expect(lines.at(-1)).toBe('observed: 4 days from 2021-07-16 to 2021-07-23');
  });

  it('reads the plain CSV: a line per month with the total volume, nothing skipped', () => {
    const lines = run([join(ROOT_DIR, 'data/replay/cea-q3-2024-sample.csv')]);
    const rows = lines.filter((l) => /^2024-\d\d /.test(l)).map((l) => l.split(/\s+/));
    expect(rows).toEqual([
      ['2024-07', '23', '93.57', '6,210,000'],
      ['2024-08', '22', '96.74', '5,940,000'],
      ['2024-09', '19', '99.48', '5,130,000'],
    ]);
    expect(lines).toContain('skipped: none');
    expect(lines.at(-1)).toBe('observed: 64 days from 2024-07-01 to 2024-09-30');
  });

  it('with --scenario, skips the days outside its period and refuses a close on a day it does not trade', () => {
    const f = join(dir, 'wide.csv');
    writeFileSync(f, 'date,close\n2024-06-28,90\n2024-07-01,91\n2024-09-30,99.48\n2024-10-08,98\n');
    const lines = run([f, '--scenario', 'q3-2024']);
    expect(lines).toContain('  2 outside the period 2024-07-01 to 2024-09-30:');
    expect(lines.join('\n')).toContain('2024-06-28, 2024-10-08');
    expect(lines.at(-1)).toBe('observed: 2 days from 2024-07-01 to 2024-09-30');
    writeFileSync(f, 'date,close\n2024-09-16,90\n');
    expect(() => run([f, '--scenario', 'q3-2024'])).toThrow(/line 2: date: 2024-09-16 is not a trading day/);
  });

  it('groups consecutive calendar days into runs', () => {
    expect(dateRuns(['2024-07-02', '2024-06-30', '2024-07-01', '2024-07-06', '2024-12-31', '2025-01-01'])).toEqual([
      '2024-06-30..2024-07-02',
      '2024-07-06',
      '2024-12-31..2025-01-01',
    ]);
    expect(dateRuns([])).toEqual([]);
  });

  it('exits 1 with the stable code, the file, the line and the column of a bad file; 2 on usage', () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, '指标名称,收盘价\n频率,日\n单位,元/吨\n2021/7/16,51.234\n');
    const r = spawnSync(process.execPath, [join(ROOT_DIR, 'bin/cets.js'), 'observed', bad], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toBe(
      `cets: SIM_ERR_REPLAY: ${bad}: line 4: column 2 "收盘价": a price to at most a fen (0.01 CNY) expected in 元/吨, got "51.234"`,
    );
    const u = spawnSync(process.execPath, [join(ROOT_DIR, 'bin/cets.js'), 'observed'], { encoding: 'utf8' });
    expect(u.status).toBe(2);
    expect(u.stderr.trim()).toBe('cets: SIM_ERR_ARGS: usage: cets observed <prices.csv> [--scenario S]');
  });

  it('cets run --observed draws the file over the run in report.html, with the published figures', () => {
    const out = join(dir, 'run');
    const lines: string[] = [];
    const sample = join(ROOT_DIR, 'data/replay/cea-q3-2024-sample.csv');
    expect(runCommand(['q3-2024', '--observed', sample, '--out', out], (l) => lines.push(l))).toBe(0);
    expect(lines).toContain(
      'observed: 64 days from 2024-07-01 to 2024-09-30, 64 of them in the run, drawn in report.html',
    );
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<h3>Observed against simulated</h3>');
    expect(html).toContain('the observed closes of cea-q3-2024-sample.csv');
    expect(html).toContain('<section class="card" id="figures"><h2>Published figures</h2>');
    expect(html).toMatch(/\d+ of 14 within tolerance/);
    // The national cycle of Q3 2024 is settled after the run.
    expect(html).toMatch(/Cycle [\d-]+: not yet due \(deadline \d{4}-\d\d-\d\d\)/);
  });

  it('cets run refuses a bad observed file before running', () => {
    const bad = join(dir, 'bad-run.csv');
    writeFileSync(bad, 'date,close\n2024-07-01,x\n');
    const out = join(dir, 'never');
    expect(() => runCommand(['q3-2024', '--observed', bad, '--out', out], () => {})).toThrow(
      /bad-run\.csv: line 2: close: a price in CNY above zero/,
    );
    expect(() => readFileSync(join(out, 'report.html'))).toThrow();
  });
});
