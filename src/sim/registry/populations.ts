// The parameters of the synthetic entity registries (data/entities/populations.json): per population (national power,
// cement, steel, aluminium, and each pilot) the published or assumed targets (entity count, verified emissions per
// year, allocation/emissions ratio per year) and the distribution parameters the draw uses. Pure validation: a bad
// field throws SimError SIM_ERR_REGISTRY naming the file and the field path.

import { SimCode, SimError } from '../errors.ts';

export interface SectorParams {
  /** Sector id, a key of the market's allocation plan ('power', 'cement', 'industry' ...). */
  readonly id: string;
  /** Unit of output, for people: 'MWh', 't clinker', 't crude steel', 't aluminium', 'unit'. */
  readonly outputUnit: string;
  /** The sector's typical intensity, micro-tonnes CO2e per unit of output; sets the scale of output only. */
  readonly nominalIntensityUt: number;
  /** Entities of the sector; the sectors of a population add up to its `entities`. */
  readonly entities: number;
  /** The sector's share of the population's emissions, basis points; the sectors add up to 10,000. */
  readonly emissionsShareBps: number;
  /** Standard deviation of log(size), size being an entity's emissions above the threshold. */
  readonly sizeSigma: number;
  /** Standard deviation of log(r), r being an entity's intensity relative to its sector's. */
  readonly intensitySigma: number;
}

export interface Population {
  /** File name (data/entities/<id>.csv) and id prefix ('power' -> 'power-0001'). */
  readonly id: string;
  readonly marketId: string;
  /** Entity names are '<entityName> 0001' ... */
  readonly entityName: string;
  /** First emission year the registry covers the population for. */
  readonly coveredFrom: number;
  /** The population's first compliance year, allocated equal to verified emissions (null: none in the registry). */
  readonly firstComplianceYear: number | null;
  /** Years with output and verified emissions, ascending. */
  readonly years: readonly number[];
  /** Number of entities (the same every year). */
  readonly entities: number;
  /** Verified emissions per year, whole tonnes: the total the draw is rescaled to. */
  readonly emissionsT: Readonly<Record<number, number>>;
  /** Inclusion threshold, tonnes a year: every entity emits at least this much in every year. */
  readonly thresholdT: number;
  /** Aggregate allocation / verified emissions per benchmark year, basis points; gives the benchmarks. */
  readonly allocationRatioBps: Readonly<Record<number, number>>;
  /** Standard deviation of the yearly log change of an entity's size. */
  readonly sizeGrowthSigma: number;
  /** Standard deviation of the yearly log change of an entity's relative intensity r. */
  readonly intensityDriftSigma: number;
  readonly sectors: readonly SectorParams[];
  readonly sources: readonly string[];
  readonly notes: readonly string[];
}

export interface Populations {
  /** Seed of every draw; each sector draws from its own streams keyed 'registry/<population>/<sector>/...'. */
  readonly seed: number;
  /** Years with a column in the CSV files (output<Y>, verified<Y>T), ascending. */
  readonly years: readonly number[];
  /** Size draws beyond this many standard deviations above the mean of log(size) are drawn again. */
  readonly sizeMaxZ: number;
  readonly populations: readonly Population[];
  readonly sources: readonly string[];
  readonly notes: readonly string[];
}

const MIN_YEAR = 2005;
const MAX_YEAR = 2100;
const ID = /^[a-z][a-z0-9-]*$/;

type Obj = Record<string, unknown>;

class Checker {
  private readonly file: string;
  constructor(file: string) {
    this.file = file;
  }

  fail(path: string, message: string): never {
    throw new SimError(SimCode.Registry, `${this.file}: ${path}: ${message}`);
  }

  obj(v: unknown, path: string, keys: readonly string[]): Obj {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail(path, 'expected an object');
    const o = v as Obj;
    for (const k of Object.keys(o)) if (!keys.includes(k)) this.fail(`${path}.${k}`, 'unknown field');
    for (const k of keys) if (!Object.hasOwn(o, k)) this.fail(`${path}.${k}`, 'missing field');
    return o;
  }

  text(v: unknown, path: string): string {
    if (typeof v !== 'string' || v.trim().length === 0 || v.includes(',') || /[\r\n]/.test(v))
      this.fail(path, `expected non-empty text without commas or line breaks, got ${JSON.stringify(v)}`);
    return v;
  }

  id(v: unknown, path: string): string {
    if (typeof v !== 'string' || !ID.test(v))
      this.fail(path, `expected an id of lower-case letters, digits and '-', got ${JSON.stringify(v)}`);
    return v;
  }

