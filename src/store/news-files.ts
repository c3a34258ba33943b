// news.csv: the news a replay inferred (src/sim/replay/infer.ts), one row per trading day of the period:
//
//   date,market,shockT,newsT,givenClose,simulatedClose
//   2024-07-01,national,-5078520,-5078520,90.40,90.41
//
// shockT: the day's news, the change of the expected shortage over the horizon, whole tonnes (negative: the market
// looks longer); newsT: the sum so far; givenClose: the file's close (blank on a day it leaves out); simulatedClose:
// the seeds' mean close. `cets replay --news news.csv` reads date, market and shockT back into news events (the rest
// is for people), so a counterfactual runs with exactly the news of the replay.
import { readFileSync } from 'node:fs';
import { SimCode, SimError } from '../sim/errors.ts';
import type { NewsEvent } from '../sim/replay/infer.ts';

export interface NewsRow {
  readonly date: string;
  readonly market: string;
  readonly shockT: number;
  readonly newsT: number;
  readonly givenClose: number | null;
  readonly simulatedClose: number | null;
}

export const NEWS_HEADER = 'date,market,shockT,newsT,givenClose,simulatedClose';

const cny = (x: number | null): string => (x === null ? '' : x.toFixed(2));

export function newsCsv(rows: readonly NewsRow[]): string {
  const lines = [NEWS_HEADER];
  for (const r of rows)
    lines.push([r.date, r.market, r.shockT, r.newsT, cny(r.givenClose), cny(r.simulatedClose)].join(','));
  return `${lines.join('\n')}\n`;
}

/** The news events of a news.csv: one per row with a non-zero shock, in the file's order (dates must increase). */
export function parseNewsCsv(file: string, text: string, isTradingDay: (date: string) => boolean): NewsEvent[] {
  const fail = (line: number, message: string): never => {
    throw new SimError(SimCode.Replay, `${file}: line ${line}: ${message}`);
  };
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if ((lines[0] ?? '').trim() !== NEWS_HEADER)
    fail(1, `the header ${NEWS_HEADER} expected (a news.csv of cets replay)`);
  const out: NewsEvent[] = [];
  let prev = '';
  let sum = 0;
  lines.slice(1).forEach((raw, i) => {
    const n = i + 2;
    if (raw.trim() === '') return;
    const [date = '', market = '', shock = '', news = ''] = raw.split(',').map((c) => c.trim());
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !isTradingDay(date))
      fail(n, `date: a trading day expected, got "${date}"`);
    if (date <= prev) fail(n, `date: ${date} is not after ${prev}: dates must be in order, each once`);
    prev = date;
    if (!/^[a-z][a-z0-9-]*$/.test(market)) fail(n, `market: a market id expected, got "${market}"`);
    if (!/^-?(0|[1-9]\d*)$/.test(shock) || !Number.isSafeInteger(Number(shock)))
      fail(n, `shockT: whole tonnes expected, got "${shock}"`);
    sum += Number(shock);
    if (news !== '' && Number(news) !== sum)
      fail(n, `newsT: ${news} is not the sum of the shocks so far (${sum}): the file was changed by hand?`);
    if (Number(shock) !== 0) out.push({ date, kind: 'news', market, shortageT: Number(shock) });
  });
  return out;
}

export function loadNewsCsv(path: string, isTradingDay: (date: string) => boolean): NewsEvent[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new SimError(SimCode.Replay, `${path}: a readable news.csv expected (${(e as Error).message})`);
  }
  return parseNewsCsv(path, text, isTradingDay);
}
