// Trading days and trading hours. Exchanges open Monday to Friday except the closed weekdays listed per year in
// data/calendar/cn-holidays.json; make-up working weekends (调休) stay closed. Pure: built from the parsed
// calendar data, no clock. A date outside the covered years throws MKT_ERR_CALENDAR_RANGE: simulating a year
// the calendar does not list is a configuration error, not a market event.
import type { CalendarData } from './catalogue/parse.ts';
import { MarketError } from './errors.ts';
import { dateOfDay, dayNumber, isDate, minuteOfDay, weekday } from './time.ts';

/** [open, close) windows of one trading day, 'HH:MM' China Standard Time, in time order. */
export type Sessions = readonly (readonly [string, string])[];

export class TradingCalendar {
  readonly firstYear: number;
  readonly lastYear: number;
  /** Day number (days since 1970-01-01) of firstYear-01-01. */
  private readonly firstDay: number;
  /** Day number of lastYear-12-31. */
  private readonly lastDay: number;
  /** 1 at index (day - firstDay) when that day is a trading day. */
  private readonly open: Uint8Array;
  /** What it was built from (a batch sends it to its worker threads, which rebuild the calendar from it). */
  readonly data: CalendarData;

  constructor(data: CalendarData) {
    this.data = data;
    const years = Object.keys(data.holidays)
      .map(Number)
      .sort((a, b) => a - b);
    const first = years[0];
    const last = years[years.length - 1];
    if (first === undefined || last === undefined)
      throw new MarketError('MKT_ERR_CATALOGUE', 'calendar: /holidays: at least one year expected, got none');
    years.forEach((y, i) => {
      if (y !== first + i)
        throw new MarketError(
          'MKT_ERR_CATALOGUE',
          `calendar: /holidays: consecutive years expected, ${first + i} is missing between ${first} and ${last}`,
        );
    });
    this.firstYear = first;
    this.lastYear = last;
    this.firstDay = dayNumber(`${yearText(first)}-01-01`);
    this.lastDay = dayNumber(`${yearText(last)}-12-31`);
    this.open = new Uint8Array(this.lastDay - this.firstDay + 1);
    for (let d = this.firstDay; d <= this.lastDay; d++) {
      const wd = weekday(dateOfDay(d));
      this.open[d - this.firstDay] = wd === 0 || wd === 6 ? 0 : 1;
    }
    for (const [year, days] of Object.entries(data.holidays)) {
      days.forEach((date, i) => {
        if (!isDate(date) || !date.startsWith(`${year}-`))
          throw new MarketError(
            'MKT_ERR_CATALOGUE',
            `calendar: /holidays/${year}/${i}: a real date in ${year} expected, got ${JSON.stringify(date)}`,
          );
        this.open[dayNumber(date) - this.firstDay] = 0;
      });
    }
  }

  isTradingDay(date: string): boolean {
    return this.open[this.index(date)] === 1;
  }

  /** The first trading day strictly after `date`. */
  nextTradingDay(date: string): string {
    return this.step(date, 1);
  }

  /** The last trading day strictly before `date`. */
  prevTradingDay(date: string): string {
    return this.step(date, -1);
  }

  /** Trading days from `fromDate` to `toDate`, both included, in order; empty when fromDate is after toDate. */
  tradingDays(fromDate: string, toDate: string): string[] {
    const a = this.index(fromDate);
    const b = this.index(toDate);
    const out: string[] = [];
    for (let i = a; i <= b; i++) if (this.open[i] === 1) out.push(dateOfDay(this.firstDay + i));
    return out;
  }

  private step(date: string, dir: 1 | -1): string {
    for (let i = this.index(date) + dir; i >= 0 && i < this.open.length; i += dir)
      if (this.open[i] === 1) return dateOfDay(this.firstDay + i);
    throw new MarketError(
      'MKT_ERR_CALENDAR_RANGE',
      `no trading day ${dir === 1 ? 'after' : 'before'} ${date} within the calendar's years ${this.range()}: add the ${dir === 1 ? 'next' : 'previous'} year to data/calendar/cn-holidays.json`,
    );
  }

  private index(date: string): number {
    if (!isDate(date)) throw new MarketError('MKT_ERR_BAD_INPUT', `not a date (YYYY-MM-DD): ${JSON.stringify(date)}`);
    const d = dayNumber(date);
    if (d < this.firstDay || d > this.lastDay)
      throw new MarketError(
        'MKT_ERR_CALENDAR_RANGE',
        `${date} is outside the trading calendar's years ${this.range()}: add its year to data/calendar/cn-holidays.json`,
      );
    return d - this.firstDay;
  }

  private range(): string {
    return `${this.firstYear}-${this.lastYear}`;
  }
}

function yearText(y: number): string {
  return String(y).padStart(4, '0');
}

/** Index of the [open, close) window containing `minute` (minutes after midnight), or -1 outside them all. */
export function sessionIndexAt(sessions: Sessions, minute: number): number {
  for (let i = 0; i < sessions.length; i++) {
    const s = sessions[i]!;
    if (minute >= minuteOfDay(s[0]) && minute < minuteOfDay(s[1])) return i;
  }
  return -1;
}

/** Minute of the day at which the last window closes (900 for 15:00). */
export function sessionEndMinute(sessions: Sessions): number {
  const last = sessions[sessions.length - 1];
  if (last === undefined) throw new MarketError('MKT_ERR_CATALOGUE', 'sessions: at least one window expected');
  return minuteOfDay(last[1]);
}
