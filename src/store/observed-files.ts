// Reads observed daily prices of a carbon market, in either of two formats (see data/replay/README.md):
//
// 1. the plain CSV of this project: `#` comment lines, a header row naming the columns (date and close required;
//    volume, open, high, low, listed_volume_t, block_volume_t, turnover_cny, listed_turnover_cny, block_turnover_cny
//    optional), one row per day, oldest first. Prices CNY per tonne with at most two decimals, volumes whole tonnes,
//    turnover CNY with at most two decimals.
// 2. a data-terminal export (Wind, Choice, iFinD ... "EDB" style): UTF-8 or GBK, three header rows (指标名称, 频率,
//    单位), the date in the first column (2021/7/16 or 2021-07-16), newest first or oldest first, one column per series
//    named like 中国:碳市场碳排放配额(CEA):收盘价 or 成交量:大宗协议交易(CEA), units in the third row (元/吨, 吨, 万吨, 元,
//    万元, 亿元), numbers possibly in E notation, blank cells on days without trading (weekends included) and source
//    lines at the end (数据来源：Wind). Series are mapped by their names (seriesField below).
//
// Everything becomes integers exactly: prices and turnover in fen, volumes in tonnes. Every unit is a power of ten of
// fen or tonnes, so a value is scaled by moving its decimal point (string arithmetic, no floating point); a value
// finer than a fen or a tonne is refused, not rounded. A day without a close is skipped and reported with its reason.
// Anything the parser cannot read is refused as a whole with SIM_ERR_REPLAY naming the file, the line and the column.
import { readFileSync } from 'node:fs';
import { SimCode, SimError } from '../sim/errors.ts';
import type { ObservedDay } from '../sim/replay/observed-day.ts';

export type { ObservedDay };

/** A row the parser read but did not keep, and why (no close, outside the period ...). */
export interface ObservedSkip {
  readonly date: string | null;
  readonly line: number;
  readonly reason: string;
}

export type ObservedField =
  | 'close'
  | 'open'
  | 'high'
  | 'low'
  | 'volume'
  | 'listedVolume'
  | 'blockVolume'
  | 'turnover'
  | 'listedTurnover'
  | 'blockTurnover';

/** How a column of the file was read. */
export interface ObservedColumn {
  /** 1-based column. */
  readonly column: number;
  /** The header (plain CSV) or the series name (terminal export). */
  readonly name: string;
  /** The field it fills; null for a series the parser does not use (listed in `ignored`). */
  readonly field: ObservedField | null;
  /** The unit as the file gives it (terminal export) or as the format fixes it (plain CSV). */
  readonly unit: string;
}

export interface ObservedFile {
  readonly file: string;
  readonly format: 'csv' | 'terminal';
  readonly encoding: 'utf-8' | 'gbk' | 'utf-16le';
  /** Oldest first. */
  readonly days: readonly ObservedDay[];
  /** In file order. */
  readonly skipped: readonly ObservedSkip[];
  /** The value columns (not the date), in file order. */
  readonly columns: readonly ObservedColumn[];
}

/** A scenario's period and calendar, for a file that feeds a replay. */
export interface ObservedCheck {
  /** The scenario's period, both ends included. */
  readonly from: string;
  readonly to: string;
  readonly isTradingDay: (date: string) => boolean;
}

export interface ObservedOptions {
  /** Checks every kept day against a scenario: inside its period, a trading day. */
  readonly check?: ObservedCheck;
  /** A day with a close outside the check's period: refused (default) or skipped. */
  readonly outside?: 'refuse' | 'skip';
  /** A blank cell: the field is absent (default; a day without a close is skipped) or the row is refused. */
  readonly blanks?: 'skip' | 'refuse';
}

/** The plain CSV's columns and the fields they fill. */
export const CSV_COLUMNS: Readonly<Record<string, ObservedField>> = {
  close: 'close',
  open: 'open',
  high: 'high',
  low: 'low',
  volume: 'volume',
  volume_t: 'volume',
  listed_volume_t: 'listedVolume',
  block_volume_t: 'blockVolume',
  turnover_cny: 'turnover',
  listed_turnover_cny: 'listedTurnover',
  block_turnover_cny: 'blockTurnover',
};

