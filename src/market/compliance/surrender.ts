// Sources: ICAP, "China National ETS" and pilot factsheets (https://icapcarbonaction.com/en/ets/china-national-ets);
// offsets: MEE, 碳排放权交易管理办法(试行) (2021), art. 29.
// Surrender (清缴) for a compliance cycle. An entity's obligation for a cycle is the sum of its
// verified emissions over the cycle's years in which it is covered; where the cycle sets obligationCapBpsOfVerified
// (national 2019-2022: 20%) it is capped at allocation + that share of verified emissions. An entity surrenders
// until the deadline (the China Standard Time date of the surrender is at most the deadline):
//   - allowances of this market, of a vintage whose years all fall within or before the cycle's last year, unless
//     the cycle allows borrowing (national 2021-2022), when any vintage of the market is accepted;
//   - offsets listed in the market's offsets.usable, on dates within [usableFrom, usableUntil] (CCER-LEGACY ends
//     2024-12-31 nationally; Shanghai accepts SHCERCIR1 from 2024-09-13), up to capBps of the obligation or of
//     the allocation (capBasis), rounded down to whole tonnes;
//   - never more than what remains of the obligation.
// Each violation is returned with its code; the ledger burns the tonnes (ref 'compliance:<cycle>:<entity>') only
// after every check has passed. Where the market wants a local share of offsets (localMinBps; Beijing: at least
// half), offsets not marked local in its usable list are limited to the cap's non-local part.

import type { CycleSpec } from '../catalogue/schema.ts';
import { ok, type Result, reject } from '../errors.ts';
import { cstDate } from '../time.ts';
import { type ComplianceContext, findCycle, lastYear } from './book.ts';
import { type CoveredEntity, coveredIn } from './entities.ts';

export interface Obligation {
  readonly entityId: string;
  readonly cycleId: string;
  /** The cycle's years in which the entity is covered. */
  readonly coveredYears: readonly number[];
  readonly verifiedT: number;
  /** Entitlement over the covered years (pre-allocation + true-up, before deductions). */
  readonly allocatedT: number;
  /** allocation + obligationCapBpsOfVerified x verified, when the cycle caps the obligation. */
  readonly capT: number | null;
  readonly obligationT: number;
}

export type SurrenderKind = 'allowance' | 'offset';

export interface SurrenderResult {
  readonly entityId: string;
  readonly cycleId: string;
  readonly instrumentId: string;
  readonly kind: SurrenderKind;
  readonly qtyT: number;
  readonly obligationT: number;
  /** Allowances and offsets surrendered for the cycle, after this one. */
  readonly allowanceT: number;
  readonly offsetT: number;
  readonly remainingT: number;
  readonly offsetCapT: number;
}

/** floor(x x bps / 10,000), exact for any safe x. */
export function shareOfBps(x: number, bps: number): number {
  // In safe integers when the product is one (exact: the remainder and the quotient are), BigInt otherwise.
  const p = x * bps;
  if (Number.isSafeInteger(x) && Number.isSafeInteger(bps) && Number.isSafeInteger(p))
    return (p - (p % 10_000)) / 10_000;
  return Number((BigInt(x) * BigInt(bps)) / 10_000n);
}

function marketEntity(ctx: ComplianceContext, entityId: string): Result<CoveredEntity> {
  const found = ctx.entities.find(entityId);
  if (!found.ok) return found;
  if (found.value.marketId !== ctx.spec.id)
    return reject('NotEligible', `entity ${entityId} belongs to market ${found.value.marketId}, not ${ctx.spec.id}`);
  return found;
}

/** The cycle's years in which the entity is covered: the cycle's own list when that is all of them (most often). */
function coveredYearsOf(e: CoveredEntity, c: CycleSpec): readonly number[] {
  const years = c.years;
  for (let i = 0; i < years.length; i++) if (!coveredIn(e, years[i]!)) return years.filter((x) => coveredIn(e, x));
  return years;
}

function obligationOf(ctx: ComplianceContext, e: CoveredEntity, c: CycleSpec): Result<Obligation> {
  const coveredYears = coveredYearsOf(e, c);
  if (coveredYears.length === 0)
    return reject('NotEligible', `entity ${e.id} is not covered in cycle ${c.id} (${c.years.join(', ')})`);
  let verifiedT = 0;
  for (let i = 0; i < coveredYears.length; i++) {
    const y = coveredYears[i]!;
    const v = e.verifiedT[y];
    if (v === undefined) return reject('NotVerified', `entity ${e.id} has no verified emissions for ${y} yet`);
    verifiedT += v;
  }
  const allocatedT = ctx.book.allocatedT(e.id, coveredYears);
  const capT =
    c.obligationCapBpsOfVerified === null ? null : allocatedT + shareOfBps(verifiedT, c.obligationCapBpsOfVerified);
  const obligationT = capT === null ? verifiedT : Math.min(verifiedT, capT);
  return ok({ entityId: e.id, cycleId: c.id, coveredYears, verifiedT, allocatedT, capT, obligationT });
}

/** What the entity must surrender for the cycle. */
export function obligation(ctx: ComplianceContext, entityId: string, cycleId: string): Result<Obligation> {
  const e = marketEntity(ctx, entityId);
  if (!e.ok) return e;
  const c = findCycle(ctx, cycleId);
  if (!c.ok) return c;
  return obligationOf(ctx, e.value, c.value);
}

