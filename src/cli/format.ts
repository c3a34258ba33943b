// Shared formatting for the command line: cny from fen, tonnes with thousands separators, fixed-width tables.
import { fenToCny } from '../market/money.ts';

export const cny = (fen: number | null): string => (fen === null ? '-' : fenToCny(fen));
/** 2880030 fen -> "28,800.30" */
export function cnyGrouped(fen: number): string {
  const [i, f] = fenToCny(fen).split('.');
  return `${Number(i).toLocaleString('en-US')}.${f}`;
}
export const tonnes = (t: number): string => t.toLocaleString('en-US');

/** A plain table: header row, a rule, rows; columns padded to their widest cell (right-aligned when numeric). */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => /^[-\d.,%×x ]+$/.test(r[i] ?? '')));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}