const KEY: Readonly<Record<ObservedField, keyof ObservedDay>> = {
  close: 'closeFen',
  open: 'openFen',
  high: 'highFen',
  low: 'lowFen',
  volume: 'volumeT',
  listedVolume: 'listedVolumeT',
  blockVolume: 'blockVolumeT',
  turnover: 'turnoverFen',
  listedTurnover: 'listedTurnoverFen',
  blockTurnover: 'blockTurnoverFen',
};

type Kind = 'price' | 'volume' | 'turnover';

function kindOf(f: ObservedField): Kind {
  if (f === 'close' || f === 'open' || f === 'high' || f === 'low') return 'price';
  return f === 'volume' || f === 'listedVolume' || f === 'blockVolume' ? 'volume' : 'turnover';
}

/** Units of a terminal export: the power of ten that turns one of them into fen (prices, turnover) or tonnes. */
const UNITS: Readonly<Record<Kind, Readonly<Record<string, number>>>> = {
  price: { '元/吨': 2, '元/t': 2 },
  volume: { 吨: 0, t: 0, 万吨: 4 },
  turnover: { 元: 2, 万元: 6, 亿元: 10 },
};

const WHAT: Readonly<Record<Kind, string>> = {
  price: 'a price (元/吨)',
  volume: 'a volume (吨, 万吨)',
  turnover: 'a turnover (元, 万元, 亿元)',
};

/** Header rows of a terminal export besides 指标名称, 频率 and 单位 that the parser passes over. */
const METADATA_ROWS = new Set(['指标ID', '指标id', '时间区间', '来源', '更新时间', '序号', '备注']);
/** What terminals write in a cell without a value (Choice and iFinD: --; Excel: #N/A), read as blank. */
const NO_VALUE = /^(-{1,2}|—{1,2}|#?N\/A|NaN|null)$/i;
/** First cells of the source and note lines after the data. */
const TRAILER = /^(数据来源|资料来源|来源|注|备注|说明|source|note)/i;

/** Normalises a series name: no spaces, ASCII colon and parentheses. */
function normalName(name: string): string {
  return name.replace(/\s+/g, '').replaceAll('：', ':').replaceAll('（', '(').replaceAll('）', ')');
}

/**
 * The field a terminal series fills, from its name, or null for one the parser does not use. The measure comes from
 * 收盘价 (close), 开盘价 (open), 最高价 (high), 最低价 (low), 成交量 (volume), 成交额 or 成交金额 (turnover); the mode
 * from 挂牌协议 (listed agreement) or 大宗协议 (block agreement), else the total. A close "of listed trading" is the
 * close (the market's close comes from listed trading); prices of block trading, averages (均价), changes (涨跌),
 * cumulative figures (累计) and anything else are not used.
 */
export function seriesField(name: string): ObservedField | null {
  const n = normalName(name);
  if (/均价|涨跌|累计|换手|指数/.test(n)) return null;
  const listed = n.includes('挂牌协议');
  const block = n.includes('大宗协议');
  if (listed && block) return null;
  const price: [RegExp, ObservedField][] = [
    [/收盘价/, 'close'],
    [/开盘价/, 'open'],
    [/最高价/, 'high'],
    [/最低价/, 'low'],
  ];
  for (const [re, f] of price) if (re.test(n)) return block ? null : f;
  if (n.includes('成交量')) return listed ? 'listedVolume' : block ? 'blockVolume' : 'volume';
  if (/成交额|成交金额/.test(n)) return listed ? 'listedTurnover' : block ? 'blockTurnover' : 'turnover';
  return null;
}

/** Raised inside the parser and turned into the file's SimError. */
class Refusal extends Error {}

/** A decimal string (optionally with an exponent and thousands separators) times 10^shift as a whole number. */
export function scaledInteger(
  text: string,
  shift: number,
): { ok: true; value: number } | { ok: false; why: 'nan' | 'negative' | 'fraction' | 'large' } {
  let s = text.trim();
  if (/^\d{1,3}(,\d{3})+(\.\d*)?$/.test(s)) s = s.replaceAll(',', '');
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,4}))?$/.exec(s);
  if (m === null || `${m[2]}${m[3] ?? ''}` === '') return { ok: false, why: 'nan' };
  const frac = m[3] ?? '';
  let digits = `${m[2]}${frac}`.replace(/^0+/, '');
  if (digits === '') return { ok: true, value: 0 };
  if (m[1] === '-') return { ok: false, why: 'negative' };
  const exp = Number(m[4] ?? '0') - frac.length + shift;
  if (exp >= 0) {
    if (digits.length + exp > 16) return { ok: false, why: 'large' };
    digits += '0'.repeat(exp);
  } else {
    const cut = digits.length + exp;
    const dropped = cut <= 0 ? digits : digits.slice(cut);
    if (/[1-9]/.test(dropped)) return { ok: false, why: 'fraction' };
    digits = cut <= 0 ? '0' : digits.slice(0, cut);
  }
  const value = Number(digits);
  return Number.isSafeInteger(value) ? { ok: true, value } : { ok: false, why: 'large' };
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function realDate(y: number, m: number, d: number): string | null {
  const iso = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  const t = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === iso ? iso : null;
}