/** The most offsets the entity may surrender for the cycle: capBps of the obligation or of the allocation. */
export function offsetCapT(ctx: ComplianceContext, o: Obligation): number {
  const off = ctx.spec.offsets;
  if (off === null) return 0;
  return shareOfBps(off.capBasis === 'obligation' ? o.obligationT : o.allocatedT, off.capBps);
}

/** Is the instrument usable for this cycle on this date, and as what? */
export function usableAs(
  ctx: ComplianceContext,
  c: CycleSpec,
  instrumentId: string,
  date: string,
): Result<SurrenderKind> {
  const own = ctx.spec.instruments.find((i) => i.id === instrumentId);
  if (own !== undefined && own.kind === 'allowance') {
    const last = lastYear(c);
    const vintage = Math.max(...own.vintageYears);
    if (vintage > last && !c.borrowing)
      return reject(
        'NotUsableForCompliance',
        `${instrumentId} (vintage ${own.vintageYears.join('-')}) is later than cycle ${c.id}; borrowing from future vintages is not allowed`,
      );
    return ok('allowance');
  }
  const use = ctx.spec.offsets?.usable.find((u) => u.instrument === instrumentId);
  if (use === undefined)
    return reject(
      'NotUsableForCompliance',
      `${instrumentId} is neither an allowance of market ${ctx.spec.id} nor one of its usable offsets`,
    );
  if (use.usableFrom !== null && date < use.usableFrom)
    return reject(
      'NotUsableForCompliance',
      `${instrumentId} is usable in ${ctx.spec.id} from ${use.usableFrom}, not on ${date}`,
    );
  if (use.usableUntil !== null && date > use.usableUntil)
    return reject(
      'NotUsableForCompliance',
      `${instrumentId} was usable in ${ctx.spec.id} until ${use.usableUntil}, not on ${date}`,
    );
  return ok('offset');
}

/** Surrenders qtyT of an instrument for the entity's obligation in a cycle. */
export function surrender(
  ctx: ComplianceContext,
  entityId: string,
  cycleId: string,
  instrumentId: string,
  qtyT: number,
  tsMs: number,
): Result<SurrenderResult> {
  const found = marketEntity(ctx, entityId);
  if (!found.ok) return found;
  const e = found.value;
  const cyc = findCycle(ctx, cycleId);
  if (!cyc.ok) return cyc;
  const c = cyc.value;
  if (!Number.isSafeInteger(qtyT) || qtyT <= 0)
    return reject('BadInput', `quantity ${qtyT} t is not a positive whole number`);
  if (ctx.book.isSettled(c.id)) return reject('AlreadySettled', `cycle ${c.id} is already settled`);
  const date = cstDate(tsMs);
  if (date > c.deadline)
    return reject('DeadlinePassed', `the deadline of cycle ${c.id} was ${c.deadline}; it is now ${date}`);
  const kind = usableAs(ctx, c, instrumentId, date);
  if (!kind.ok) return kind;
  const ob = obligationOf(ctx, e, c);
  if (!ob.ok) return ob;
  const o = ob.value;
  const done = ctx.book.surrendered(e.id, c.id);
  const remainingT = o.obligationT - done.allowanceT - done.offsetT;
  if (qtyT > remainingT) return reject('ExceedsObligation', `${qtyT} t is more than is owed (${remainingT} t)`);
  const capT = offsetCapT(ctx, o);
  if (kind.value === 'offset' && done.offsetT + qtyT > capT) {
    const basis = ctx.spec.offsets?.capBasis ?? 'obligation';
    return reject(
      'OffsetCapExceeded',
      `offsets for cycle ${c.id} are capped at ${capT} t for ${e.id} (${ctx.spec.offsets?.capBps ?? 0} bps of its ${basis}); ${done.offsetT} t already surrendered, ${qtyT} more refused`,
    );
  }
  const local = ctx.spec.offsets?.usable.find((u) => u.instrument === instrumentId)?.local ?? true;
  const localMinBps = ctx.spec.offsets?.localMinBps ?? 0;
  if (kind.value === 'offset' && !local && localMinBps > 0) {
    const nonLocalCapT = Math.floor((capT * (10_000 - localMinBps)) / 10_000);
    if (done.nonLocalOffsetT + qtyT > nonLocalCapT)
      return reject(
        'OffsetCapExceeded',
        `at least ${localMinBps / 100}% of offsets in ${ctx.spec.id} must come from local projects: ${instrumentId} is not local, so ${e.id} may surrender at most ${nonLocalCapT} t of such offsets for cycle ${c.id}; ${done.nonLocalOffsetT} t already surrendered, ${qtyT} more refused`,
      );
  }
  const bad = ctx.ledger.surrender(tsMs, e.accountId, instrumentId, qtyT, `compliance:${c.id}:${e.id}`);
  if (bad !== null) return bad;
  ctx.book.recordSurrender(e.id, c.id, kind.value, qtyT, local);
  const after = ctx.book.surrendered(e.id, c.id);
  return ok({
    entityId: e.id,
    cycleId: c.id,
    instrumentId,
    kind: kind.value,
    qtyT,
    obligationT: o.obligationT,
    allowanceT: after.allowanceT,
    offsetT: after.offsetT,
    remainingT: remainingT - qtyT,
    offsetCapT: capT,
  });
}
