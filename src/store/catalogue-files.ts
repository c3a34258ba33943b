// Reads the market catalogue from data/: every data/markets/*.json (in name order) and
// data/calendar/cn-holidays.json. The only file that does I/O for the catalogue; validation itself is the pure
// parse.ts. Any problem (unreadable file, JSON syntax, schema, cross-file reference) throws a MarketError
// MKT_ERR_CATALOGUE naming the file, so a bad file stops the start and nothing half-loads.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CalendarData, checkCatalogue, parseCalendar, parseMarketSpec } from '../market/catalogue/parse.ts';
import type { MarketSpec } from '../market/catalogue/schema.ts';
import { MarketError } from '../market/errors.ts';

export interface Catalogue {
  /** Sorted by file name, which is the market id. */
  readonly markets: readonly MarketSpec[];
  readonly calendar: CalendarData;
}

export const DEFAULT_DATA_DIR = join(import.meta.dirname, '../../data');
export const CALENDAR_FILE = 'calendar/cn-holidays.json';

function fail(file: string, message: string): never {
  throw new MarketError('MKT_ERR_CATALOGUE', `${file}: ${message}`);
}

/** Line and column (1-based) of a character offset, for JSON syntax errors. */
function lineCol(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return `line ${line}, column ${offset - before.lastIndexOf('\n')}`;
}

function readJson(path: string, file: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    fail(file, `(top level): a readable file expected (${(e as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const pos = /position (\d+)/.exec(msg);
    const where = pos === null ? '' : ` at ${lineCol(text, Number(pos[1]))}`;
    fail(file, `(top level): valid JSON expected, syntax error${where}: ${msg}`);
  }
}

/** Loads, validates and freezes the catalogue. `dataDir` defaults to the repository's data/ folder. */
export function loadCatalogue(dataDir: string = DEFAULT_DATA_DIR): Catalogue {
  const marketsDir = join(dataDir, 'markets');
  let names: string[];
  try {
    names = readdirSync(marketsDir)
      .filter((n) => n.endsWith('.json'))
      .sort();
  } catch (e) {
    fail('data/markets', `a folder of market files expected (${(e as Error).message})`);
  }
  if (names.length === 0) fail('data/markets', 'at least one market file (*.json) expected, found none');
  const markets = names.map((name) => {
    const file = `data/markets/${name}`;
    const spec = parseMarketSpec(file, readJson(join(marketsDir, name), file));
    // checkCatalogue names a market's file after its id, so keep the two the same.
    if (`${spec.id}.json` !== name)
      fail(file, `/id: the file's name without .json ("${name.slice(0, -5)}"), got "${spec.id}"`);
    return spec;
  });
  checkCatalogue(markets);
  const calFile = `data/${CALENDAR_FILE}`;
  const calendar = parseCalendar(calFile, readJson(join(dataDir, CALENDAR_FILE), calFile));
  return Object.freeze({ markets: Object.freeze(markets), calendar });
}

/** The market with this id, or undefined. */
export function marketById(catalogue: Catalogue, id: string): MarketSpec | undefined {
  return catalogue.markets.find((m) => m.id === id);
}