  int(v: unknown, path: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max)
      this.fail(path, `expected a whole number ${min}-${max}, got ${JSON.stringify(v)}`);
    return v;
  }

  real(v: unknown, path: string, min: number, max: number): number {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max)
      this.fail(path, `expected a number ${min}-${max}, got ${JSON.stringify(v)}`);
    return v;
  }

  year(v: unknown, path: string): number {
    return this.int(v, path, MIN_YEAR, MAX_YEAR);
  }

  list<T>(v: unknown, path: string, item: (x: unknown, p: string) => T, minLength = 0): T[] {
    if (!Array.isArray(v)) this.fail(path, 'expected an array');
    if (v.length < minLength) this.fail(path, `expected at least ${minLength} item(s)`);
    return v.map((x, i) => item(x, `${path}[${i}]`));
  }

  strings(v: unknown, path: string): string[] {
    return this.list(v, path, (x, p) => {
      if (typeof x !== 'string' || x.trim().length === 0) this.fail(p, 'expected non-empty text');
      return x;
    });
  }

  years(v: unknown, path: string): number[] {
    const ys = this.list(v, path, (x, p) => this.year(x, p), 1);
    for (let i = 1; i < ys.length; i++) if (ys[i]! <= ys[i - 1]!) this.fail(path, 'expected years in ascending order');
    return ys;
  }

  /** { "2023": n, ... } with keys years in ascending order. */
  byYear(v: unknown, path: string, value: (x: unknown, p: string) => number): Record<number, number> {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail(path, 'expected an object of year -> value');
    const out: Record<number, number> = {};
    let last = 0;
    for (const [k, x] of Object.entries(v as Obj)) {
      if (!/^\d{4}$/.test(k)) this.fail(`${path}.${k}`, 'expected a year as key');
      const y = this.year(Number(k), `${path}.${k}`);
      if (y <= last) this.fail(path, 'expected years in ascending order');
      last = y;
      out[y] = value(x, `${path}.${k}`);
    }
    if (last === 0) this.fail(path, 'expected at least one year');
    return out;
  }
}

const SECTOR_KEYS = [
  'id',
  'outputUnit',
  'nominalIntensityUt',
  'entities',
  'emissionsShareBps',
  'sizeSigma',
  'intensitySigma',
] as const;
const POPULATION_KEYS = [
  'id',
  'marketId',
  'entityName',
  'coveredFrom',
  'firstComplianceYear',
  'years',
  'entities',
  'emissionsT',
  'thresholdT',
  'allocationRatioBps',
  'sizeGrowthSigma',
  'intensityDriftSigma',
  'sectors',
  'sources',
  'notes',
] as const;
const TOP_KEYS = ['seed', 'years', 'sizeMaxZ', 'populations', 'sources', 'notes'] as const;

function parseSector(c: Checker, v: unknown, path: string): SectorParams {
  const o = c.obj(v, path, SECTOR_KEYS);
  return {
    id: c.id(o['id'], `${path}.id`),
    outputUnit: c.text(o['outputUnit'], `${path}.outputUnit`),
    nominalIntensityUt: c.int(o['nominalIntensityUt'], `${path}.nominalIntensityUt`, 1, 100_000_000),
    entities: c.int(o['entities'], `${path}.entities`, 1, 9999),
    emissionsShareBps: c.int(o['emissionsShareBps'], `${path}.emissionsShareBps`, 1, 10_000),
    sizeSigma: c.real(o['sizeSigma'], `${path}.sizeSigma`, 0, 3),
    intensitySigma: c.real(o['intensitySigma'], `${path}.intensitySigma`, 0, 0.5),
  };
}

