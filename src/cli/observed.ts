// `cets observed <file> [--scenario S]`: reads an observed price file (the plain CSV or a data-terminal export, UTF-8 or GBK; see
// src/store/observed-files.ts and data/replay/README.md) and prints what it read: how each column was mapped, a line
// per month (trading days, last close, volumes, turnover), the days it skipped and why, and last exactly
// `observed: <n> days from <first> to <last>`.
import { parseArgs } from 'node:util';
import { SimCode, SimError } from '../sim/errors.ts';
import {
  loadObserved,
  type ObservedCheck,
  type ObservedDay,
  type ObservedField,
  type ObservedFile,
  type ObservedSkip,
} from '../store/observed-files.ts';
import { cny, cnyGrouped, tonnes } from './format.ts';
import { prepare } from './run.ts';

export const OBSERVED_USAGE = 'usage: cets observed <prices.csv> [--scenario S]';

type Summed = 'volumeT' | 'listedVolumeT' | 'blockVolumeT' | 'turnoverFen' | 'listedTurnoverFen' | 'blockTurnoverFen';

/** The monthly columns summed over days, with their headers; shown when the file has the column. */
const SUMS: readonly { key: Summed; field: ObservedField; head: string; money: boolean }[] = [
  { key: 'volumeT', field: 'volume', head: 'volume t', money: false },
  { key: 'listedVolumeT', field: 'listedVolume', head: 'listed t', money: false },
  { key: 'blockVolumeT', field: 'blockVolume', head: 'block t', money: false },
  { key: 'turnoverFen', field: 'turnover', head: 'turnover CNY', money: true },
  { key: 'listedTurnoverFen', field: 'listedTurnover', head: 'listed turnover CNY', money: true },
  { key: 'blockTurnoverFen', field: 'blockTurnover', head: 'block turnover CNY', money: true },
];

const FIELD_TEXT: Readonly<Record<ObservedField, string>> = {
  close: 'close',
  open: 'open',
  high: 'high',
  low: 'low',
  volume: 'volume (listed and block)',
  listedVolume: 'listed volume',
  blockVolume: 'block volume',
  turnover: 'turnover (listed and block)',
  listedTurnover: 'listed turnover',
  blockTurnover: 'block turnover',
};

/**
 * One line per month: trading days, last close, and the sums of the volume and turnover columns the file has (a
 * total only when the file gives one: listed and block are shown as given). A sum over fewer days than the month's
 * trading days is marked with *.
 */
export function monthlyTable(
  days: readonly ObservedDay[],
  fields: ReadonlySet<ObservedField>,
): { lines: string[]; partial: boolean } {
  const shown = SUMS.filter((s) => fields.has(s.field));
  const months = new Map<string, ObservedDay[]>();
  for (const d of days) {
    const m = d.date.slice(0, 7);
    const list = months.get(m);
    if (list === undefined) months.set(m, [d]);
    else list.push(d);
  }
  let partial = false;
  const rows = [...months].map(([month, list]) => [
    month,
    String(list.length),
    cny(list[list.length - 1]!.closeFen),
    ...shown.map((s) => {
      const given = list.filter((d) => d[s.key] !== undefined);
      if (given.length === 0) return '-';
      const sum = given.reduce((a, d) => a + d[s.key]!, 0);
      const mark = given.length < list.length ? '*' : '';
      if (mark !== '') partial = true;
      return `${s.money ? cnyGrouped(sum) : tonnes(sum)}${mark}`;
    }),
  ]);
  return { lines: rightAligned(['month', 'days', 'last close', ...shown.map((s) => s.head)], rows), partial };
}

/** A table with every column but the first right-aligned (figures, some marked with a trailing *). */
function rightAligned(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  // A figure without the mark keeps a space where the mark would be, so the digits line up.
  const marked = header.map((_, i) => rows.some((r) => r[i]!.endsWith('*')));
  const cells = rows.map((r) => r.map((c, i) => (marked[i] && !c.endsWith('*') ? `${c} ` : c)));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const line = (r: readonly string[]): string =>
    r
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)];
}

