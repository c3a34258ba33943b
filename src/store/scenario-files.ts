// Loads what a run needs from disk: a scenario (by id from scenarios/, or by path), the catalogue, the registry of
// the scenario's markets, and figure files. The only place a scenario is read; validation is the pure parse.ts.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { TradingCalendar } from '../market/calendar.ts';
import { SimCode, SimError } from '../sim/errors.ts';
import { type FiguresFile, parseFigures } from '../sim/figures.ts';
import { freezeYearly } from '../sim/registry/draw.ts';
import type { RunContext } from '../sim/run.ts';
import { parseScenario } from '../sim/scenario/parse.ts';
import type { Scenario } from '../sim/scenario/schema.ts';
import { loadAbatement } from './abatement-files.ts';
import { DEFAULT_DATA_DIR, loadCatalogue } from './catalogue-files.ts';
import { loadPopulations, loadRegistry } from './registry-files.ts';

export const ROOT_DIR = join(import.meta.dirname, '../..');
export const SCENARIO_DIR = join(ROOT_DIR, 'scenarios');

export interface LoadedScenario {
  readonly scenario: Scenario;
  /** As shown in messages: scenarios/q3-2024.json */
  readonly file: string;
}

export function version(): string {
  const pkg = JSON.parse(readFileSync(join(ROOT_DIR, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** sha256 of the scenario's canonical JSON (as run, overrides included). */
export function scenarioHash(s: Scenario): string {
  return createHash('sha256').update(JSON.stringify(s)).digest('hex');
}

export function scenarioPath(nameOrPath: string): string {
  if (nameOrPath.endsWith('.json') || nameOrPath.includes('/')) return nameOrPath;
  return join(SCENARIO_DIR, `${nameOrPath}.json`);
}

export function loadScenario(nameOrPath: string, ctx: Pick<RunContext, 'markets' | 'calendar'>): LoadedScenario {
  const path = scenarioPath(nameOrPath);
  const file = relative(process.cwd(), path) || path;
  if (!existsSync(path)) {
    throw new SimError(SimCode.Args, `no scenario "${nameOrPath}" (looked for ${file}); ${listHint()}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new SimError(SimCode.Scenario, `${file}: not valid JSON: ${(e as Error).message}`);
  }
  const cal = ctx.calendar;
  return {
    scenario: parseScenario(file, json, { markets: ctx.markets, isTradingDay: (d) => cal.isTradingDay(d) }),
    file,
  };
}

function listHint(): string {
  return 'the shipped ones are q3-2024, expansion-2024, no-expansion, deadline-2024, national-2025, ccer-restart, classroom';
}

/** Catalogue, calendar and the registry of the given markets (all when omitted). */
export function loadRunContext(marketIds?: readonly string[], dataDir = DEFAULT_DATA_DIR): RunContext {
  const cat = loadCatalogue(dataDir);
  const known = new Set(loadPopulations(dataDir).populations.map((p) => p.marketId));
  const reg = loadRegistry(
    dataDir,
    marketIds?.filter((id) => known.has(id)),
  );
  // Shared by every run of this process: frozen, the rows' yearly records are kept by each run's registry as they are.
  freezeYearly(reg.entities);
  return {
    markets: cat.markets,
    calendar: new TradingCalendar(cat.calendar),
    entities: reg.entities,
    plans: reg.plans,
    abatement: loadAbatement(dataDir),
    version: version(),
  };
}

export function loadFigures(name: string, dataDir = DEFAULT_DATA_DIR): FiguresFile {
  const path = join(dataDir, 'figures', `${name}.json`);
  if (!existsSync(path))
    throw new SimError(SimCode.Args, `no published figures for "${name}" (looked for data/figures/${name}.json)`);
  return parseFigures(`data/figures/${name}.json`, JSON.parse(readFileSync(path, 'utf8')));
}
