// Source: ICAP, "China National ETS" factsheet, https://icapcarbonaction.com/en/ets/china-national-ets.
// Free, output-based allocation: a sector benchmark intensity x output. Early in year Y an entity is
// pre-allocated preAllocationBps (70%) of benchmark(Y) x output(Y-1); after verification the true-up brings it to
// benchmark(Y) x output(Y). A negative true-up is taken back from the entity's holding of the year's vintage. A
// sector in its first compliance year (cement, steel, aluminium in 2024) gets nothing up front and, at true-up,
// exactly its verified emissions. A shortfall deduction recorded at an earlier deadline is withheld from the next
// positive allocation steps until it is paid (a step smaller than the deduction pays part, the rest waits).
//
// Units. A benchmark is an integer number of MICRO-TONNES CO2 per unit of output (µt/unit = g/unit): the power
// benchmark 0.8218 tCO2/MWh is 821_800. Six decimals hold every published benchmark exactly. Products are taken in
// BigInt (output x benchmark x bps can pass 2^53) and rounded DOWN to whole tonnes, once, at the end.

import { ok, type Result, reject } from '../errors.ts';
import { type ComplianceContext, findCycle } from './book.ts';
import { type CoveredEntity, coveredIn } from './entities.ts';

export interface AllocationPlan {
  /** sector -> year -> benchmark in micro-tonnes CO2 per unit of output. */
  readonly benchmarksUt: Readonly<Record<string, Readonly<Record<number, number>>>>;
  /** sector -> its first compliance year, in which allocation equals verified emissions (e.g. cement: 2024). */
  readonly firstYearSectors: Readonly<Record<string, number>>;
  /**
   * Multiplies every allocation of the plan, basis points (absent: 10,000, as published). A what-if lever
   * (a scenario's supply.allocationFactor), applied to benchmark and first-year allocations alike.
   */
  readonly scaleBps?: number;
}

export type AllocationStep = 'pre-allocation' | 'true-up';

export interface AllocationResult {
  readonly entityId: string;
  readonly year: number;
  readonly step: AllocationStep;
  readonly instrumentId: string;
  /** 'benchmark', or 'first-year' (allocation = verified emissions; nothing up front). */
  readonly basis: 'benchmark' | 'first-year';
  /** What the rule gives for this step; a true-up may be negative (taken back). */
  readonly entitledT: number;
  /** Part of a positive step withheld to pay earlier shortfalls. */
  readonly deductedT: number;
  /** Tonnes credited to (+) or cancelled from (-) the account: entitledT - deductedT. */
  readonly creditedT: number;
  /** The entity's entitlement for the year after this step (before deductions). */
  readonly yearAllocatedT: number;
}

interface Planned extends AllocationResult {
  readonly accountId: number;
  readonly ref: string;
}

const MICRO = 1_000_000n;
const BPS = 10_000n;

/** floor(outputUnits x benchmarkUt / 1e6 x shareBps / 1e4 x scaleBps / 1e4) whole tonnes, exact. */
export function benchmarkAllocationT(
  outputUnits: number,
  benchmarkUt: number,
  shareBps = 10_000,
  scaleBps = 10_000,
): number {
  const t = (BigInt(outputUnits) * BigInt(benchmarkUt) * BigInt(shareBps) * BigInt(scaleBps)) / (MICRO * BPS * BPS);
  return Number(t);
}

/** The allowance instrument of an emission year's vintage (2024 -> CEA-24, 2019 -> CEA-19-20). */
export function vintageInstrument(ctx: ComplianceContext, year: number): Result<string> {
  const id = ctx.vintages.get(year);
  if (id === undefined) return reject('UnknownInstrument', `market ${ctx.spec.id} has no allowance of vintage ${year}`);
  return ok(id);
}

function benchmarkOf(plan: AllocationPlan, e: CoveredEntity, year: number): Result<number> {
  const b = plan.benchmarksUt[e.sector]?.[year];
  if (b === undefined) return reject('BadInput', `no benchmark for sector ${e.sector} in ${year}`);
  if (!Number.isSafeInteger(b) || b <= 0)
    return reject('BadInput', `benchmark for ${e.sector} in ${year} is ${b}: expected positive whole micro-tonnes`);
  return ok(b);
}

