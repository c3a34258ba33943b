// Reads a replay price file: a CSV of daily closes and volumes that `cets replay` pins a market's expected price to.
//
//   # comment lines start with #, blank lines are skipped
//   date,close,volume
//   2024-07-01,90.40,270000
//
// date: a trading day (YYYY-MM-DD) inside the scenario's period, strictly after the previous row's; close: CNY per
// tonne, up to two decimals, above zero; volume: whole tonnes traded that day, listed and block together. Days may be
// left out (the expected price then moves on its own that day). Every problem throws SIM_ERR_REPLAY naming the file,
// the line and the field; nothing half-loads.
import { readFileSync } from 'node:fs';
import { SimCode, SimError } from '../sim/errors.ts';

export interface ReplayRow {
  readonly date: string;
  readonly closeFen: number;
  readonly volumeT: number;
  /** 1-based line in the file. */
  readonly line: number;
}

export interface ReplayCheck {
  /** The scenario's period, both ends included. */
  readonly from: string;
  readonly to: string;
  readonly isTradingDay: (date: string) => boolean;
}

export const REPLAY_HEADER = 'date,close,volume';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const PRICE = /^(\d{1,9})(?:\.(\d{1,2}))?$/;
const WHOLE = /^(0|[1-9]\d*)$/;

function realDate(s: string): boolean {
  if (!DATE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** "90.4" -> 9040 fen, exactly (no floating point). */
export function priceToFen(s: string): number | null {
  const m = PRICE.exec(s);
  if (m === null) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

export function parseReplayCsv(file: string, text: string, check: ReplayCheck): ReplayRow[] {
  const fail = (line: number, field: string | null, message: string): never => {
    throw new SimError(SimCode.Replay, `${file}: line ${line}${field === null ? '' : `: ${field}`}: ${message}`);
  };
  const rows: ReplayRow[] = [];
  let header = false;
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const n = i + 1;
    const l = (raw.endsWith('\r') ? raw.slice(0, -1) : raw).trim();
    if (l === '' || l.startsWith('#')) return;
    if (!header) {
      if (l.replaceAll(' ', '') !== REPLAY_HEADER)
        fail(n, null, `the header ${REPLAY_HEADER} expected, got ${JSON.stringify(l)}`);
      header = true;
      return;
    }
    const cells = l.split(',').map((c) => c.trim());
    if (cells.length !== 3) fail(n, null, `3 fields (${REPLAY_HEADER}) expected, got ${cells.length}`);
    const [date, close, volume] = cells as [string, string, string];
    if (!realDate(date)) fail(n, 'date', `a real date YYYY-MM-DD expected, got ${JSON.stringify(date)}`);
    if (date < check.from || date > check.to)
      fail(n, 'date', `${date} is outside the scenario's period ${check.from} to ${check.to}`);
    if (!check.isTradingDay(date)) fail(n, 'date', `${date} is not a trading day (weekend or exchange holiday)`);
    const prev = rows[rows.length - 1];
    if (prev !== undefined && date <= prev.date)
      fail(n, 'date', `${date} is not after ${prev.date} (line ${prev.line}): dates must be in order, each once`);
    const closeFen = priceToFen(close);
    if (closeFen === null || closeFen === 0)
      fail(n, 'close', `a price in CNY above zero with at most two decimals expected, got ${JSON.stringify(close)}`);
    if (!WHOLE.test(volume) || !Number.isSafeInteger(Number(volume)))
      fail(n, 'volume', `whole tonnes expected, got ${JSON.stringify(volume)}`);
    rows.push({ date, closeFen: closeFen!, volumeT: Number(volume), line: n });
  });
  if (!header) fail(lines.length, null, `empty: the header ${REPLAY_HEADER} and at least one row expected`);
  if (rows.length === 0) fail(lines.length, null, 'no rows after the header: at least one day expected');
  return rows;
}

export function loadReplayCsv(path: string, check: ReplayCheck): ReplayRow[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new SimError(SimCode.Replay, `${path}: a readable file expected (${(e as Error).message})`);
  }
  return parseReplayCsv(path, text, check);
}
