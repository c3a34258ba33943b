// A market's outlook at the start of a run, from the registry and the allocation plan (what the ministry has
// published: verified emissions and output, benchmarks): per sector of the market's registry, business-as-usual
// emissions and free allocation for every year from the first data year to the end of the agents' horizon.
// Beyond the data, emissions grow at the sector's baseline growth (data/abatement) and allocation follows the last
// published benchmark on the grown output. A sector the scenario covers weighs 1; the others 0 until news of their
// coverage (coverage-plan events) gives them the credibility of the news.

import type { AllocationPlan } from '../../market/compliance/index.ts';
import { SimCode, SimError } from '../errors.ts';
import type { EntityRow } from '../registry/draw.ts';
import type { AbatementData, SectorMac } from './mac.ts';
import type { SectorPath } from './outlook.ts';

export function macOf(data: AbatementData, sector: string): SectorMac {
  const m = data.sectors[sector];
  if (m === undefined)
    throw new SimError(
      SimCode.Unsupported,
      `no abatement cost curve for sector "${sector}" in data/abatement/sectors.json`,
    );
  return m;
}

export function sectorPaths(
  rows: readonly EntityRow[],
  plan: AllocationPlan,
  data: AbatementData,
  covered: readonly string[],
  lastYear: number,
): SectorPath[] {
  const bySector = new Map<string, EntityRow[]>();
  for (const r of rows) {
    const l = bySector.get(r.sector);
    if (l === undefined) bySector.set(r.sector, [r]);
    else l.push(r);
  }
  const scale = (plan.scaleBps ?? 10_000) / 10_000;
  const paths: SectorPath[] = [];
  for (const [sector, list] of [...bySector].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const mac = macOf(data, sector);
    const growth = 1 + mac.baselineGrowthBpsPerYear / 10_000;
    const dataYears = [...new Set(list.flatMap((r) => Object.keys(r.verifiedT).map(Number)))].sort((a, b) => a - b);
    if (dataYears.length === 0) continue;
    const first = dataYears[0]!;
    const last = dataYears[dataYears.length - 1]!;
    const bauT = new Map<number, number>();
    const allocT = new Map<number, number>();
    const matchedYears = new Set<number>();
    const benchmarks = plan.benchmarksUt[sector] ?? {};
    const benchmarkFor = (y: number): number | null => {
      for (let k = y; k >= first; k--) if (benchmarks[k] !== undefined) return benchmarks[k]!;
      return null;
    };
    for (let y = first; y <= Math.max(last, lastYear); y++) {
      const dy = Math.min(y, last);
      const grown = growth ** (y - dy);
      let bau = 0;
      let alloc = 0;
      const b = benchmarkFor(y);
      for (const r of list) {
        const v = r.verifiedT[dy];
        const out = r.outputs[dy];
        if (v === undefined) continue;
        bau += v * grown;
        if (plan.firstYearSectors[sector] === y) {
          alloc += v * grown;
          matchedYears.add(y);
        } else if (b !== null && out !== undefined) alloc += ((out * b) / 1_000_000) * grown;
      }
      bauT.set(y, bau);
      allocT.set(y, alloc * scale);
    }
    const w = covered.includes(sector) ? 1 : 0;
    const weight = new Map<number, number>();
    for (const y of bauT.keys()) weight.set(y, w);
    paths.push({ id: sector, mac, bauT, allocT, weight, matchedYears });
  }
  return paths;
}