function entityIn(ctx: ComplianceContext, entityId: string, year: number): Result<CoveredEntity> {
  const found = ctx.entities.find(entityId);
  if (!found.ok) return found;
  const e = found.value;
  if (e.marketId !== ctx.spec.id)
    return reject('NotEligible', `entity ${entityId} belongs to market ${e.marketId}, not ${ctx.spec.id}`);
  if (!coveredIn(e, year)) return reject('NotEligible', `entity ${entityId} is not covered in ${year}`);
  if (!ctx.ledger.has(e.accountId))
    return reject('UnknownAccount', `entity ${entityId}'s account ${e.accountId} is not open`);
  return ok(e);
}

function withDeduction(
  ctx: ComplianceContext,
  e: CoveredEntity,
  year: number,
  step: AllocationStep,
  instrumentId: string,
  basis: AllocationResult['basis'],
  entitledT: number,
): Result<Planned> {
  if (!Number.isSafeInteger(entitledT)) return reject('Overflow', `allocation of ${entitledT} t for ${e.id} overflows`);
  const deductedT = entitledT > 0 ? Math.min(entitledT, ctx.book.pendingDeductionT(e.id)) : 0;
  const creditedT = entitledT - deductedT;
  const h = ctx.ledger.holding(e.accountId, instrumentId);
  if (creditedT > 0 && !Number.isSafeInteger(h.totalT + creditedT))
    return reject('Overflow', `allocating ${creditedT} t would overflow ${e.id}'s holding of ${instrumentId}`);
  if (creditedT < 0 && h.totalT - h.reservedT < -creditedT)
    return reject(
      'InsufficientAllowances',
      `true-up for ${year} takes back ${-creditedT} t of ${instrumentId} from ${e.id}, which holds ${h.totalT - h.reservedT} t not reserved`,
    );
  return ok({
    entityId: e.id,
    accountId: e.accountId,
    year,
    step,
    instrumentId,
    basis,
    entitledT,
    deductedT,
    creditedT,
    yearAllocatedT: ctx.book.year(e.id, year).allocatedT + entitledT,
    ref: `${step}:${year}:${e.id}`,
  });
}

function planPre(ctx: ComplianceContext, plan: AllocationPlan, entityId: string, year: number): Result<Planned> {
  const found = entityIn(ctx, entityId, year);
  if (!found.ok) return found;
  const e = found.value;
  const ins = vintageInstrument(ctx, year);
  if (!ins.ok) return ins;
  const done = ctx.book.year(e.id, year);
  if (done.preAllocatedT !== null || done.trueUpDone)
    return reject(
      'AlreadySettled',
      `entity ${e.id} was already ${done.trueUpDone ? 'trued up' : 'pre-allocated'} for ${year}`,
    );
  if (plan.firstYearSectors[e.sector] === year)
    return withDeduction(ctx, e, year, 'pre-allocation', ins.value, 'first-year', 0);
  const b = benchmarkOf(plan, e, year);
  if (!b.ok) return b;
  const output = e.outputs[year - 1];
  if (output === undefined)
    return reject('NotVerified', `entity ${e.id} has no verified output for ${year - 1} to pre-allocate ${year} on`);
  const t = benchmarkAllocationT(output, b.value, ctx.rules.preAllocationBps, plan.scaleBps);
  return withDeduction(ctx, e, year, 'pre-allocation', ins.value, 'benchmark', t);
}

function planTrueUp(ctx: ComplianceContext, plan: AllocationPlan, entityId: string, year: number): Result<Planned> {
  const found = entityIn(ctx, entityId, year);
  if (!found.ok) return found;
  const e = found.value;
  const ins = vintageInstrument(ctx, year);
  if (!ins.ok) return ins;
  const done = ctx.book.year(e.id, year);
  if (done.trueUpDone) return reject('AlreadySettled', `entity ${e.id} was already trued up for ${year}`);
  let finalT: number;
  let basis: AllocationResult['basis'];
  if (plan.firstYearSectors[e.sector] === year) {
    const v = e.verifiedT[year];
    if (v === undefined) return reject('NotVerified', `entity ${e.id} has no verified emissions for ${year}`);
    finalT = plan.scaleBps === undefined ? v : Number((BigInt(v) * BigInt(plan.scaleBps)) / BPS);
    basis = 'first-year';
  } else {
    const b = benchmarkOf(plan, e, year);
    if (!b.ok) return b;
    const output = e.outputs[year];
    if (output === undefined) return reject('NotVerified', `entity ${e.id} has no verified output for ${year}`);
    finalT = benchmarkAllocationT(output, b.value, 10_000, plan.scaleBps);
    basis = 'benchmark';
  }
  return withDeduction(ctx, e, year, 'true-up', ins.value, basis, finalT - done.allocatedT);
}

