// The morning update of every market's public valuation (docs/model.md, "Expectations"). Each trading day, before
// the markets open, the agents read what is public: the registry's obligations and holdings (the current cycle's
// net position X0 and the most that can be carried past its deadline), the outlook (emissions, allocation, coverage,
// offsets, as news has changed it), and the recent closes (the penalty's reference). From these the outlook's value
// V_t follows (outlook.ts); the public valuation moves toward it by the adjustment share λ per day,
//     F_t = F_{t−1} + λ (V_t − F_{t−1})        (F_0 = V_0: the first morning reads the fundamentals as they are)
// since news reaches traders over days, not at once. A credit market's valuation follows from the allowance
// market's and the balance of credits: credits are worth an allowance less the credit discount when the offset caps'
// demand takes all of them, and their delivery cost when it takes none:
//     C_t = cost + (F_allowance (1 − discount) − cost) · min(1, demand / supply)
// Entities then book the day's abatement at their own valuation (ComplianceAgent.abateDay).
// Steered (`cets replay`, src/sim/replay/infer.ts): a target for F_t is given; the news that makes V_t what the rule
// needs to reach it, V_t = F_{t−1} + (target − F_{t−1}) / λ, is solved for (MarketOutlook.solveNews) and kept.

import type { MarketWorld, World } from '../world.ts';

const RECENT_CLOSES = 20;

/** A replay's target for a market's public valuation today (fen), or null to leave the market to its news. */
export type SteerFn = (marketId: string) => number | null;

/** Runs the morning update for every market; `days` calendar days since the last one (abatement accrues over them). */
export function updateFundamentals(
  world: World,
  adjust: number,
  costFen: number,
  discount: number,
  first: boolean,
  days: number,
  steer: SteerFn | null = null,
): void {
  for (const mw of world.markets) {
    const v = mw.venue;
    const n = Math.min(RECENT_CLOSES, v.closes.length);
    let sum = 0;
    for (let i = 0; i < n; i++) sum += v.closeAgo(i);
    v.recentAvgFen = sum / n;
    if (mw.outlook === null) continue;
    // The days since the last morning were abated at the valuation that held over them (the opening price at first).
    mw.outlook.bookDay(world.today, first ? v.lastCloseFen : v.fairFen);
    const target = steer === null ? null : steer(mw.setup.id);
    const needed = target === null ? null : first ? target : v.fairFen + (target - v.fairFen) / adjust;
    const value = allowanceValue(world, mw, needed);
    v.fairFen = first ? value : v.fairFen + adjust * (value - v.fairFen);
    for (let i = 0; i < mw.entityAgents.length; i++) {
      const a = mw.entityAgents[i]!;
      if (!a.done) a.abateDay(days);
    }
  }
  for (const mw of world.markets) {
    if (mw.outlook !== null) continue;
    const credit = creditValue(world, mw, costFen, discount);
    if (credit !== null) mw.venue.fairFen = first ? credit : mw.venue.fairFen + adjust * (credit - mw.venue.fairFen);
  }
}

/**
 * X0 and the carry cap from the ledger and the entities, then the outlook's value (fen); with a needed value, the news
 * that gives it is solved for first. One pass over the entities.
 */
function allowanceValue(world: World, mw: MarketWorld, neededFen: number | null): number {
  const o = mw.outlook!;
  const valueAt = (x0T: number, capT: number): number => {
    if (neededFen === null) return o.value(world.today, x0T, capT);
    o.solveNews(world.today, x0T, capT, neededFen);
    return o.lastFen;
  };
  const ins = mw.setup.instrument;
  const ledger = world.ledger;
  // After the cycle is settled (every entity done): what is left is all carry, uncapped for this horizon.
  if (mw.entityAgents.length > 0 && mw.entityAgents.every((a) => a.done)) {
    const left = ledger.outstandingT(ins);
    return valueAt(left, left);
  }
  // The credit instruments this market takes that another market of the run trades (their supply counts).
  const credits: string[] = [];
  for (const m of world.markets)
    if (
      m.outlook === null &&
      (mw.market.spec.offsets?.usable.some((u) => u.instrument === m.setup.instrument) ?? false)
    )
      credits.push(m.setup.instrument);
  let entityHeld = 0;
  let net = 0;
  let entityCap = 0;
  let room = 0;
  let creditsHeld = 0;
  // Two ledger reads an entity (its allowances, its credits), from which its need and offset room follow
  // (ComplianceAgent.needFrom, roomFrom): this loop runs for every entity every morning.
  for (let i = 0; i < mw.entityAgents.length; i++) {
    const a = mw.entityAgents[i]!;
    const held = a.heldT();
    entityHeld += held;
    const offIns = a.offsetInstrument;
    const off = a.offsetsHeldT();
    const counted = offIns !== null && credits.includes(offIns);
    if (counted) creditsHeld += off;
    if (a.done) continue;
    const need = a.needFrom(held, off);
    net -= need;
    entityCap += a.bankCapT();
    if (counted) room += a.roomFrom(need, off);
  }
  const supply = ledger.outstandingT(ins);
  const others = supply - entityHeld;
  let outside = -creditsHeld;
  for (let c = 0; c < credits.length; c++) outside += ledger.outstandingT(credits[c]!);
  // Credits not yet in the entities' hands count toward the cycle as far as the offset caps have room for them.
  net += Math.min(room, outside);
  return valueAt(net + others, entityCap + others);
}

/** A credit market's value, or null if it is not one (no offset instrument, or no market takes its credits). */
function creditValue(world: World, mw: MarketWorld, costFen: number, discount: number): number | null {
  const ins = mw.setup.instrument;
  let demand = 0;
  let allowanceFen = 0;
  let takers = 0;
  for (const m of world.markets) {
    if (m.outlook === null || !(m.market.spec.offsets?.usable.some((u) => u.instrument === ins) ?? false)) continue;
    takers++;
    allowanceFen = Math.max(allowanceFen, m.venue.fairFen);
    for (let i = 0; i < m.entityAgents.length; i++) {
      const a = m.entityAgents[i]!;
      if (!a.done) demand += a.offsetRoomT(ins);
    }
  }
  if (takers === 0) return null;
  const supply = world.ledger.outstandingT(ins);
  const top = allowanceFen * (1 - discount);
  if (top <= costFen) return costFen;
  const share = supply <= 0 ? 1 : Math.min(1, demand / supply);
  return costFen + (top - costFen) * share;
}
