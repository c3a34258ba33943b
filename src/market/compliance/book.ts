// The compliance state of one market: what was allocated per entity and year, what was surrendered per entity and
// cycle, which cycles are settled (with each entity's shortfall and fine), and the shortfall deductions still to
// take from future allocations. The ledger holds the tonnes; this book holds why they moved. Every command in
// allocation.ts, surrender.ts, penalty.ts and banking.ts checks everything first, then applies the ledger change
// and the book change together, so a rejection leaves both unchanged.

import type { ComplianceSpec, CycleSpec, MarketSpec } from '../catalogue/schema.ts';
import { ok, type Result, reject } from '../errors.ts';
import type { Ledger } from '../ledger.ts';
import type { EntityRegistry } from './entities.ts';

export interface YearAllocation {
  /** Tonnes pre-allocated early in the year (null: not yet). */
  preAllocatedT: number | null;
  trueUpDone: boolean;
  /** The entity's entitlement for the year so far (pre-allocation + true-up), before any deduction. */
  allocatedT: number;
  /** Tonnes withheld from this year's allocations to pay a past shortfall. */
  deductedT: number;
}

export interface CycleSurrender {
  allowanceT: number;
  offsetT: number;
  /** Offsets from outside the market's region (part of offsetT). */
  nonLocalOffsetT: number;
}

/** A shortfall still to be deducted from the entity's next allocations. */
export interface PendingDeduction {
  readonly cycleId: string;
  remainingT: number;
}

/** One entity's outcome at a cycle's deadline. */
export interface Settlement {
  readonly entityId: string;
  readonly cycleId: string;
  readonly obligationT: number;
  readonly surrenderedT: number;
  readonly shortfallT: number;
  /** The multiple applied (from [multipleMin, multipleMax]). */
  readonly multiple: number;
  /** Average price over the window, rounded half up to the fen (display; the fine uses the exact average). */
  readonly avgPriceFen: number | null;
  readonly fineFen: number;
  /** Tonnes to deduct from the next allocations (0 when the market does not deduct). */
  readonly deductionT: number;
}

const NO_YEAR: Readonly<YearAllocation> = Object.freeze({
  preAllocatedT: null,
  trueUpDone: false,
  allocatedT: 0,
  deductedT: 0,
});
const NO_SURRENDER: Readonly<CycleSurrender> = Object.freeze({ allowanceT: 0, offsetT: 0, nonLocalOffsetT: 0 });

/** inner(outer, a) of a two-level map, made when missing. */
function inner<K, V>(outer: Map<string, Map<K, V>>, a: string): Map<K, V> {
  let m = outer.get(a);
  if (m === undefined) {
    m = new Map();
    outer.set(a, m);
  }
  return m;
}

export class ComplianceBook {
  // Per entity, then per year or cycle: a lookup builds no key string (a simulation asks per entity, many times).
  private readonly years = new Map<string, Map<number, YearAllocation>>();
  private readonly surrenders = new Map<string, Map<string, CycleSurrender>>();
  private readonly deductions = new Map<string, PendingDeduction[]>();
  private readonly settlements = new Map<string, Map<string, Settlement>>();
  private readonly settledCycles = new Set<string>();
  private readonly bankedCycles = new Set<string>();

  /** The entity's allocation record for a year (zeros when nothing was allocated). */
  year(entityId: string, year: number): Readonly<YearAllocation> {
    return this.years.get(entityId)?.get(year) ?? NO_YEAR;
  }

  /** Entitlement over several years (obligation caps and the 'allocation' offset basis use it). */
  allocatedT(entityId: string, years: readonly number[]): number {
    let sum = 0;
    const ys = this.years.get(entityId);
    // Indexed: called per entity, often before it is optimised, where for-of makes an iterator and its results.
    for (let i = 0; i < years.length; i++) sum += (ys?.get(years[i]!) ?? NO_YEAR).allocatedT;
    return sum;
  }

  surrendered(entityId: string, cycleId: string): Readonly<CycleSurrender> {
    return this.surrenders.get(entityId)?.get(cycleId) ?? NO_SURRENDER;
  }

  /** Deductions still pending for the entity, oldest first. */
  pendingDeductions(entityId: string): readonly Readonly<PendingDeduction>[] {
    return this.deductions.get(entityId) ?? [];
  }

  pendingDeductionT(entityId: string): number {
    return this.pendingDeductions(entityId).reduce((s, d) => s + d.remainingT, 0);
  }

