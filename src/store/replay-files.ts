// The replay's price file as `cets replay` reads it today: a plain CSV with exactly the columns date,close,volume,
// every cell given, each date a trading day inside the scenario's period. Parsing is src/store/observed-files.ts (one
// parser for every observed format); this keeps the replay's stricter contract and its row type.
//
//   # comment lines start with #, blank lines are skipped
//   date,close,volume
//   2024-07-01,90.40,270000
//
// Every problem throws SIM_ERR_REPLAY naming the file, the line and the field; nothing half-loads.
import { readFileSync } from 'node:fs';
import { SimCode, SimError } from '../sim/errors.ts';
import { type ObservedCheck, parseObserved } from './observed-files.ts';

export interface ReplayRow {
  readonly date: string;
  readonly closeFen: number;
  readonly volumeT: number;
  /** 1-based line in the file. */
  readonly line: number;
}

export type ReplayCheck = ObservedCheck;

export const REPLAY_HEADER = 'date,close,volume';

/** "90.4" -> 9040 fen, exactly (no floating point). */
export function priceToFen(s: string): number | null {
  const m = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(s);
  if (m === null) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

export function parseReplayCsv(file: string, text: string, check: ReplayCheck): ReplayRow[] {
  const lines = text.split('\n');
  const head = lines.findIndex((raw) => {
    const l = raw.trim();
    return l !== '' && !l.startsWith('#');
  });
  if (head >= 0) {
    const l = lines[head]!.trim();
    if (l.replaceAll(' ', '') !== REPLAY_HEADER)
      throw new SimError(
        SimCode.Replay,
        `${file}: line ${head + 1}: the header ${REPLAY_HEADER} expected, got ${JSON.stringify(l)}`,
      );
  }
  const parsed = parseObserved(file, text, { check, blanks: 'refuse' });
  return parsed.days.map((d) => ({ date: d.date, closeFen: d.closeFen, volumeT: d.volumeT!, line: d.line }));
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