/** YYYY-MM-DD, strictly (the plain CSV). */
function isoDate(s: string): string | null {
  if (!ISO_DATE.test(s)) return null;
  return realDate(Number(s.slice(0, 4)), Number(s.slice(5, 7)), Number(s.slice(8, 10)));
}

/** 2021/7/16, 2021-7-16, 2021-07-16 or 2021年7月16日, optionally with a midnight time (a terminal export). */
function terminalDate(s: string): string | null {
  const m = /^(\d{4})[/\-.年](\d{1,2})[/\-.月](\d{1,2})日?(?:\s+0{1,2}:00(?::00)?)?$/.exec(s);
  return m === null ? null : realDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** One CSV line into cells: comma (or tab) separated, double quotes around a cell, "" inside quotes. */
function splitCells(line: string, sep: string): string[] | null {
  const cells: string[] = [];
  let i = 0;
  for (;;) {
    let cell = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) return null;
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            cell += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        cell += line[i++];
      }
      while (i < line.length && line[i] !== sep) {
        if (line[i]!.trim() !== '') return null;
        i++;
      }
    } else {
      const j = line.indexOf(sep, i);
      cell = j < 0 ? line.slice(i) : line.slice(i, j);
      i = j < 0 ? line.length : j;
    }
    cells.push(cell.trim());
    if (i >= line.length) return cells;
    i++;
  }
}

/** Bytes as text: UTF-8 when valid, else GBK (what Chinese Windows and the terminals write); Excel files refused. */
export function decodeObserved(file: string, bytes: Uint8Array): { text: string; encoding: ObservedFile['encoding'] } {
  const starts = (...b: number[]): boolean => b.every((x, i) => bytes[i] === x);
  if (starts(0x50, 0x4b, 0x03, 0x04) || starts(0xd0, 0xcf, 0x11, 0xe0))
    throw new SimError(
      SimCode.Replay,
      `${file}: an Excel workbook, not a CSV file: open it and save it as CSV (UTF-8 or GBK), then read that`,
    );
  if (starts(0xff, 0xfe)) return { text: new TextDecoder('utf-16le').decode(bytes), encoding: 'utf-16le' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    // not UTF-8: try GBK below
  }
  try {
    return { text: new TextDecoder('gbk', { fatal: true }).decode(bytes), encoding: 'gbk' };
  } catch {
    throw new SimError(SimCode.Replay, `${file}: neither UTF-8 nor GBK text: save the file as CSV in one of them`);
  }
}

interface Mapped {
  readonly column: number;
  readonly name: string;
  readonly field: ObservedField;
  readonly shift: number;
  readonly unit: string;
}

