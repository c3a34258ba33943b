// Compliance reports: per entity (obligation, allocation, what it surrendered, shortfall, fine) and aggregated per
// sector and per market. Plain objects of integers: tonnes, fen, rates in basis points rounded down. Formatting
// (yuan strings, percentages) happens at the boundary. Before a cycle is settled the shortfall is what remains to
// surrender and the fine is 0; after, both are the settlement's.

import { ok, type Result, reject } from '../errors.ts';
import { type ComplianceContext, findCycle } from './book.ts';
import { coveredIn } from './entities.ts';
import { obligation } from './surrender.ts';

export type ComplianceStatus = 'compliant' | 'short';

export interface EntityReport {
  readonly entityId: string;
  readonly name: string;
  readonly sector: string;
  readonly marketId: string;
  readonly cycleId: string;
  readonly obligationT: number;
  /** Entitlement over the cycle's covered years, before deductions. */
  readonly allocatedT: number;
  /** Withheld from those years' allocations to pay earlier shortfalls. */
  readonly deductedT: number;
  readonly surrenderedAllowancesT: number;
  readonly surrenderedOffsetsT: number;
  readonly shortfallT: number;
  readonly fineFen: number;
  readonly settled: boolean;
  readonly status: ComplianceStatus;
}

export interface GroupSummary {
  /** The sector or market id (or whatever the reports were grouped by). */
  readonly key: string;
  readonly entities: number;
  readonly compliant: number;
  readonly short: number;
  /** compliant / entities, basis points rounded down (10,000 when there are none). */
  readonly complianceRateBps: number;
  readonly obligationT: number;
  readonly allocatedT: number;
  readonly deductedT: number;
  readonly surrenderedAllowancesT: number;
  readonly surrenderedOffsetsT: number;
  readonly shortfallT: number;
  readonly fineFen: number;
  /** (allowances + offsets surrendered) / obligation, basis points rounded down (10,000 when nothing is owed). */
  readonly surrenderRateBps: number;
}

export interface CycleReport {
  readonly marketId: string;
  readonly cycleId: string;
  readonly deadline: string;
  readonly settled: boolean;
  readonly entities: readonly EntityReport[];
  readonly sectors: readonly GroupSummary[];
  readonly market: GroupSummary;
}

const rateBps = (part: number, whole: number): number =>
  whole === 0 ? 10_000 : Number((BigInt(part) * 10_000n) / BigInt(whole));

export function entityReport(ctx: ComplianceContext, entityId: string, cycleId: string): Result<EntityReport> {
  const o = obligation(ctx, entityId, cycleId);
  if (!o.ok) return o;
  const e = ctx.entities.get(entityId);
  if (e === null) return reject('UnknownEntity', `there is no covered entity ${entityId}`);
  const s = ctx.book.surrendered(entityId, cycleId);
  const settled = ctx.book.settlement(entityId, cycleId);
  const shortfallT = settled?.shortfallT ?? Math.max(0, o.value.obligationT - s.allowanceT - s.offsetT);
  let deductedT = 0;
  for (const y of o.value.coveredYears) deductedT += ctx.book.year(entityId, y).deductedT;
  return ok({
    entityId,
    name: e.name,
    sector: e.sector,
    marketId: e.marketId,
    cycleId,
    obligationT: o.value.obligationT,
    allocatedT: o.value.allocatedT,
    deductedT,
    surrenderedAllowancesT: s.allowanceT,
    surrenderedOffsetsT: s.offsetT,
    shortfallT,
    fineFen: settled?.fineFen ?? 0,
    settled: settled !== null,
    status: shortfallT > 0 ? 'short' : 'compliant',
  });
}

/** Totals and rates over a set of entity reports. */
export function summarize(key: string, reports: readonly EntityReport[]): GroupSummary {
  let compliant = 0;
  let obligationT = 0;
  let allocatedT = 0;
  let deductedT = 0;
  let allowancesT = 0;
  let offsetsT = 0;
  let shortfallT = 0;
  let fineFen = 0;
  for (const r of reports) {
    if (r.status === 'compliant') compliant++;
    obligationT += r.obligationT;
    allocatedT += r.allocatedT;
    deductedT += r.deductedT;
    allowancesT += r.surrenderedAllowancesT;
    offsetsT += r.surrenderedOffsetsT;
    shortfallT += r.shortfallT;
    fineFen += r.fineFen;
  }
  return {
    key,
    entities: reports.length,
    compliant,
    short: reports.length - compliant,
    complianceRateBps: rateBps(compliant, reports.length),
    obligationT,
    allocatedT,
    deductedT,
    surrenderedAllowancesT: allowancesT,
    surrenderedOffsetsT: offsetsT,
    shortfallT,
    fineFen,
    surrenderRateBps: rateBps(allowancesT + offsetsT, obligationT),
  };
}

/** One summary per distinct sector or market, sorted by key. Reports of several markets may be mixed. */
export function summarizeBy(reports: readonly EntityReport[], by: 'sector' | 'marketId'): GroupSummary[] {
  const groups = new Map<string, EntityReport[]>();
  for (const r of reports) {
    const k = r[by];
    const g = groups.get(k);
    if (g === undefined) groups.set(k, [r]);
    else g.push(r);
  }
  return [...groups.keys()].sort().map((k) => summarize(k, groups.get(k) ?? []));
}

/** The report of a cycle: every entity of the market covered in it, per sector, and the market total. */
export function cycleReport(ctx: ComplianceContext, cycleId: string): Result<CycleReport> {
  const cyc = findCycle(ctx, cycleId);
  if (!cyc.ok) return cyc;
  const c = cyc.value;
  const entities: EntityReport[] = [];
  for (const e of ctx.entities.list(ctx.spec.id)) {
    if (!c.years.some((y) => coveredIn(e, y))) continue;
    const r = entityReport(ctx, e.id, c.id);
    if (!r.ok) return r;
    entities.push(r.value);
  }
  return ok({
    marketId: ctx.spec.id,
    cycleId: c.id,
    deadline: c.deadline,
    settled: ctx.book.isSettled(c.id),
    entities,
    sectors: summarizeBy(entities, 'sector'),
    market: summarize(ctx.spec.id, entities),
  });
}