function parsePopulation(c: Checker, v: unknown, path: string, allYears: readonly number[]): Population {
  const o = c.obj(v, path, POPULATION_KEYS);
  const coveredFrom = c.year(o['coveredFrom'], `${path}.coveredFrom`);
  const first =
    o['firstComplianceYear'] === null ? null : c.year(o['firstComplianceYear'], `${path}.firstComplianceYear`);
  const years = c.years(o['years'], `${path}.years`);
  for (const y of years) {
    if (!allYears.includes(y)) c.fail(`${path}.years`, `${y} is not one of the file's years (${allYears.join(', ')})`);
    if (y < coveredFrom) c.fail(`${path}.years`, `${y} is before coveredFrom ${coveredFrom}`);
  }
  if (first !== null && !years.includes(first))
    c.fail(`${path}.firstComplianceYear`, `${first} must be one of the population's years (${years.join(', ')})`);
  const entities = c.int(o['entities'], `${path}.entities`, 1, 9999);
  const thresholdT = c.int(o['thresholdT'], `${path}.thresholdT`, 0);
  const sectors = c.list(o['sectors'], `${path}.sectors`, (x, p) => parseSector(c, x, p), 1);
  const seen = new Set<string>();
  for (const [i, s] of sectors.entries()) {
    if (seen.has(s.id)) c.fail(`${path}.sectors[${i}].id`, `sector ${s.id} appears twice`);
    seen.add(s.id);
  }
  const nEntities = sectors.reduce((a, s) => a + s.entities, 0);
  if (nEntities !== entities) c.fail(`${path}.sectors`, `sector entities add up to ${nEntities}, not ${entities}`);
  const shares = sectors.reduce((a, s) => a + s.emissionsShareBps, 0);
  if (shares !== 10_000) c.fail(`${path}.sectors`, `emissionsShareBps add up to ${shares}, not 10000`);
  const emissionsT = c.byYear(o['emissionsT'], `${path}.emissionsT`, (x, p) => c.int(x, p, 1));
  const ey = Object.keys(emissionsT).map(Number);
  if (ey.join() !== years.join()) c.fail(`${path}.emissionsT`, `expected exactly the years ${years.join(', ')}`);
  for (const y of years) {
    // Every entity emits at least the threshold: each sector's share must leave room above it.
    for (const s of sectors) {
      const share = (emissionsT[y]! * s.emissionsShareBps) / 10_000;
      if (share <= s.entities * thresholdT)
        c.fail(
          `${path}.emissionsT.${y}`,
          `sector ${s.id}'s share (${Math.floor(share)} t) does not exceed ${s.entities} entities x threshold ${thresholdT} t`,
        );
    }
  }
  const allocationRatioBps = c.byYear(o['allocationRatioBps'], `${path}.allocationRatioBps`, (x, p) =>
    c.int(x, p, 1, 20_000),
  );
  const lastYear = years[years.length - 1]!;
  for (const y of Object.keys(allocationRatioBps).map(Number))
    if (!years.includes(y) && y <= lastYear)
      c.fail(
        `${path}.allocationRatioBps.${y}`,
        `a benchmark year must be a data year (${years.join(', ')}) or after the last one`,
      );
  return {
    id: c.id(o['id'], `${path}.id`),
    marketId: c.id(o['marketId'], `${path}.marketId`),
    entityName: c.text(o['entityName'], `${path}.entityName`),
    coveredFrom,
    firstComplianceYear: first,
    years,
    entities,
    emissionsT,
    thresholdT,
    allocationRatioBps,
    sizeGrowthSigma: c.real(o['sizeGrowthSigma'], `${path}.sizeGrowthSigma`, 0, 1),
    intensityDriftSigma: c.real(o['intensityDriftSigma'], `${path}.intensityDriftSigma`, 0, 0.5),
    sectors,
    sources: c.strings(o['sources'], `${path}.sources`),
    notes: c.strings(o['notes'], `${path}.notes`),
  };
}

/** Validates the parsed JSON of data/entities/populations.json; `file` names it in error messages. */
export function parsePopulations(file: string, json: unknown): Populations {
  const c = new Checker(file);
  const o = c.obj(json, '(top level)', TOP_KEYS);
  const years = c.years(o['years'], 'years');
  const populations = c.list(o['populations'], 'populations', (x, p) => parsePopulation(c, x, p, years), 1);
  const ids = new Set<string>();
  const sectorsOf = new Map<string, Set<string>>();
  for (const [i, p] of populations.entries()) {
    if (ids.has(p.id)) c.fail(`populations[${i}].id`, `population ${p.id} appears twice`);
    ids.add(p.id);
    const inMarket = sectorsOf.get(p.marketId) ?? new Set<string>();
    for (const s of p.sectors)
      if (inMarket.has(s.id))
        c.fail(`populations[${i}].sectors`, `sector ${s.id} is already used by another population of ${p.marketId}`);
      else inMarket.add(s.id);
    sectorsOf.set(p.marketId, inMarket);
  }
  return {
    seed: c.int(o['seed'], 'seed', 0, 0xffffffff),
    years,
    sizeMaxZ: c.real(o['sizeMaxZ'], 'sizeMaxZ', 1, 10),
    populations,
    sources: c.strings(o['sources'], 'sources'),
    notes: c.strings(o['notes'], 'notes'),
  };
}

/** The market ids of the populations, in first-appearance order. */
export function marketIdsOf(p: Populations): string[] {
  return [...new Set(p.populations.map((x) => x.marketId))];
}
