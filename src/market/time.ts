// Exchange time. Chinese exchanges run on China Standard Time, UTC+8 all year (no daylight saving), so local
// dates and times follow from epoch milliseconds by pure arithmetic: no Date, no clock, no time-zone database.
// Dates are 'YYYY-MM-DD' strings (they sort and compare as strings); times of day are minutes after midnight.

const CST_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** Inverse of daysFromCivil: [year, month 1-12, day 1-31]. */
export function civilFromDays(z: number): [number, number, number] {
  const zz = z + 719_468;
  const era = Math.floor(zz / 146_097);
  const doe = zz - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return [era * 400 + yoe + (m <= 2 ? 1 : 0), m, d];
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const HHMM_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** True for a real calendar date written 'YYYY-MM-DD'. */
export function isDate(s: unknown): s is string {
  if (typeof s !== 'string') return false;
  const m = DATE_RE.exec(s);
  if (m === null) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const back = civilFromDays(daysFromCivil(y, mo, d));
  return back[0] === y && back[1] === mo && back[2] === d;
}

export function dayNumber(date: string): number {
  const m = DATE_RE.exec(date);
  if (m === null) throw new RangeError(`not a date: ${date}`);
  return daysFromCivil(Number(m[1]), Number(m[2]), Number(m[3]));
}

export function dateOfDay(day: number): string {
  const [y, m, d] = civilFromDays(day);
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

export function addDays(date: string, n: number): string {
  return dateOfDay(dayNumber(date) + n);
}

/** 0 = Sunday ... 6 = Saturday. */
export function weekday(date: string): number {
  return (((dayNumber(date) + 4) % 7) + 7) % 7;
}

// Session checks ask for the same few 'HH:MM' strings on every order; parse each once.
const minuteCache = new Map<string, number>();

/** '13:05' -> 785 */
export function minuteOfDay(hhmm: string): number {
  const hit = minuteCache.get(hhmm);
  if (hit !== undefined) return hit;
  const m = HHMM_RE.exec(hhmm);
  if (m === null) throw new RangeError(`not a time of day: ${hhmm}`);
  const minute = Number(m[1]) * 60 + Number(m[2]);
  if (minuteCache.size < 4096) minuteCache.set(hhmm, minute);
  return minute;
}

/** Epoch milliseconds of a China Standard Time date and time: tsOf('2024-09-30', '15:00'). */
export function tsOf(date: string, hhmm = '00:00'): number {
  return dayNumber(date) * DAY_MS + minuteOfDay(hhmm) * 60_000 - CST_OFFSET_MS;
}

/** The China Standard Time day of an instant, as days since 1970-01-01 (no string: cheap to compare per order). */
export function cstDay(tsMs: number): number {
  return Math.floor((tsMs + CST_OFFSET_MS) / DAY_MS);
}

/** The China Standard Time date of an instant. */
export function cstDate(tsMs: number): string {
  return dateOfDay(cstDay(tsMs));
}

/** The China Standard Time calendar year of an instant (civilFromDays' year, without building its array). */
export function cstYear(tsMs: number): number {
  const zz = cstDay(tsMs) + 719_468;
  const era = Math.floor(zz / 146_097);
  const doe = zz - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  return era * 400 + yoe + (mp >= 10 ? 1 : 0);
}

/** "HH:MM", China Standard Time. */
export function cstClockText(tsMs: number): string {
  const m = cstMinute(tsMs);
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

/** Minutes after China Standard Time midnight, 0..1439. */
export function cstMinute(tsMs: number): number {
  const local = tsMs + CST_OFFSET_MS;
  return Math.floor((local - Math.floor(local / DAY_MS) * DAY_MS) / 60_000);
}