/** Rows read, before the order check and sorting. */
interface RawRow {
  readonly date: string;
  readonly line: number;
  readonly cells: readonly string[];
}

/** Parses an observed price file (text or bytes); see the top of this file. Throws SimError SIM_ERR_REPLAY. */
export function parseObserved(file: string, input: string | Uint8Array, options: ObservedOptions = {}): ObservedFile {
  const { text, encoding } =
    typeof input === 'string' ? { text: input, encoding: 'utf-8' as const } : decodeObserved(file, input);
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  // The last line of the file (a final line break ends a line, it does not start one).
  const lastLine = Math.max(1, lines.length - (lines[lines.length - 1] === '' ? 1 : 0));
  let lineNo = 0;
  const fail = (line: number, where: string | null, message: string): never => {
    throw new Refusal(`${file}: line ${line}${where === null ? '' : `: ${where}`}: ${message}`);
  };
  try {
    // The first line that is neither blank nor a comment says which format this is.
    let first = -1;
    for (let i = 0; i < lines.length; i++) {
      const l = clean(lines[i]!);
      if (l !== '' && !l.startsWith('#')) {
        first = i;
        break;
      }
    }
    if (first < 0) fail(lastLine, null, 'empty: the header date,close,volume and at least one row expected');
    const headLine = clean(lines[first]!);
    const sep = headLine.includes('\t') && !headLine.includes(',') ? '\t' : ',';
    const cellsOf = (i: number): string[] => {
      const c = splitCells(clean(lines[i]!), sep);
      if (c === null) fail(i + 1, null, 'a cell opens a double quote it does not close');
      return c!;
    };
    const head = cellsOf(first);
    lineNo = first + 1;
    const firstCell = normalName(head[0] ?? '');
    const parsed =
      firstCell === '指标名称'
        ? terminal(lines, lastLine, first, cellsOf, fail, options)
        : firstCell.toLowerCase() === 'date'
          ? plain(lines, lastLine, first, head, cellsOf, fail, options)
          : fail(
              lineNo,
              null,
              `a header expected: "date,close,..." (plain CSV) or "指标名称,..." (a data-terminal export), got ${JSON.stringify(headLine)}`,
            );
    return { file, format: firstCell === '指标名称' ? 'terminal' : 'csv', encoding, ...parsed };
  } catch (e) {
    if (e instanceof Refusal) throw new SimError(SimCode.Replay, e.message);
    throw e;
  }
}

function clean(raw: string): string {
  return (raw.endsWith('\r') ? raw.slice(0, -1) : raw).trim();
}

type Fail = (line: number, where: string | null, message: string) => never;
type Parsed = Pick<ObservedFile, 'days' | 'skipped' | 'columns'>;

/** The plain CSV: header `date,close,...`, then rows in date order, oldest first. */
function plain(
  lines: readonly string[],
  lastLine: number,
  first: number,
  head: readonly string[],
  cellsOf: (i: number) => string[],
  fail: Fail,
  options: ObservedOptions,
): Parsed {
  const headerText = head.join(',');
  const names = head.map((h) => h.replaceAll(' ', '').toLowerCase());
  const mapped: Mapped[] = [];
  const seen = new Map<ObservedField, number>();
  names.forEach((n, i) => {
    if (i === 0) return;
    const field = Object.hasOwn(CSV_COLUMNS, n) ? CSV_COLUMNS[n]! : null;
    if (field === null)
      fail(
        first + 1,
        `column ${i + 1} ${JSON.stringify(head[i])}`,
        `not a column of the format; known: date, ${Object.keys(CSV_COLUMNS).join(', ')}`,
      );
    const twice = seen.get(field!);
    if (twice !== undefined) fail(first + 1, `column ${i + 1} ${JSON.stringify(head[i])}`, `repeats column ${twice}`);
    seen.set(field!, i + 1);
    const kind = kindOf(field!);
    mapped.push({
      column: i + 1,
      name: n,
      field: field!,
      shift: kind === 'volume' ? 0 : 2,
      unit: kind === 'volume' ? 't' : kind === 'price' ? 'CNY/t' : 'CNY',
    });
  });
  if (!seen.has('close'))
    fail(first + 1, null, `a close column expected (date,close,...), got ${JSON.stringify(headerText)}`);
  const rows: RawRow[] = [];
  for (let i = first + 1; i < lines.length; i++) {
    const l = clean(lines[i]!);
    if (l === '' || l.startsWith('#')) continue;
    const cells = cellsOf(i);
    if (cells.length !== head.length)
      fail(i + 1, null, `${head.length} fields (${headerText}) expected, got ${cells.length}`);
    const date = isoDate(cells[0]!);
    if (date === null) fail(i + 1, 'date', `a real date YYYY-MM-DD expected, got ${JSON.stringify(cells[0])}`);
    rows.push({ date: date!, line: i + 1, cells });
  }
  if (rows.length === 0) fail(lastLine, null, 'no rows after the header: at least one day expected');
  // Plain CSV: messages name the column by its header.
  return assemble(rows, mapped, fail, options, (c) => c.name, 'ascending');
}

