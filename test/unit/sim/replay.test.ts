import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { TradingCalendar } from '../../../src/market/calendar.ts';
import { SimCode, SimError } from '../../../src/sim/errors.ts';
import { loadCatalogue } from '../../../src/store/catalogue-files.ts';
import { parseReplayCsv, priceToFen, type ReplayCheck } from '../../../src/store/replay-files.ts';
import { ROOT_DIR } from '../../../src/store/scenario-files.ts';

let check: ReplayCheck;
beforeAll(() => {
  const cal = new TradingCalendar(loadCatalogue().calendar);
  check = { from: '2024-07-01', to: '2024-09-30', isTradingDay: (d) => cal.isTradingDay(d) };
});

function problem(text: string): string {
  try {
    parseReplayCsv('prices.csv', text, check);
  } catch (e) {
    if (e instanceof SimError && e.code === SimCode.Replay) return e.message;
    throw e;
  }
  throw new Error('no error thrown');
}

describe('replay price file', () => {
  it('reads rows in fen and tonnes, skipping comments, blank lines and CRLF', () => {
    const rows = parseReplayCsv(
      'prices.csv',
      '# illustrative\r\ndate,close,volume\r\n\r\n2024-07-01,90.4,270000\r\n2024-07-03, 91.05 ,0\r\n',
      check,
    );
    expect(rows).toEqual([
      { date: '2024-07-01', closeFen: 9040, volumeT: 270000, line: 4 },
      { date: '2024-07-03', closeFen: 9105, volumeT: 0, line: 5 },
    ]);
    expect(priceToFen('99.48')).toBe(9948);
    expect(priceToFen('100')).toBe(10000);
    expect(priceToFen('1.5')).toBe(150);
    expect(priceToFen('1.505')).toBeNull();
  });

  it('names the file, the line and the field of every problem', () => {
    const h = 'date,close,volume\n';
    expect(problem('date,price,volume\n')).toBe(
      'prices.csv: line 1: the header date,close,volume expected, got "date,price,volume"',
    );
    expect(problem('')).toMatch(/^prices\.csv: line 1: empty/);
    expect(problem(h)).toMatch(/no rows after the header/);
    expect(problem(`${h}2024-07-01,90.40\n`)).toBe('prices.csv: line 2: 3 fields (date,close,volume) expected, got 2');
    expect(problem(`${h}2024-7-1,90.40,1\n`)).toMatch(/^prices\.csv: line 2: date: a real date/);
    expect(problem(`${h}2024-06-31,90.40,1\n`)).toMatch(/^prices\.csv: line 2: date: a real date/);
    expect(problem(`${h}2024-06-28,90.40,1\n`)).toMatch(/line 2: date: 2024-06-28 is outside the scenario's period/);
    expect(problem(`${h}2024-10-08,90.40,1\n`)).toMatch(/line 2: date: 2024-10-08 is outside/);
    expect(problem(`${h}2024-07-06,90.40,1\n`)).toMatch(/line 2: date: 2024-07-06 is not a trading day/);
    expect(problem(`${h}2024-09-16,90.40,1\n`)).toMatch(/line 2: date: 2024-09-16 is not a trading day/); // Mid-Autumn
    expect(problem(`${h}2024-07-02,90,1\n2024-07-01,90,1\n`)).toMatch(
      /line 3: date: 2024-07-01 is not after 2024-07-02/,
    );
    expect(problem(`${h}2024-07-02,90,1\n2024-07-02,90,1\n`)).toMatch(/line 3: date: .* in order, each once/);
    for (const c of ['0', '0.00', '-90', '90.123', 'abc', ''])
      expect(problem(`${h}2024-07-01,${c},1\n`), c).toMatch(/^prices\.csv: line 2: close: /);
    for (const v of ['-1', '1.5', '1e5', 'x', ''])
      expect(problem(`${h}2024-07-01,90,${v}\n`), v).toMatch(/^prices\.csv: line 2: volume: whole tonnes/);
  });

  it('accepts the sample file, which says it is illustrative', () => {
    const text = readFileSync(join(ROOT_DIR, 'data/replay/cea-q3-2024-sample.csv'), 'utf8');
    expect(text.split('\n')[0]).toMatch(/^# ILLUSTRATIVE PATH, NOT MARKET DATA/);
    const rows = parseReplayCsv('sample', text, check);
    expect(rows[0]).toMatchObject({ date: '2024-07-01', closeFen: 9040 });
    expect(rows.at(-1)).toMatchObject({ date: '2024-09-30', closeFen: 9948 });
  });
});
