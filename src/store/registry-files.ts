// Reads the synthetic entity registries: data/entities/populations.json, data/entities/<population>.csv and
// data/allocation/<marketId>.json. The only file that does I/O for them; the draw itself is the pure
// src/sim/registry/draw.ts. Every field is validated; any problem throws SimError SIM_ERR_REGISTRY naming the file,
// the line (CSV) or path (JSON) and the field, so a bad file stops the start and nothing half-loads.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SimCode, SimError } from '../sim/errors.ts';
import { type AllocationFile, csvHeader, type EntityRow } from '../sim/registry/draw.ts';
import { type Population, type Populations, parsePopulations } from '../sim/registry/populations.ts';
import { DEFAULT_DATA_DIR } from './catalogue-files.ts';

export type { AllocationFile, EntityRow } from '../sim/registry/draw.ts';
export type { Population, Populations, SectorParams } from '../sim/registry/populations.ts';

export interface Registry {
  /** Every loaded entity, population by population in the order of populations.json, each file in its order. */
  readonly entities: readonly EntityRow[];
  /** marketId -> its allocation plan (with sources and notes). */
  readonly plans: Readonly<Record<string, AllocationFile>>;
  /** The whole populations.json (all populations, also those of markets not loaded). */
  readonly populations: Populations;
}

export { DEFAULT_DATA_DIR };
export const POPULATIONS_FILE = 'entities/populations.json';

function fail(message: string): never {
  throw new SimError(SimCode.Registry, message);
}

function readText(dataDir: string, rel: string): string {
  try {
    return readFileSync(join(dataDir, rel), 'utf8');
  } catch (e) {
    fail(`data/${rel}: a readable file expected (${(e as Error).message})`);
  }
}

function readJson(dataDir: string, rel: string): unknown {
  const text = readText(dataDir, rel);
  try {
    return JSON.parse(text);
  } catch (e) {
    fail(`data/${rel}: valid JSON expected: ${(e as Error).message}`);
  }
}

/** Reads and validates data/entities/populations.json. */
export function loadPopulations(dataDir: string = DEFAULT_DATA_DIR): Populations {
  return parsePopulations(`data/${POPULATIONS_FILE}`, readJson(dataDir, POPULATIONS_FILE));
}

const WHOLE = /^(0|[1-9]\d*)$/;
const YEAR = /^\d{4}$/;

/** Parses data/entities/<pop>.csv: the file's header, one entity per line, checked against the population. */
export function parseEntitiesCsv(file: string, text: string, years: readonly number[], pop: Population): EntityRow[] {
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines[lines.length - 1] === '') lines.pop();
  const header = csvHeader(years);
  if (lines[0] !== header.join(','))
    fail(`${file} line 1: header expected to be "${header.join(',')}", got "${lines[0] ?? ''}"`);
  const sectors = new Set(pop.sectors.map((s) => s.id));
  const idPattern = new RegExp(`^${pop.id}-\\d{4,}$`);
  const seen = new Set<string>();
  const rows: EntityRow[] = [];
  for (let n = 1; n < lines.length; n++) {
    const where = `${file} line ${n + 1}`;
    const cells = lines[n]!.split(',');
    if (cells.length !== header.length)
      fail(`${where}: ${header.length} comma-separated fields expected, got ${cells.length}`);
    const cell = (name: string): string => cells[header.indexOf(name)]!;
    function bad(name: string, expected: string): never {
      fail(`${where}: ${name} "${cell(name)}" ${expected}`);
    }
    const year = (name: string): number => {
      const v = cell(name);
      if (!YEAR.test(v) || Number(v) < 2005 || Number(v) > 2100) bad(name, 'is not a year 2005-2100');
      return Number(v);
    };
    const id = cell('id');
    if (!idPattern.test(id)) bad('id', `is not an id of the form ${pop.id}-0001`);
    if (seen.has(id)) bad('id', 'appears twice');
    seen.add(id);
    const name = cell('name');
    if (name.trim() === '') bad('name', 'is empty');
    const sector = cell('sector');
    if (!sectors.has(sector)) bad('sector', `is not a sector of population ${pop.id} (${[...sectors].join(', ')})`);
    if (cell('marketId') !== pop.marketId) bad('marketId', `is not ${pop.marketId}, the population's market`);
    const coveredFrom = year('coveredFrom');
    let coveredUntil: number | null = null;
    if (cell('coveredUntil') !== '') {
      coveredUntil = year('coveredUntil');
      if (coveredUntil < coveredFrom) bad('coveredUntil', `is before coveredFrom ${coveredFrom}`);
    }
    const outputs: Record<number, number> = {};
    const verifiedT: Record<number, number> = {};
    for (const y of years) {
      for (const [col, rec, unit] of [
        [`output${y}`, outputs, 'output units'],
        [`verified${y}T`, verifiedT, 'tonnes'],
      ] as const) {
        const v = cell(col);
        if (!pop.years.includes(y)) {
          if (v !== '') bad(col, `should be empty: population ${pop.id} has no ${y} data`);
          continue;
        }
        if (!WHOLE.test(v) || !Number.isSafeInteger(Number(v))) bad(col, `is not a whole number of ${unit}`);
        if (y < coveredFrom || (coveredUntil !== null && y > coveredUntil))
          bad(col, `is for ${y}, outside the entity's covered years`);
        rec[y] = Number(v);
      }
    }
    rows.push({ id, name, sector, marketId: pop.marketId, coveredFrom, coveredUntil, outputs, verifiedT });
  }
  if (rows.length !== pop.entities)
    fail(
      `${file}: ${rows.length} entities, populations.json says ${pop.entities} (run \`npx cets registry draw\` after changing populations.json)`,
    );
  for (const y of pop.years) {
    const total = rows.reduce((a, e) => a + (e.verifiedT[y] ?? 0), 0);
    if (total !== pop.emissionsT[y])
      fail(
        `${file}: verified${y}T adds up to ${total} t, populations.json says ${pop.emissionsT[y]} t (run \`npx cets registry draw\`)`,
      );
  }
  return rows;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Parses data/allocation/<marketId>.json and checks it covers the market's populations. */
