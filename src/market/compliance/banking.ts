// Source: ICAP, "China National ETS" factsheet, https://icapcarbonaction.com/en/ets/china-national-ets.
// Banking cap (2023/2024 rule): once the cycle named by banking.appliesAfterCycle is settled, each
// entity may carry forward at most baseT + netSalesMultipleBps/10,000 x max(0, its net allowance sales over
// windowFromYear..windowToYear) tonnes of allowances of vintages up to that cycle (national: 10,000 t + 1.5 x net
// sales over 2019-2024). The excess is cancelled (ledger.cancel, ref 'banking-cap:<cycle>'), oldest vintage first,
// so the newest allowances are the ones kept. Tonnes reserved for resting sell orders cannot be cancelled: if an
// entity's unreserved tonnes do not cover its excess, the whole step is refused (InsufficientAllowances) and nothing
// changes; the operator cancels the orders first. Net sales round down to whole tonnes. The cap is applied once.
// No borrowing is enforced at surrender (surrender.ts).

import type { BankingSpec } from '../catalogue/schema.ts';
import { ok, type Result, reject } from '../errors.ts';
import { type ComplianceContext, findCycle, lastYear } from './book.ts';
import { shareOfBps } from './surrender.ts';

export interface BankingCancellation {
  readonly instrumentId: string;
  readonly qtyT: number;
}

export interface BankingResult {
  readonly entityId: string;
  readonly accountId: number;
  /** Net allowance sales over the window (negative: net buyer). */
  readonly netSalesT: number;
  readonly capT: number;
  /** Allowances of vintages up to the cycle held before the cap. */
  readonly heldT: number;
  readonly cancelledT: number;
  readonly cancelled: readonly BankingCancellation[];
}

/** baseT + multiple x max(0, net sales), rounded down. */
export function bankingCapT(rule: BankingSpec, netSalesT: number): number {
  return rule.baseT + shareOfBps(Math.max(0, netSalesT), rule.netSalesMultipleBps);
}

/** Allowance instruments of this market whose vintage is at most `year`, oldest first. */
export function vintagesUpTo(ctx: ComplianceContext, year: number): string[] {
  return ctx.spec.instruments
    .filter((i) => i.kind === 'allowance' && Math.max(...i.vintageYears) <= year)
    .sort((a, b) => Math.max(...a.vintageYears) - Math.max(...b.vintageYears))
    .map((i) => i.id);
}

/** Applies the banking cap to every entity of the market, all or none. */
export function applyBankingCap(ctx: ComplianceContext, tsMs: number): Result<BankingResult[]> {
  const rule = ctx.rules.banking;
  if (rule === null) return reject('BadInput', `market ${ctx.spec.id} has no banking rule`);
  const cyc = findCycle(ctx, rule.appliesAfterCycle);
  if (!cyc.ok) return cyc;
  const c = cyc.value;
  if (!ctx.book.isSettled(c.id))
    return reject('NotSettled', `the banking cap applies after cycle ${c.id} is settled, and it is not yet`);
  if (ctx.book.isBanked(c.id))
    return reject('AlreadySettled', `the banking cap after cycle ${c.id} was already applied`);
  const instruments = vintagesUpTo(ctx, lastYear(c));
  const plans: BankingResult[] = [];
  for (const e of ctx.entities.list(ctx.spec.id)) {
    if (!ctx.ledger.has(e.accountId)) continue;
    const netSalesT = ctx.ledger.netSalesT(e.accountId, rule.windowFromYear, rule.windowToYear);
    const capT = bankingCapT(rule, netSalesT);
    let heldT = 0;
    let freeT = 0;
    for (const id of instruments) {
      const h = ctx.ledger.holding(e.accountId, id);
      heldT += h.totalT;
      freeT += h.totalT - h.reservedT;
    }
    const excessT = Math.max(0, heldT - capT);
    if (excessT > freeT)
      return reject(
        'InsufficientAllowances',
        `entity ${e.id} must cancel ${excessT} t above its banking cap of ${capT} t but only ${freeT} t are not reserved for sale`,
      );
    const cancelled: BankingCancellation[] = [];
    let left = excessT;
    for (const id of instruments) {
      if (left === 0) break;
      const h = ctx.ledger.holding(e.accountId, id);
      const take = Math.min(left, h.totalT - h.reservedT);
      if (take > 0) cancelled.push({ instrumentId: id, qtyT: take });
      left -= take;
    }
    plans.push({ entityId: e.id, accountId: e.accountId, netSalesT, capT, heldT, cancelledT: excessT, cancelled });
  }
  const ref = `banking-cap:${c.id}`;
  for (const p of plans)
    for (const x of p.cancelled) {
      const bad = ctx.ledger.cancel(tsMs, p.accountId, x.instrumentId, x.qtyT, ref);
      if (bad !== null) throw new RangeError(`banking cap for ${p.entityId} failed after its checks: ${bad.message}`);
    }
  ctx.book.recordBanking(c.id);
  return ok(plans);
}
