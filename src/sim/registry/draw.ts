// Draws the synthetic entity registries from data/entities/populations.json, deterministically (seeded streams, no
// clock, no I/O). Per sector of a population, per entity:
//   size x ~ logNormal(0, sizeSigma), redrawn above sizeMaxZ standard deviations (no absurd giants);
//   relative intensity r ~ logNormal(0, intensitySigma);
//   each later year: x *= logNormal(0, sizeGrowthSigma), r *= logNormal(0, intensityDriftSigma).
// Verified emissions in year Y are thresholdT + k_Y * x, with k_Y chosen so the sector's emissions add up to its share
// of the published total (every entity stays above the inclusion threshold), apportioned to whole tonnes by largest
// remainder so the total is exact. Output = verified / (nominal intensity * r), whole units: the sector's intensity is
// common, r is the entity's own, so verified = output x intensity x r. The allocation benchmark of a sector in year Y
// is allocationRatio(Y) x (sector emissions / sector output) of year Y (of the last data year for a later year), so
// aggregate allocation / emissions equals the documented ratio; entities with r below the ratio end the year with a
// surplus, the others short.

import type { AllocationPlan } from '../../market/compliance/allocation.ts';
import { Rng } from '../rng.ts';
import { marketIdsOf, type Population, type Populations, type SectorParams } from './populations.ts';

/** One covered entity as stored in data/entities/<population>.csv (CoveredEntity without its ledger account). */
export interface EntityRow {
  id: string;
  name: string;
  sector: string;
  marketId: string;
  coveredFrom: number;
  coveredUntil: number | null;
  /** Output per year, whole units of the sector's output. */
  outputs: Record<number, number>;
  /** Verified emissions per year, whole tonnes CO2e. */
  verifiedT: Record<number, number>;
}

/**
 * Freezes each row's yearly records in place. A run's registry keeps a frozen record as it is (it cannot change) and
 * copies any other, so frozen rows cost no copies in every run of a process (a batch worker runs many).
 */
export function freezeYearly(rows: Iterable<EntityRow>): void {
  for (const r of rows) {
    Object.freeze(r.outputs);
    Object.freeze(r.verifiedT);
  }
}

/** data/allocation/<marketId>.json: the market's allocation plan with where it comes from. */
export interface AllocationFile extends AllocationPlan {
  readonly sources: readonly string[];
  readonly notes: readonly string[];
}

export interface DrawnRegistry {
  /** Entities per population id, in the order of populations.json. */
  readonly entities: ReadonlyMap<string, readonly EntityRow[]>;
  readonly plans: ReadonlyMap<string, AllocationFile>;
}

/** Splits `total` whole units in proportion to `weights` (largest remainder; ties to the lower index). */
export function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, w) => a + w, 0);
  const exact = weights.map((w) => (w / sum) * total);
  const out = exact.map(Math.floor);
  let left = total - out.reduce((a, v) => a + v, 0);
  const order = exact.map((e, i) => ({ i, frac: e - Math.floor(e) })).sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (let j = 0; left > 0; j = (j + 1) % order.length, left--) out[order[j]!.i]! += 1;
  return out;
}

/** round(a / b) for non-negative whole numbers, exact. */
function roundDiv(a: bigint, b: bigint): bigint {
  return (2n * a + b) / (2n * b);
}

const pad = (n: number): string => String(n).padStart(4, '0');

/** The sector's emissions target per year: the population's total split by emissionsShareBps (exact). */
function sectorTargets(pop: Population): Map<string, Record<number, number>> {
  const out = new Map<string, Record<number, number>>(pop.sectors.map((s) => [s.id, {}]));
  for (const y of pop.years) {
    const parts = apportion(
      pop.emissionsT[y]!,
      pop.sectors.map((s) => s.emissionsShareBps),
    );
    pop.sectors.forEach((s, i) => {
      out.get(s.id)![y] = parts[i]!;
    });
  }
  return out;
}

interface SectorDraw {
  /** Verified emissions per year per entity. */
  readonly verified: Map<number, number[]>;
  readonly outputs: Map<number, number[]>;
}