export function parseAllocation(file: string, json: unknown, pops: readonly Population[]): AllocationFile {
  function at(path: string, message: string): never {
    fail(`${file}: ${path}: ${message}`);
  }
  if (!isObj(json)) at('(top level)', 'expected an object');
  const keys = ['benchmarksUt', 'firstYearSectors', 'sources', 'notes'];
  for (const k of Object.keys(json)) if (!keys.includes(k)) at(k, 'unknown field');
  for (const k of keys) if (!Object.hasOwn(json, k)) at(k, 'missing field');
  const b = json['benchmarksUt'];
  if (!isObj(b)) at('benchmarksUt', 'expected an object of sector -> year -> micro-tonnes per unit');
  const benchmarksUt: Record<string, Record<number, number>> = {};
  for (const [sector, byYear] of Object.entries(b)) {
    if (!isObj(byYear)) at(`benchmarksUt.${sector}`, 'expected an object of year -> micro-tonnes per unit');
    const rec: Record<number, number> = {};
    for (const [y, v] of Object.entries(byYear)) {
      if (!YEAR.test(y)) at(`benchmarksUt.${sector}.${y}`, 'expected a year as key');
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0)
        at(`benchmarksUt.${sector}.${y}`, `expected positive whole micro-tonnes per unit, got ${JSON.stringify(v)}`);
      rec[Number(y)] = v;
    }
    benchmarksUt[sector] = rec;
  }
  const f = json['firstYearSectors'];
  if (!isObj(f)) at('firstYearSectors', 'expected an object of sector -> year');
  const firstYearSectors: Record<string, number> = {};
  for (const [sector, y] of Object.entries(f)) {
    if (typeof y !== 'number' || !Number.isInteger(y) || y < 2005 || y > 2100)
      at(`firstYearSectors.${sector}`, `expected a year, got ${JSON.stringify(y)}`);
    firstYearSectors[sector] = y;
  }
  const strings = (k: string): string[] => {
    const v = json[k];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) at(k, 'expected an array of text');
    return v as string[];
  };
  const sources = strings('sources');
  const notes = strings('notes');
  for (const pop of pops)
    for (const s of pop.sectors) {
      for (const y of pop.years)
        if (pop.firstComplianceYear !== y && benchmarksUt[s.id]?.[y] === undefined)
          at(`benchmarksUt.${s.id}.${y}`, `missing: population ${pop.id} has ${y} data to allocate on`);
      if (pop.firstComplianceYear !== null && firstYearSectors[s.id] !== pop.firstComplianceYear)
        at(`firstYearSectors.${s.id}`, `expected ${pop.firstComplianceYear}, population ${pop.id}'s first year`);
    }
  return { benchmarksUt, firstYearSectors, sources, notes };
}

/**
 * Loads, validates and returns the registry; `marketIds` restricts it to those markets' populations and plans
 * (an id no population has is an error). `dataDir` defaults to the repository's data/ folder.
 */
export function loadRegistry(dataDir: string = DEFAULT_DATA_DIR, marketIds?: readonly string[]): Registry {
  const populations = loadPopulations(dataDir);
  const known = new Set(populations.populations.map((p) => p.marketId));
  for (const m of marketIds ?? [])
    if (!known.has(m))
      fail(`data/${POPULATIONS_FILE}: no population of market "${m}" (known: ${[...known].join(', ')})`);
  const wanted = (m: string): boolean => marketIds === undefined || marketIds.includes(m);
  const entities: EntityRow[] = [];
  for (const pop of populations.populations) {
    if (!wanted(pop.marketId)) continue;
    const rel = `entities/${pop.id}.csv`;
    entities.push(...parseEntitiesCsv(`data/${rel}`, readText(dataDir, rel), populations.years, pop));
  }
  const plans: Record<string, AllocationFile> = {};
  for (const m of known) {
    if (!wanted(m)) continue;
    const rel = `allocation/${m}.json`;
    const pops = populations.populations.filter((p) => p.marketId === m);
    plans[m] = parseAllocation(`data/${rel}`, readJson(dataDir, rel), pops);
  }
  return { entities, plans, populations };
}

/** The committed text of a generated file (path relative to the data folder), or null when it does not exist. */
export function readGenerated(dataDir: string, rel: string): string | null {
  try {
    return readFileSync(join(dataDir, rel), 'utf8');
  } catch {
    return null;
  }
}

/** Writes generated files (path relative to the data folder -> text). */
export function writeGenerated(dataDir: string, files: ReadonlyMap<string, string>): void {
  for (const [rel, text] of files) {
    const path = join(dataDir, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
}
