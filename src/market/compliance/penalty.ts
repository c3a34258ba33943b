// Source: State Council, 碳排放权交易管理暂行条例 (Interim Regulations on the Administration of Carbon Emissions Trading),
// in force 2024-05-01.
// Settlement at the deadline (regulation in force since 2024-05-01): each covered entity's shortfall
// is its obligation minus what it surrendered; the fine is multiple x average market price x shortfall, and, where
// the market deducts, the shortfall is taken from the entity's next allocations (allocation.ts).
//
// The average price: the caller supplies the monthly average price in fen for 'YYYY-MM' (null when the month had
// no trade). The window is priceWindowMonths calendar months ending with the deadline's month (national: December
// for a 31 December deadline; Shenzhen: six months). Each month with a price weighs the same; months without a
// price are left out; no price at all is a rejection (NoReferencePrice). The multiple is any value in
// [multipleMin, multipleMax] in steps of 0.01. The fine is computed exactly, shortfall x multiple x (sum of monthly
// prices) / months, and rounded half up to the fen once, at the end.
//
// A cycle is settled once, after its deadline (from the next China Standard Time day on), for all its entities at
// once; a rejection settles nobody. The fine is recorded, not charged to the ledger: it is paid to the state
// outside the market.

import type { PenaltySpec } from '../catalogue/schema.ts';
import { ok, type Result, reject } from '../errors.ts';
import { mulDivRound } from '../money.ts';
import { cstDate } from '../time.ts';
import { type ComplianceContext, findCycle, type Settlement } from './book.ts';
import { coveredIn } from './entities.ts';
import { obligation } from './surrender.ts';

/** Monthly average price in fen per tonne for 'YYYY-MM'; null when nothing traded. */
export type MonthlyPriceFen = (month: string) => number | null;

export interface SettleOptions {
  /** Defaults to the market's multipleDefault. */
  readonly multiple?: number;
  readonly monthlyPriceFen: MonthlyPriceFen;
}

export interface AveragePrice {
  /** The window, oldest month first. */
  readonly months: readonly string[];
  /** Months of the window that had a price. */
  readonly priced: readonly string[];
  readonly sumFen: number;
  /** sumFen / priced months, rounded half up (for display; fines use the exact quotient). */
  readonly avgPriceFen: number;
}

/** `count` calendar months ending with the month of `date`, oldest first: ('2024-12-31', 2) -> ['2024-11', '2024-12']. */
export function priceWindow(date: string, count: number): string[] {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  const out: string[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const idx = y * 12 + (m - 1) - i;
    out.push(`${Math.floor(idx / 12)}-${String((idx % 12) + 1).padStart(2, '0')}`);
  }
  return out;
}

export function averagePrice(penalty: PenaltySpec, deadline: string, monthly: MonthlyPriceFen): Result<AveragePrice> {
  const months = priceWindow(deadline, penalty.priceWindowMonths);
  const priced: string[] = [];
  let sumFen = 0;
  for (const month of months) {
    const p = monthly(month);
    if (p === null) continue;
    if (!Number.isSafeInteger(p) || p <= 0)
      return reject('BadInput', `the average price for ${month} is ${p}: expected a positive whole number of fen`);
    priced.push(month);
    sumFen += p;
  }
  if (priced.length === 0)
    return reject('NoReferencePrice', `no average price for any month of ${months.join(', ')}: the fine has no basis`);
  return ok({ months, priced, sumFen, avgPriceFen: mulDivRound(sumFen, 1, priced.length) });
}

/** The multiple in hundredths (5 -> 500), or a rejection outside [multipleMin, multipleMax]. */
export function multipleHundredths(penalty: PenaltySpec, multiple: number): Result<number> {
  if (!Number.isFinite(multiple) || multiple < penalty.multipleMin || multiple > penalty.multipleMax)
    return reject(
      'MultipleOutOfRange',
      `the penalty multiple must be between ${penalty.multipleMin} and ${penalty.multipleMax}, not ${multiple}`,
    );
  const h = Math.round(multiple * 100);
  if (Math.abs(h - multiple * 100) > 1e-6)
    return reject('MultipleOutOfRange', `the penalty multiple ${multiple} is finer than 0.01`);
  return ok(h);
}

/** shortfallT x multiple x average price, in fen, exact then rounded half up. */
export function fineFen(shortfallT: number, hundredths: number, avg: AveragePrice): Result<number> {
  if (!Number.isSafeInteger(shortfallT) || shortfallT < 0)
    return reject('BadInput', `shortfall ${shortfallT} t is not a whole, non-negative number`);
  if (shortfallT === 0) return ok(0);
  const a = shortfallT * hundredths;
  const fen = Number.isSafeInteger(a) ? mulDivRound(a, avg.sumFen, avg.priced.length * 100) : Number.NaN;
  if (!Number.isSafeInteger(fen)) return reject('Overflow', `the fine on ${shortfallT} t overflows`);
  return ok(fen);
}

/** Settles every entity of the market covered in the cycle: shortfall, fine, deduction. All or none. */
export function settleCycle(
  ctx: ComplianceContext,
  cycleId: string,
  tsMs: number,
  opts: SettleOptions,
): Result<Settlement[]> {
  const cyc = findCycle(ctx, cycleId);
  if (!cyc.ok) return cyc;
  const c = cyc.value;
  if (ctx.book.isSettled(c.id)) return reject('AlreadySettled', `cycle ${c.id} is already settled`);
  const date = cstDate(tsMs);
  if (date <= c.deadline)
    return reject(
      'DeadlineNotReached',
      `cycle ${c.id} can be settled after its deadline ${c.deadline}, not on ${date}`,
    );
  const penalty = ctx.rules.penalty;
  const multiple = opts.multiple ?? penalty.multipleDefault;
  const h = multipleHundredths(penalty, multiple);
  if (!h.ok) return h;
  let avg: AveragePrice | null = null;
  const out: Settlement[] = [];
  for (const e of ctx.entities.list(ctx.spec.id)) {
    if (!c.years.some((y) => coveredIn(e, y))) continue;
    const o = obligation(ctx, e.id, c.id);
    if (!o.ok) return o;
    const s = ctx.book.surrendered(e.id, c.id);
    const surrenderedT = s.allowanceT + s.offsetT;
    const shortfallT = Math.max(0, o.value.obligationT - surrenderedT);
    let fen = 0;
    if (shortfallT > 0) {
      if (avg === null) {
        const a = averagePrice(penalty, c.deadline, opts.monthlyPriceFen);
        if (!a.ok) return a;
        avg = a.value;
      }
      const f = fineFen(shortfallT, h.value, avg);
      if (!f.ok) return f;
      fen = f.value;
    }
    out.push({
      entityId: e.id,
      cycleId: c.id,
      obligationT: o.value.obligationT,
      surrenderedT,
      shortfallT,
      multiple,
      avgPriceFen: shortfallT > 0 && avg !== null ? avg.avgPriceFen : null,
      fineFen: fen,
      deductionT: penalty.deductShortfall ? shortfallT : 0,
    });
  }
  ctx.book.recordSettlement(c.id, out);
  return ok(out);
}
