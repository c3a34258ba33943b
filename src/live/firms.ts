// A student joins a classroom as a covered firm: a real row of the synthetic registry (one the scenario's bots do not
// already run), with its verified emissions, its allocation for the scenario's cycle under the market's own rules,
// and working cash. So each student inherits a realistic shortfall or surplus and a deadline to meet it by.

import { obligation, trueUp } from '../market/compliance/index.ts';
import { type MarketWorld, type SimData, type World, workingCashFen } from '../sim/world.ts';
import { LiveCode, type LiveResult, refuse } from './errors.ts';

/** Firms a class can be handed: small enough that a student's trades move a classroom market, not swamp it. */
const MIN_FIRM_T = 100_000;
const MAX_FIRM_T = 1_500_000;

export interface AdmittedFirm {
  readonly accountId: number;
  readonly entityId: string;
  readonly firmName: string;
  readonly obligationT: number;
  readonly allocatedT: number;
  readonly cashFen: number;
}

/** The registry rows students may be given, in a fixed order (n-th student, n-th row). */
export function studentFirms(data: SimData, mw: MarketWorld, world: World): readonly string[] {
  const setup = mw.setup;
  const cycle = mw.market.spec.compliance?.cycles.find((c) => c.id === setup.cycle) ?? null;
  if (cycle === null) return [];
  return data.entities
    .filter((e) => e.marketId === setup.id && setup.sectors.includes(e.sector))
    .filter((e) => !world.registry.find(e.id).ok)
    .filter((e) => {
      const t = cycle.years.reduce((s, y) => s + (e.verifiedT[y] ?? 0), 0);
      return t >= MIN_FIRM_T && t <= MAX_FIRM_T && cycle.years.every((y) => e.verifiedT[y] !== undefined);
    })
    .map((e) => e.id);
}

/** Registers the firm, opens and funds its account and allocates its cycle years. Checks first, then changes. */
export function admitFirm(
  world: World,
  data: SimData,
  mw: MarketWorld,
  entityId: string,
  tsMs: number,
  openingFen: number,
): LiveResult<AdmittedFirm> {
  const row = data.entities.find((e) => e.id === entityId);
  const cycleId = mw.setup.cycle;
  const ctx = mw.ctx;
  if (row === undefined || ctx === null || cycleId === null || mw.plan === null)
    return refuse(LiveCode.Full, `${mw.setup.id} has no covered firm left to give a student`);
  const cycle = ctx.spec.compliance!.cycles.find((c) => c.id === cycleId)!;
  const accountId = world.nextAccountId;
  const opened = world.ledger.open(accountId, 'entity');
  if (!opened.ok) return refuse(opened.code, opened.message);
  world.nextAccountId++;
  const added = world.registry.add({ ...row, accountId });
  if (!added.ok) return refuse(added.code, added.message);
  const verifiedT = cycle.years.reduce((s, y) => s + (row.verifiedT[y] ?? 0), 0);
  const cashFen = workingCashFen(verifiedT, openingFen);
  world.ledger.deposit(tsMs, accountId, cashFen, `classroom: working cash of ${row.name}`);
  let allocatedT = 0;
  for (const year of cycle.years) {
    const r = trueUp(ctx, mw.plan, row.id, year, tsMs);
    if (r.ok) allocatedT += r.value.creditedT;
  }
  const o = obligation(ctx, row.id, cycleId);
  return {
    ok: true,
    value: {
      accountId,
      entityId: row.id,
      firmName: row.name,
      obligationT: o.ok ? o.value.obligationT : 0,
      allocatedT,
      cashFen,
    },
  };
}