  settlement(entityId: string, cycleId: string): Settlement | null {
    return this.settlements.get(entityId)?.get(cycleId) ?? null;
  }

  isSettled(cycleId: string): boolean {
    return this.settledCycles.has(cycleId);
  }

  isBanked(cycleId: string): boolean {
    return this.bankedCycles.has(cycleId);
  }

  // ---- changes (called by the command modules after every check has passed) --------------------------------

  /** Records an allocation step for a year: `entitledT` joins the entitlement, `deductedT` pays pending deductions. */
  recordAllocation(
    entityId: string,
    year: number,
    step: 'pre-allocation' | 'true-up',
    entitledT: number,
    deductedT: number,
  ): void {
    const ys = inner(this.years, entityId);
    const y = ys.get(year) ?? { ...NO_YEAR };
    if (step === 'pre-allocation') y.preAllocatedT = entitledT;
    else y.trueUpDone = true;
    y.allocatedT += entitledT;
    y.deductedT += deductedT;
    ys.set(year, y);
    let left = deductedT;
    const pending = this.deductions.get(entityId) ?? [];
    while (left > 0 && pending.length > 0) {
      const d = pending[0]!;
      const take = Math.min(d.remainingT, left);
      d.remainingT -= take;
      left -= take;
      if (d.remainingT === 0) pending.shift();
    }
    if (left !== 0) throw new RangeError(`deducted ${deductedT} t from ${entityId}, more than pending`);
  }

  recordSurrender(entityId: string, cycleId: string, kind: 'allowance' | 'offset', qtyT: number, local = true): void {
    const ss = inner(this.surrenders, entityId);
    const s = ss.get(cycleId) ?? { ...NO_SURRENDER };
    if (kind === 'allowance') s.allowanceT += qtyT;
    else {
      s.offsetT += qtyT;
      if (!local) s.nonLocalOffsetT += qtyT;
    }
    ss.set(cycleId, s);
  }

  recordSettlement(cycleId: string, settlements: readonly Settlement[]): void {
    this.settledCycles.add(cycleId);
    for (const s of settlements) {
      inner(this.settlements, s.entityId).set(cycleId, s);
      if (s.deductionT > 0) {
        const list = this.deductions.get(s.entityId) ?? [];
        list.push({ cycleId, remainingT: s.deductionT });
        this.deductions.set(s.entityId, list);
      }
    }
  }

  recordBanking(cycleId: string): void {
    this.bankedCycles.add(cycleId);
  }
}

/** Everything a compliance command works on: one market's rules, the ledger, the entities and the book. */
export interface ComplianceContext {
  readonly spec: MarketSpec;
  readonly rules: ComplianceSpec;
  readonly ledger: Ledger;
  readonly entities: EntityRegistry;
  readonly book: ComplianceBook;
  /** Emission year -> the allowance instrument of that vintage (CEA-19-20 serves 2019 and 2020). */
  readonly vintages: ReadonlyMap<number, string>;
}

/** Builds the context; rejects a market without compliance rules or with two allowances claiming one year. */
export function openCompliance(
  spec: MarketSpec,
  ledger: Ledger,
  entities: EntityRegistry,
  book: ComplianceBook = new ComplianceBook(),
): Result<ComplianceContext> {
  if (spec.compliance === null) return reject('BadInput', `market ${spec.id} has no compliance rules`);
  const vintages = new Map<number, string>();
  for (const ins of spec.instruments) {
    if (ins.kind !== 'allowance') continue;
    for (const y of ins.vintageYears) {
      const other = vintages.get(y);
      if (other !== undefined)
        return reject('BadInput', `market ${spec.id}: both ${other} and ${ins.id} claim vintage ${y}`);
      vintages.set(y, ins.id);
    }
  }
  return ok({ spec, rules: spec.compliance, ledger, entities, book, vintages });
}

export function findCycle(ctx: ComplianceContext, cycleId: string): Result<CycleSpec> {
  const c = ctx.rules.cycles.find((x) => x.id === cycleId);
  if (c === undefined)
    return reject(
      'UnknownCycle',
      `market ${ctx.spec.id} has no compliance cycle ${cycleId} (cycles: ${ctx.rules.cycles.map((x) => x.id).join(', ')})`,
    );
  return ok(c);
}

export const lastYear = (c: CycleSpec): number => Math.max(...c.years);
