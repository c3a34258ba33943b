// The replay's sample files in data/replay: each says what it is on its first line and reads whole, as `cets replay`
// and `cets observed` read them (one parser for every observed format: src/store/observed-files.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { TradingCalendar } from '../../../src/market/calendar.ts';
import { loadCatalogue } from '../../../src/store/catalogue-files.ts';
import { type ObservedCheck, parseObserved } from '../../../src/store/observed-files.ts';
import { ROOT_DIR } from '../../../src/store/scenario-files.ts';

let check: ObservedCheck;
beforeAll(() => {
  const cal = new TradingCalendar(loadCatalogue().calendar);
  check = { from: '2024-07-01', to: '2024-09-30', isTradingDay: (d) => cal.isTradingDay(d) };
});

describe('replay sample files', () => {
  it('the illustrative path says so and reads every trading day of Q3 2024 with a close and a volume', () => {
    const text = readFileSync(join(ROOT_DIR, 'data/replay/cea-q3-2024-sample.csv'), 'utf8');
    expect(text.split('\n')[0]).toMatch(/^# ILLUSTRATIVE PATH, NOT MARKET DATA/);
    const { days } = parseObserved('sample', text, { check, blanks: 'refuse' });
    expect(days[0]).toMatchObject({ date: '2024-07-01', closeFen: 9040 });
    expect(days.at(-1)).toMatchObject({ date: '2024-09-30', closeFen: 9948 });
    expect(days.every((d) => d.volumeT !== undefined)).toBe(true);
  });

  it('the smooth path says it is synthetic and reads whole', () => {
    const text = readFileSync(join(ROOT_DIR, 'data/replay/cea-q3-2024-smooth.csv'), 'utf8');
    expect(text.slice(0, 400)).toMatch(/synthetic/i);
    const { days } = parseObserved('smooth', text, { check, blanks: 'refuse' });
    expect(days.length).toBeGreaterThan(55);
    expect(days.at(-1)?.date).toBe('2024-09-30');
  });
});