/** A terminal export: 指标名称 / 频率 / 单位 rows, then dated rows in either order, then source lines. */
function terminal(
  lines: readonly string[],
  lastLine: number,
  first: number,
  cellsOf: (i: number) => string[],
  fail: Fail,
  options: ObservedOptions,
): Parsed {
  const names = cellsOf(first);
  const label = (c: number): string => `column ${c} ${JSON.stringify(names[c - 1] ?? '')}`;
  const meta = new Map<string, { line: number; cells: string[] }>();
  let i = first + 1;
  for (; i < lines.length; i++) {
    const l = clean(lines[i]!);
    if (l === '' || l.startsWith('#')) continue;
    const cells = cellsOf(i);
    const key = normalName(cells[0] ?? '');
    if (terminalDate(cells[0] ?? '') !== null) break;
    if (key !== '频率' && key !== '单位' && !METADATA_ROWS.has(key))
      fail(
        i + 1,
        'column 1',
        `a header row (频率, 单位${[...METADATA_ROWS].map((k) => `, ${k}`).join('')}) or a date expected, got ${JSON.stringify(cells[0] ?? '')}`,
      );
    if (meta.has(key)) fail(i + 1, 'column 1', `a second ${key} row (the first is line ${meta.get(key)!.line})`);
    meta.set(key, { line: i + 1, cells });
  }
  const freq = meta.get('频率');
  const units = meta.get('单位');
  if (freq === undefined || units === undefined)
    fail(
      Math.min(i + 1, lastLine),
      null,
      `the header rows 指标名称, 频率 and 单位 expected before the first date; ${freq === undefined ? '频率' : '单位'} is missing`,
    );
  const mapped: Mapped[] = [];
  const columns: ObservedColumn[] = [];
  const seen = new Map<ObservedField, number>();
  for (let c = 2; c <= names.length; c++) {
    const name = names[c - 1]!;
    const unit = normalName(units!.cells[c - 1] ?? '');
    if (name === '') {
      // An empty trailing column (a comma at the end of every line) carries nothing.
      columns.push({ column: c, name, field: null, unit });
      continue;
    }
    const field = seriesField(name);
    columns.push({ column: c, name, field, unit });
    if (field === null) continue;
    const twice = seen.get(field);
    if (twice !== undefined)
      fail(first + 1, label(c), `a second ${field} series (the first is ${label(twice)}): keep one series per measure`);
    seen.set(field, c);
    const f = normalName(freq!.cells[c - 1] ?? '');
    if (f !== '日' && f.toLowerCase() !== 'daily' && f.toLowerCase() !== 'd')
      fail(freq!.line, label(c), `a daily series expected (频率 日), got ${JSON.stringify(f)}`);
    const kind = kindOf(field);
    const table = UNITS[kind];
    const shift = Object.hasOwn(table, unit)
      ? table[unit]
      : Object.hasOwn(table, unit.toLowerCase())
        ? table[unit.toLowerCase()]
        : undefined;
    if (shift === undefined)
      fail(
        units!.line,
        label(c),
        `the unit ${JSON.stringify(unit)} cannot be ${WHAT[kind]}; known: ${Object.keys(table).join(', ')}`,
      );
    mapped.push({ column: c, name, field, shift: shift!, unit });
  }
  if (!seen.has('close'))
    fail(
      first + 1,
      null,
      `no closing-price series (a name with 收盘价) among ${names
        .slice(1)
        .filter((n) => n !== '')
        .map((n) => JSON.stringify(n))
        .join(', ')}`,
    );
  const rows: RawRow[] = [];
  let trailer = -1;
  for (; i < lines.length; i++) {
    const l = clean(lines[i]!);
    if (l === '' || l.startsWith('#')) continue;
    const cells = cellsOf(i);
    if (TRAILER.test(cells[0] ?? '')) {
      if (trailer < 0) trailer = i + 1;
      continue;
    }
    const date = terminalDate(cells[0] ?? '');
    if (date === null)
      fail(
        i + 1,
        'column 1',
        `a date like 2021/7/16 or a source line (数据来源) expected, got ${JSON.stringify(cells[0])}`,
      );
    if (trailer > 0) fail(i + 1, 'column 1', `a dated row after the source line ${trailer}: the data must come first`);
    for (let c = names.length + 1; c <= cells.length; c++)
      if (cells[c - 1] !== '') fail(i + 1, `column ${c}`, `a value beyond the ${names.length} named columns`);
    // A terminal's mark for "no value" reads as a blank cell.
    rows.push({ date: date!, line: i + 1, cells: cells.map((c, k) => (k > 0 && NO_VALUE.test(c) ? '' : c)) });
  }
  if (rows.length === 0) fail(lastLine, null, 'no dated rows after the header rows: at least one day expected');
  const p = assemble(rows, mapped, fail, options, (m) => label(m.column), 'either');
  return { ...p, columns };
}