function apply(ctx: ComplianceContext, p: Planned, tsMs: number): AllocationResult {
  let bad = null;
  if (p.creditedT > 0) bad = ctx.ledger.allocate(tsMs, p.accountId, p.instrumentId, p.creditedT, p.ref);
  else if (p.creditedT < 0) bad = ctx.ledger.cancel(tsMs, p.accountId, p.instrumentId, -p.creditedT, p.ref);
  // Every condition the ledger checks was checked while planning.
  if (bad !== null) throw new RangeError(`allocation ${p.ref} failed after its checks: ${bad.message}`);
  ctx.book.recordAllocation(p.entityId, p.year, p.step, p.entitledT, p.deductedT);
  const { accountId: _a, ref: _r, ...result } = p;
  return result;
}

function applyAll(ctx: ComplianceContext, plans: Result<Planned>[], tsMs: number): Result<AllocationResult[]> {
  const ready: Planned[] = [];
  for (const p of plans) {
    if (!p.ok) return p;
    ready.push(p.value);
  }
  return ok(ready.map((p) => apply(ctx, p, tsMs)));
}

/** Pre-allocates one entity for emission year `year`, crediting the year's vintage (ref 'pre-allocation:Y:id'). */
export function preAllocate(
  ctx: ComplianceContext,
  plan: AllocationPlan,
  entityId: string,
  year: number,
  tsMs: number,
): Result<AllocationResult> {
  const p = planPre(ctx, plan, entityId, year);
  return p.ok ? ok(apply(ctx, p.value, tsMs)) : p;
}

/**
 * Trues up one entity for `year` after verification: credits the difference to the final allocation, or takes a
 * negative difference back (ledger.cancel, ref 'true-up:Y:id'). When the entity no longer holds enough of the
 * vintage (not reserved for sale) the true-up is REJECTED (InsufficientAllowances) and nothing changes: the
 * regulator's claim stands and can be retried once the entity holds the tonnes.
 */
export function trueUp(
  ctx: ComplianceContext,
  plan: AllocationPlan,
  entityId: string,
  year: number,
  tsMs: number,
): Result<AllocationResult> {
  const p = planTrueUp(ctx, plan, entityId, year);
  return p.ok ? ok(apply(ctx, p.value, tsMs)) : p;
}

/** Pre-allocates every entity of the market covered in `year`, all or none. */
export function preAllocateAll(
  ctx: ComplianceContext,
  plan: AllocationPlan,
  year: number,
  tsMs: number,
): Result<AllocationResult[]> {
  const es = ctx.entities.list(ctx.spec.id).filter((e) => coveredIn(e, year));
  return applyAll(
    ctx,
    es.map((e) => planPre(ctx, plan, e.id, year)),
    tsMs,
  );
}

/** Trues up every entity of the market covered in `year`, all or none. */
export function trueUpAll(
  ctx: ComplianceContext,
  plan: AllocationPlan,
  year: number,
  tsMs: number,
): Result<AllocationResult[]> {
  const es = ctx.entities.list(ctx.spec.id).filter((e) => coveredIn(e, year));
  return applyAll(
    ctx,
    es.map((e) => planTrueUp(ctx, plan, e.id, year)),
    tsMs,
  );
}

/** An entity's entitlement over a cycle's years (the 'allocation' in obligation caps and offset caps). */
export function cycleAllocationT(ctx: ComplianceContext, entityId: string, cycleId: string): Result<number> {
  const c = findCycle(ctx, cycleId);
  if (!c.ok) return c;
  return ok(ctx.book.allocatedT(entityId, c.value.years));
}