function drawSector(
  p: Populations,
  pop: Population,
  s: SectorParams,
  targets: Readonly<Record<number, number>>,
): SectorDraw {
  const key = `registry/${pop.id}/${s.id}`;
  const sizeRng = new Rng(p.seed, `${key}/size`);
  const rRng = new Rng(p.seed, `${key}/intensity`);
  let size: number[] = [];
  let r: number[] = [];
  for (let i = 0; i < s.entities; i++) {
    let z = sizeRng.normal();
    while (z > p.sizeMaxZ) z = sizeRng.normal();
    size.push(Math.exp(s.sizeSigma * z));
    r.push(rRng.logNormal(0, s.intensitySigma));
  }
  const verified = new Map<number, number[]>();
  const outputs = new Map<number, number[]>();
  const intensity = s.nominalIntensityUt / 1_000_000;
  pop.years.forEach((y, n) => {
    if (n > 0) {
      const g = new Rng(p.seed, `${key}/growth/${y}`);
      const d = new Rng(p.seed, `${key}/drift/${y}`);
      size = size.map((x) => x * g.logNormal(0, pop.sizeGrowthSigma));
      r = r.map((v) => v * d.logNormal(0, pop.intensityDriftSigma));
    }
    // thresholdT each, the rest in proportion to size: every entity stays at or above the threshold.
    const above = apportion(targets[y]! - s.entities * pop.thresholdT, size);
    const v = above.map((a) => a + pop.thresholdT);
    verified.set(y, v);
    outputs.set(
      y,
      v.map((t, i) => Math.max(1, Math.round(t / (intensity * r[i]!)))),
    );
  });
  return { verified, outputs };
}

/** Draws one population's entities (ids '<population>-0001' ..., sector by sector in the file's order). */
export function drawPopulation(p: Populations, pop: Population): EntityRow[] {
  const targets = sectorTargets(pop);
  const rows: EntityRow[] = [];
  for (const s of pop.sectors) {
    const d = drawSector(p, pop, s, targets.get(s.id)!);
    for (let i = 0; i < s.entities; i++) {
      const n = rows.length + 1;
      const outputs: Record<number, number> = {};
      const verifiedT: Record<number, number> = {};
      for (const y of pop.years) {
        outputs[y] = d.outputs.get(y)![i]!;
        verifiedT[y] = d.verified.get(y)![i]!;
      }
      rows.push({
        id: `${pop.id}-${pad(n)}`,
        name: `${pop.entityName} ${pad(n)}`,
        sector: s.id,
        marketId: pop.marketId,
        coveredFrom: pop.coveredFrom,
        coveredUntil: null,
        outputs,
        verifiedT,
      });
    }
  }
  return rows;
}

/** sector -> year -> benchmark (µt per unit) = allocationRatio(year) x sector emissions / sector output. */
export function deriveBenchmarks(pop: Population, rows: readonly EntityRow[]): Record<string, Record<number, number>> {
  const last = pop.years[pop.years.length - 1]!;
  const out: Record<string, Record<number, number>> = {};
  for (const s of pop.sectors) {
    const of = rows.filter((e) => e.sector === s.id);
    const bench: Record<number, number> = {};
    for (const [ys, bps] of Object.entries(pop.allocationRatioBps)) {
      const y = Number(ys);
      const dataYear = pop.years.includes(y) ? y : last;
      const v = of.reduce((a, e) => a + BigInt(e.verifiedT[dataYear]!), 0n);
      const o = of.reduce((a, e) => a + BigInt(e.outputs[dataYear]!), 0n);
      // tonnes/unit x 1e6 µt/t x bps / 1e4 = v x bps x 100 / o
      bench[y] = Number(roundDiv(v * BigInt(bps) * 100n, o));
    }
    out[s.id] = bench;
  }
  return out;
}

const HOW_NOTE =
  'Generated by `npx cets registry draw` from data/entities/populations.json (do not edit by hand): the benchmark of ' +
  'a sector in year Y is allocationRatioBps(Y) / 10,000 x the sector’s verified emissions / its output in Y (for a ' +
  'year after the last data year, the last data year’s), in micro-tonnes CO2e per unit of output, rounded; so the ' +
  'aggregate allocation / emissions equals the documented ratio. A sector in its first compliance year is allocated ' +
  'its verified emissions (firstYearSectors); its benchmark for that year is given for reference only.';

function dedupe(items: readonly string[]): string[] {
  return [...new Set(items)];
}

