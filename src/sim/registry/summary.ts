// What a registry adds up to, per population and year: entities, verified emissions against the target, allocation
// under the market's plan (benchmark x output, rounded down per entity as the compliance rules do; verified emissions
// in a first compliance year) and how many entities end the year with a surplus or a shortfall.

import { type AllocationPlan, benchmarkAllocationT } from '../../market/compliance/allocation.ts';
import type { EntityRow } from './draw.ts';
import type { Population } from './populations.ts';

export interface YearSummary {
  readonly populationId: string;
  readonly marketId: string;
  readonly year: number;
  readonly entities: number;
  readonly targetEntities: number;
  readonly verifiedT: number;
  readonly targetT: number;
  readonly allocatedT: number;
  /** allocatedT / verifiedT */
  readonly ratio: number;
  /** The documented allocation / emissions ratio for the year (1 in a first compliance year). */
  readonly targetRatio: number;
  /** Entities allocated more than they emitted. */
  readonly surplus: number;
  /** Entities allocated less than they emitted. */
  readonly shortfall: number;
  readonly smallestT: number;
  readonly largestT: number;
  /** Entities emitting less than the population's threshold. */
  readonly belowThreshold: number;
}

/** One entity's allocation for `year` under `plan` (null: the plan has no benchmark or the entity no output). */
export function entityAllocationT(plan: AllocationPlan, e: EntityRow, year: number): number | null {
  if (plan.firstYearSectors[e.sector] === year) return e.verifiedT[year] ?? null;
  const b = plan.benchmarksUt[e.sector]?.[year];
  const o = e.outputs[year];
  return b === undefined || o === undefined ? null : benchmarkAllocationT(o, b);
}

export function summarize(pop: Population, rows: readonly EntityRow[], plan: AllocationPlan): YearSummary[] {
  return pop.years.map((year) => {
    let verifiedT = 0;
    let allocatedT = 0;
    let surplus = 0;
    let shortfall = 0;
    let smallestT = Number.POSITIVE_INFINITY;
    let largestT = 0;
    let belowThreshold = 0;
    let entities = 0;
    for (const e of rows) {
      const v = e.verifiedT[year];
      if (v === undefined) continue;
      entities++;
      const a = entityAllocationT(plan, e, year) ?? 0;
      verifiedT += v;
      allocatedT += a;
      if (a > v) surplus++;
      else if (a < v) shortfall++;
      smallestT = Math.min(smallestT, v);
      largestT = Math.max(largestT, v);
      if (v < pop.thresholdT) belowThreshold++;
    }
    const firstYear = pop.firstComplianceYear === year;
    return {
      populationId: pop.id,
      marketId: pop.marketId,
      year,
      entities,
      targetEntities: pop.entities,
      verifiedT,
      targetT: pop.emissionsT[year] ?? 0,
      allocatedT,
      ratio: verifiedT === 0 ? 0 : allocatedT / verifiedT,
      targetRatio: firstYear ? 1 : (pop.allocationRatioBps[year] ?? 0) / 10_000,
      surplus,
      shortfall,
      smallestT: entities === 0 ? 0 : smallestT,
      largestT,
      belowThreshold,
    };
  });
}