const nextDay = (date: string): string => {
  const t = new Date(`${date}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + 1);
  return t.toISOString().slice(0, 10);
};

/** Dates as runs of consecutive calendar days: "2021-07-17..2021-07-18, 2021-07-21". */
export function dateRuns(dates: readonly string[]): string[] {
  const sorted = [...dates].sort();
  const runs: string[] = [];
  let start = sorted[0];
  let end = start;
  for (const d of sorted.slice(1)) {
    if (d === nextDay(end!)) {
      end = d;
      continue;
    }
    runs.push(start === end ? start! : `${start}..${end}`);
    start = d;
    end = d;
  }
  if (start !== undefined) runs.push(start === end ? start : `${start}..${end}`);
  return runs;
}

/** The skipped rows grouped by reason (in order of first appearance), dates as runs, a few runs a line. */
export function skippedLines(skipped: readonly ObservedSkip[]): string[] {
  if (skipped.length === 0) return ['skipped: none'];
  const byReason = new Map<string, ObservedSkip[]>();
  for (const s of skipped) {
    const list = byReason.get(s.reason);
    if (list === undefined) byReason.set(s.reason, [s]);
    else list.push(s);
  }
  const out = [`skipped ${skipped.length} ${skipped.length === 1 ? 'day' : 'days'}:`];
  for (const [reason, list] of byReason) {
    const dated = list.filter((s) => s.date !== null).map((s) => s.date!);
    const undated = list.filter((s) => s.date === null).map((s) => `line ${s.line}`);
    const items = [...dateRuns(dated), ...undated];
    out.push(`  ${list.length} ${reason}:`);
    for (let i = 0; i < items.length; i += 6) out.push(`    ${items.slice(i, i + 6).join(', ')}`);
  }
  return out;
}

/** Everything `cets observed` prints for a parsed file. */
export function observedReport(f: ObservedFile): string[] {
  const out: string[] = [];
  const kind = f.format === 'csv' ? 'plain CSV' : 'data-terminal export';
  out.push(`${f.file}: ${kind}, ${f.encoding === 'utf-8' ? 'UTF-8' : f.encoding === 'gbk' ? 'GBK' : 'UTF-16'}`);
  for (const c of f.columns) {
    const unit = c.unit === '' ? '' : ` (${c.unit})`;
    out.push(
      c.field === null
        ? `  column ${c.column} ${c.name === '' ? '(no name)' : c.name}${unit}: not used`
        : `  column ${c.column} ${c.name}${unit}: ${FIELD_TEXT[c.field]}`,
    );
  }
  out.push('');
  const monthly = monthlyTable(f.days, new Set(f.columns.flatMap((c) => (c.field === null ? [] : [c.field]))));
  out.push(...monthly.lines);
  if (monthly.partial)
    out.push('* some trading days of the month do not give this figure: the sum is over those that do');
  out.push('');
  out.push(...skippedLines(f.skipped));
  out.push('');
  out.push(`observed: ${f.days.length} days from ${f.days[0]!.date} to ${f.days[f.days.length - 1]!.date}`);
  return out;
}

export function observedCommand(args: readonly string[], out: (line: string) => void): number {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: { scenario: { type: 'string' } },
  });
  const file = positionals[0];
  if (file === undefined || positionals.length > 1) throw new SimError(SimCode.Args, OBSERVED_USAGE);
  // With a scenario, the file is read as a replay would: days outside its period skipped, a close on a day its
  // calendar does not trade refused.
  let check: ObservedCheck | undefined;
  if (values.scenario !== undefined) {
    const { ctx, scenario } = prepare(values.scenario);
    check = { from: scenario.period.from, to: scenario.period.to, isTradingDay: (d) => ctx.calendar.isTradingDay(d) };
  }
  for (const l of observedReport(loadObserved(file, check === undefined ? {} : { check, outside: 'skip' }))) out(l);
  return 0;
}
