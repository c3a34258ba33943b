import { describe, expect, it } from 'vitest';
import { sessionEndMinute, sessionIndexAt, TradingCalendar } from '../../../src/market/calendar.ts';
import type { CalendarData } from '../../../src/market/catalogue/parse.ts';
import { MarketError } from '../../../src/market/errors.ts';
import { addDays, minuteOfDay, weekday } from '../../../src/market/time.ts';
import { loadCatalogue } from '../../../src/store/catalogue-files.ts';

const cal = new TradingCalendar(loadCatalogue().calendar);

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(MarketError);
    return (e as MarketError).code;
  }
  throw new Error('expected a throw');
}

describe('TradingCalendar (data/calendar/cn-holidays.json)', () => {
  it('covers 2023-2026', () => {
    expect([cal.firstYear, cal.lastYear]).toEqual([2023, 2026]);
  });

  it('Q3 2024 has 64 trading days (July 23, August 22, September 19)', () => {
    const days = cal.tradingDays('2024-07-01', '2024-09-30');
    expect(days).toHaveLength(64);
    expect(days[0]).toBe('2024-07-01');
    expect(days[days.length - 1]).toBe('2024-09-30');
    expect(cal.tradingDays('2024-09-01', '2024-09-30')).toHaveLength(19);
  });

  it('Mid-Autumn 2024 closes 09-16 and 09-17; the make-up Saturday 09-14 stays closed', () => {
    expect(cal.isTradingDay('2024-09-16')).toBe(false);
    expect(cal.isTradingDay('2024-09-17')).toBe(false);
    expect(cal.isTradingDay('2024-09-14')).toBe(false);
    expect(cal.isTradingDay('2024-09-18')).toBe(true);
    expect(cal.nextTradingDay('2024-09-13')).toBe('2024-09-18');
  });

  it('after the quarter end 2024-09-30 the next trading day is 2024-10-08 (National Day)', () => {
    expect(cal.nextTradingDay('2024-09-30')).toBe('2024-10-08');
    expect(cal.prevTradingDay('2024-10-08')).toBe('2024-09-30');
  });

  it('Spring Festival Eve 2024-02-09 is closed, a Friday the State Council notice kept as a working day', () => {
    expect(weekday('2024-02-09')).toBe(5);
    expect(cal.isTradingDay('2024-02-09')).toBe(false);
    expect(cal.nextTradingDay('2024-02-08')).toBe('2024-02-19');
  });

  it('weekends are always closed', () => {
    for (let d = '2023-01-01'; d <= '2026-12-31'; d = addDays(d, 1)) {
      const wd = weekday(d);
      if (wd === 0 || wd === 6) expect(cal.isTradingDay(d), d).toBe(false);
    }
    expect(cal.isTradingDay('2024-07-01')).toBe(true);
  });

  it('next and previous are strict; tradingDays is inclusive and empty when reversed', () => {
    expect(cal.nextTradingDay('2024-07-01')).toBe('2024-07-02');
    expect(cal.prevTradingDay('2024-07-02')).toBe('2024-07-01');
    expect(cal.prevTradingDay('2024-07-01')).toBe('2024-06-28');
    expect(cal.tradingDays('2024-07-01', '2024-07-01')).toEqual(['2024-07-01']);
    expect(cal.tradingDays('2024-07-06', '2024-07-07')).toEqual([]);
    expect(cal.tradingDays('2024-07-02', '2024-07-01')).toEqual([]);
  });

  it('dates outside the covered years throw MKT_ERR_CALENDAR_RANGE', () => {
    expect(codeOf(() => cal.isTradingDay('2022-12-30'))).toBe('MKT_ERR_CALENDAR_RANGE');
    expect(codeOf(() => cal.isTradingDay('2027-01-04'))).toBe('MKT_ERR_CALENDAR_RANGE');
    expect(codeOf(() => cal.tradingDays('2026-12-01', '2027-01-31'))).toBe('MKT_ERR_CALENDAR_RANGE');
    // The last trading day of 2026 has no successor inside the calendar, the first of 2023 no predecessor.
    expect(cal.prevTradingDay('2026-12-31')).toBe('2026-12-30');
    expect(codeOf(() => cal.nextTradingDay('2026-12-31'))).toBe('MKT_ERR_CALENDAR_RANGE');
    expect(codeOf(() => cal.prevTradingDay('2023-01-03'))).toBe('MKT_ERR_CALENDAR_RANGE');
    expect(() => cal.isTradingDay('2030-01-01')).toThrow(/2030-01-01 is outside .* 2023-2026/);
  });

  it('refuses a non-date with MKT_ERR_BAD_INPUT', () => {
    expect(codeOf(() => cal.isTradingDay('2024-02-30'))).toBe('MKT_ERR_BAD_INPUT');
    expect(codeOf(() => cal.isTradingDay('20240701'))).toBe('MKT_ERR_BAD_INPUT');
  });

  it('refuses calendar data with a gap between years', () => {
    const gap: CalendarData = { holidays: { '2023': [], '2025': [] }, sources: ['test'], notes: [] };
    expect(codeOf(() => new TradingCalendar(gap))).toBe('MKT_ERR_CATALOGUE');
    expect(codeOf(() => new TradingCalendar({ holidays: {}, sources: ['test'], notes: [] }))).toBe('MKT_ERR_CATALOGUE');
  });
});

describe('session helpers', () => {
  const national: [string, string][] = [
    ['09:30', '11:30'],
    ['13:00', '15:00'],
  ];

  it('sessionIndexAt finds the [open, close) window', () => {
    expect(sessionIndexAt(national, minuteOfDay('09:29'))).toBe(-1);
    expect(sessionIndexAt(national, minuteOfDay('09:30'))).toBe(0);
    expect(sessionIndexAt(national, minuteOfDay('11:29'))).toBe(0);
    expect(sessionIndexAt(national, minuteOfDay('11:30'))).toBe(-1);
    expect(sessionIndexAt(national, minuteOfDay('12:00'))).toBe(-1);
    expect(sessionIndexAt(national, minuteOfDay('13:00'))).toBe(1);
    expect(sessionIndexAt(national, minuteOfDay('14:59'))).toBe(1);
    expect(sessionIndexAt(national, minuteOfDay('15:00'))).toBe(-1);
    expect(sessionIndexAt([['13:00', '15:00']], 0)).toBe(-1);
  });

  it('sessionEndMinute is the close of the last window', () => {
    expect(sessionEndMinute(national)).toBe(900);
    expect(sessionEndMinute([['09:30', '11:30']])).toBe(690);
    expect(codeOf(() => sessionEndMinute([]))).toBe('MKT_ERR_CATALOGUE');
  });
});