const NUMBER_FAULT: Readonly<Record<Kind, Record<'nan' | 'negative' | 'fraction' | 'large', string>>> = {
  price: {
    nan: 'a price expected',
    negative: 'a price of at least zero expected',
    fraction: 'a price to at most a fen (0.01 CNY) expected',
    large: 'a price below 90 trillion CNY expected',
  },
  volume: {
    nan: 'a volume expected',
    negative: 'a volume of at least zero expected',
    fraction: 'whole tonnes expected',
    large: 'a volume below 9e15 t expected',
  },
  turnover: {
    nan: 'a turnover expected',
    negative: 'a turnover of at least zero expected',
    fraction: 'a turnover to at most a fen (0.01 CNY) expected',
    large: 'a turnover below 90 trillion CNY expected',
  },
};

/** Plain CSV cell formats (stricter than a terminal's): prices and turnover up to two decimals, whole tonnes. */
const PLAIN_PRICE = /^\d{1,13}(\.\d{1,2})?$/;
const PLAIN_WHOLE = /^(0|[1-9]\d*)$/;

/** Orders, checks and converts the rows; the day fields from the mapped columns. */
function assemble(
  rows: readonly RawRow[],
  mapped: readonly Mapped[],
  fail: Fail,
  options: ObservedOptions,
  where: (m: Mapped) => string,
  order: 'ascending' | 'either',
): Parsed {
  const plainFormat = order === 'ascending';
  // Dates in order, each once: oldest first in the plain CSV; either way (consistently) in a terminal export.
  const descending = order === 'either' && rows.length > 1 && rows[1]!.date < rows[0]!.date;
  for (let k = 1; k < rows.length; k++) {
    const prev = rows[k - 1]!;
    const r = rows[k]!;
    if (descending ? r.date >= prev.date : r.date <= prev.date)
      fail(
        r.line,
        plainFormat ? 'date' : 'column 1',
        descending
          ? `${r.date} is not before ${prev.date} (line ${prev.line}): dates must be in order (newest first here), each once`
          : `${r.date} is not after ${prev.date} (line ${prev.line}): dates must be in order, each once`,
      );
  }
  const close = mapped.find((m) => m.field === 'close')!;
  const days: ObservedDay[] = [];
  const skipped: ObservedSkip[] = [];
  const check = options.check;
  for (const r of rows) {
    const cell = (m: Mapped): string => r.cells[m.column - 1] ?? '';
    if (options.blanks !== 'refuse' && cell(close) === '') {
      const given = mapped.filter((m) => cell(m) !== '');
      skipped.push({
        date: r.date,
        line: r.line,
        reason:
          given.length === 0
            ? 'no values (no trading)'
            : `no close (the row gives ${given.map((m) => (plainFormat ? m.name : normalName(m.name))).join(', ')})`,
      });
      continue;
    }
    if (check !== undefined && (r.date < check.from || r.date > check.to)) {
      if (options.outside === 'skip') {
        skipped.push({ date: r.date, line: r.line, reason: `outside the period ${check.from} to ${check.to}` });
        continue;
      }
      fail(
        r.line,
        plainFormat ? 'date' : 'column 1',
        `${r.date} is outside the scenario's period ${check.from} to ${check.to}`,
      );
    }
    if (check !== undefined && !check.isTradingDay(r.date))
      fail(r.line, plainFormat ? 'date' : 'column 1', `${r.date} is not a trading day (weekend or exchange holiday)`);
    const day: Record<string, number | string> = { date: r.date };
    for (const m of mapped) {
      const text = cell(m);
      if (text === '' && options.blanks !== 'refuse') continue;
      const kind = kindOf(m.field);
      let value: number | null = null;
      if (plainFormat) {
        if (kind === 'volume')
          value = PLAIN_WHOLE.test(text) && Number.isSafeInteger(Number(text)) ? Number(text) : null;
        else if (PLAIN_PRICE.test(text)) {
          const [i, f = ''] = text.split('.');
          value = Number(i) * 100 + Number(f.padEnd(2, '0'));
        }
        if (value === null || (m.field === 'close' && value === 0))
          fail(
            r.line,
            where(m),
            kind === 'volume'
              ? `whole tonnes expected, got ${JSON.stringify(text)}`
              : m.field === 'close'
                ? `a price in CNY above zero with at most two decimals expected, got ${JSON.stringify(text)}`
                : `an amount in CNY with at most two decimals expected, got ${JSON.stringify(text)}`,
          );
      } else {
        const v = scaledInteger(text, m.shift);
        if (!v.ok) fail(r.line, where(m), `${NUMBER_FAULT[kind][v.why]} in ${m.unit}, got ${JSON.stringify(text)}`);
        else value = v.value;
        if (m.field === 'close' && value === 0)
          fail(r.line, where(m), `a close above zero expected, got ${JSON.stringify(text)}`);
      }
      day[KEY[m.field]] = value!;
    }
    if (day.volumeT === undefined && day.listedVolumeT !== undefined && day.blockVolumeT !== undefined)
      day.volumeT = (day.listedVolumeT as number) + (day.blockVolumeT as number);
    if (day.turnoverFen === undefined && day.listedTurnoverFen !== undefined && day.blockTurnoverFen !== undefined)
      day.turnoverFen = (day.listedTurnoverFen as number) + (day.blockTurnoverFen as number);
    day.line = r.line;
    days.push(day as unknown as ObservedDay);
  }
  if (days.length === 0)
    fail(
      rows[rows.length - 1]!.line,
      null,
      `no day with a close: all ${rows.length} dated rows were skipped (${skipped[0]?.reason ?? 'none'} ...)`,
    );
  if (descending) days.reverse();
  return {
    days,
    skipped,
    columns: mapped.map((m) => ({ column: m.column, name: m.name, field: m.field, unit: m.unit })),
  };
}

/** Reads an observed price file from disk; see parseObserved. */
export function loadObserved(path: string, options: ObservedOptions = {}): ObservedFile {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new SimError(SimCode.Replay, `${path}: a readable file expected (${(e as Error).message})`);
  }
  return parseObserved(path, bytes, options);
}