/** The market's allocation file, from its populations' benchmarks. */
export function allocationPlan(
  p: Populations,
  marketId: string,
  entities: ReadonlyMap<string, readonly EntityRow[]>,
): AllocationFile {
  const pops = p.populations.filter((x) => x.marketId === marketId);
  const benchmarksUt: Record<string, Record<number, number>> = {};
  const firstYearSectors: Record<string, number> = {};
  for (const pop of pops) {
    Object.assign(benchmarksUt, deriveBenchmarks(pop, entities.get(pop.id) ?? []));
    if (pop.firstComplianceYear !== null) for (const s of pop.sectors) firstYearSectors[s.id] = pop.firstComplianceYear;
  }
  return {
    benchmarksUt,
    firstYearSectors,
    sources: dedupe(pops.flatMap((x) => x.sources)),
    notes: [HOW_NOTE, ...dedupe(pops.flatMap((x) => x.notes))],
  };
}

/** Every population's entities and every market's allocation plan. */
export function drawRegistry(p: Populations): DrawnRegistry {
  const entities = new Map<string, EntityRow[]>();
  for (const pop of p.populations) entities.set(pop.id, drawPopulation(p, pop));
  const plans = new Map<string, AllocationFile>();
  for (const m of marketIdsOf(p)) plans.set(m, allocationPlan(p, m, entities));
  return { entities, plans };
}

/** The CSV header for the file's years. */
export function csvHeader(years: readonly number[]): string[] {
  return [
    'id',
    'name',
    'sector',
    'marketId',
    'coveredFrom',
    'coveredUntil',
    ...years.map((y) => `output${y}`),
    ...years.map((y) => `verified${y}T`),
  ];
}

/** data/entities/<population>.csv: a header and one line per entity, '\n' line ends; empty cell = no value. */
export function entitiesCsv(years: readonly number[], rows: readonly EntityRow[]): string {
  const cell = (v: number | undefined): string => (v === undefined ? '' : String(v));
  const lines = [csvHeader(years).join(',')];
  for (const e of rows)
    lines.push(
      [
        e.id,
        e.name,
        e.sector,
        e.marketId,
        String(e.coveredFrom),
        e.coveredUntil === null ? '' : String(e.coveredUntil),
        ...years.map((y) => cell(e.outputs[y])),
        ...years.map((y) => cell(e.verifiedT[y])),
      ].join(','),
    );
  return `${lines.join('\n')}\n`;
}

const LINE_WIDTH = 120;

/**
 * JSON laid out as the repository's formatter (Biome) lays it out: two-space indent, objects always one key per
 * line, arrays on one line when that fits in 120 columns, otherwise one item per line; '\n' at the end.
 */
export function formatJson(value: unknown): string {
  const fmt = (v: unknown, indent: string, prefixLen: number): string => {
    if (v === null || typeof v !== 'object') return JSON.stringify(v);
    const inner = `${indent}  `;
    if (Array.isArray(v)) {
      if (v.length === 0) return '[]';
      const flat = `[${v.map((x) => fmt(x, inner, 0)).join(', ')}]`;
      // prefix + flat + a trailing comma must fit
      if (!flat.includes('\n') && prefixLen + flat.length + 1 <= LINE_WIDTH) return flat;
      return `[\n${v.map((x) => `${inner}${fmt(x, inner, inner.length)}`).join(',\n')}\n${indent}]`;
    }
    const entries = Object.entries(v as Record<string, unknown>);
    if (entries.length === 0) return '{}';
    const body = entries.map(([k, x]) => {
      const head = `${inner}${JSON.stringify(k)}: `;
      return `${head}${fmt(x, inner, head.length)}`;
    });
    return `{\n${body.join(',\n')}\n${indent}}`;
  };
  return `${fmt(value, '', 0)}\n`;
}

/** data/allocation/<marketId>.json */
export function allocationJson(plan: AllocationFile): string {
  return formatJson({
    benchmarksUt: plan.benchmarksUt,
    firstYearSectors: plan.firstYearSectors,
    sources: plan.sources,
    notes: plan.notes,
  });
}

/** Every generated file, by path relative to the data folder ('entities/power.csv', 'allocation/national.json'). */
export function registryFiles(p: Populations, drawn: DrawnRegistry = drawRegistry(p)): Map<string, string> {
  const files = new Map<string, string>();
  for (const pop of p.populations)
    files.set(`entities/${pop.id}.csv`, entitiesCsv(p.years, drawn.entities.get(pop.id)!));
  for (const [m, plan] of drawn.plans) files.set(`allocation/${m}.json`, allocationJson(plan));
  return files;
}
