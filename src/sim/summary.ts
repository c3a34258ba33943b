// From a finished simulation to what the run folder holds: summary.json (per market: daily rows with the day's
// valuations, monthly totals, the sampled expected balance and the stylized facts of the closes; money as CNY
// strings), per-entity and per-sector compliance results. Money crosses into decimal strings here, through the
// market layer's money helpers.

import { cycleReport, type EntityReport } from '../market/compliance/index.ts';
import { fenToCny } from '../market/money.ts';
import type { Balance } from './fundamentals/outlook.ts';
import type {
  BalanceRow,
  DailyRow,
  EntityResult,
  MarketSummary,
  ModeTotals,
  MonthRow,
  RunSummary,
  SectorResult,
  StylizedFacts,
} from './output-types.ts';
import type { MarketBar, SimResult } from './simulation.ts';
import { stylizedFactsOfPrices } from './stylized-facts.ts';

/** A market's valuations by day of the run (indexed like SimResult.days). */
interface FairSeries {
  readonly publicFen: readonly number[];
  readonly agentsFen: readonly number[];
  readonly balances: readonly Balance[];
}

const totals = (volumeT: number, turnoverFen: number): ModeTotals => ({ volumeT, turnoverCny: fenToCny(turnoverFen) });
const price = (fen: number | null): string | null => (fen === null ? null : fenToCny(fen));
const valuation = (fen: number | undefined): string | null =>
  fen === undefined || !Number.isFinite(fen) ? null : fenToCny(Math.round(fen));
/** 6 significant digits: enough for a figure read by people, and stable text in summary.json. */
const sig = (x: number | null): number | null => (x === null ? null : Number(x.toPrecision(6)));

function roundedFacts(closesFen: readonly number[]): StylizedFacts {
  const f = stylizedFactsOfPrices(closesFen);
  return {
    returns: f.returns,
    mean: sig(f.mean),
    sd: sig(f.sd),
    sdAnnual: sig(f.sdAnnual),
    excessKurtosis: sig(f.excessKurtosis),
    acf1: sig(f.acf1),
    absAcf1: sig(f.absAcf1),
    absAcf5: sig(f.absAcf5),
  };
}

/**
 * The balance on the first trading day, the last trading day of each month and the last day (MarketSummary.balance
 * says why not daily). Balances are recorded one a day from the outlook's first day; when fewer than the run's
 * days, they are the last ones.
 */
function sampledBalance(
  dates: readonly string[],
  dayIndex: ReadonlyMap<string, number>,
  runDays: number,
  balances: readonly Balance[],
): BalanceRow[] {
  const out: BalanceRow[] = [];
  const offset = runDays - balances.length;
  for (let i = 0; i < dates.length; i++) {
    const date = dates[i]!;
    const next = dates[i + 1];
    if (i !== 0 && next !== undefined && next.slice(0, 7) === date.slice(0, 7)) continue;
    const k = dayIndex.get(date);
    const b = k === undefined ? undefined : balances[k - offset];
    if (b === undefined) continue;
    out.push({
      date,
      ...(b.newsT === 0 ? {} : { newsT: b.newsT }),
      currentT: b.currentT,
      carryT: b.carryT,
      years: b.years.map((y) => ({ year: y.year, deficitT: y.deficitT, abatedT: y.abatedT })),
    });
  }
  return out;
}

function marketSummary(
  id: string,
  name: string,
  instrument: string,
  instruments: string[],
  bars: readonly MarketBar[],
  dayIndex: ReadonlyMap<string, number>,
  fair: FairSeries | undefined,
): MarketSummary {
  const byDate = new Map<string, MarketBar[]>();
  // Indexed: every market's bars pass here once per market, in code not yet optimised (for-of: an iterator result
  // per bar).
  for (let i = 0; i < bars.length; i++) {
    const b = bars[i]!;
    if (b.marketId !== id) continue;
    const l = byDate.get(b.date);
    if (l === undefined) byDate.set(b.date, [b]);
    else l.push(b);
  }
  const daily: DailyRow[] = [];
  const months = new Map<string, { lv: number; lt: number; bv: number; bt: number }>();
  const tradedCloses: number[] = [];
  for (const [date, day] of byDate) {
    let lv = 0;
    let lt = 0;
    let bv = 0;
    let bt = 0;
    for (const b of day) {
      if (b.mode === 'listed') {
        lv += b.volumeT;
        lt += b.turnoverFen;
      } else if (b.mode === 'block') {
        bv += b.volumeT;
        bt += b.turnoverFen;
      }
    }
    const main = day.find((b) => b.mode === 'listed' && b.instrumentId === instrument)!;
    const traded = main.volumeT > 0;
    if (traded && main.closeFen !== null && main.closeFen > 0) tradedCloses.push(main.closeFen);
    const k = dayIndex.get(date);
    daily.push({
      date,
      open: traded ? price(main.openFen) : null,
      high: traded ? price(main.highFen) : null,
      low: traded ? price(main.lowFen) : null,
      close: price(main.closeFen),
      listed: totals(lv, lt),
      block: totals(bv, bt),
      fairValue: valuation(k === undefined ? undefined : fair?.publicFen[k]),
      agentsValue: valuation(k === undefined ? undefined : fair?.agentsFen[k]),
    });
    const key = date.slice(0, 7);
    const m = months.get(key) ?? { lv: 0, lt: 0, bv: 0, bt: 0 };
    m.lv += lv;
    m.lt += lt;
    m.bv += bv;
    m.bt += bt;
    months.set(key, m);
  }
  const monthly: Record<string, MonthRow> = {};
  for (const [k, m] of months)
    monthly[k] = {
      listed: totals(m.lv, m.lt),
      block: totals(m.bv, m.bt),
      listedAverage: m.lv > 0 ? fenToCny(Math.round(m.lt / m.lv)) : null,
    };
  const balance =
    fair === undefined || fair.balances.length === 0
      ? []
      : sampledBalance(
          daily.map((d) => d.date),
          dayIndex,
          dayIndex.size,
          fair.balances,
        );
  return { id, name, instruments, daily, monthly, balance, stylizedFacts: roundedFacts(tradedCloses) };
}

export interface RunOutput {
  readonly summary: RunSummary;
  readonly entities: readonly EntityResult[];
}

export function buildOutput(
  sim: SimResult,
  meta: { id: string; title: string; hash: string; seed: number },
  counts: { orders: number; rejected: number },
): RunOutput {
  const w = sim.world;
  const markets: Record<string, MarketSummary> = {};
  const dayIndex = new Map(sim.days.map((d, i) => [d, i]));
  for (const mw of w.markets) {
    const spec = mw.market.spec;
    markets[mw.setup.id] = marketSummary(
      mw.setup.id,
      spec.name,
      mw.setup.instrument,
      spec.instruments.map((i) => i.id),
      sim.bars,
      dayIndex,
      sim.fair.get(mw.setup.id),
    );
  }
  const entities: EntityResult[] = [];
  const sectors = new Map<string, { r: EntityReport[]; cost: number }>();
  for (const mw of w.markets) {
    if (mw.ctx === null || mw.setup.cycle === null) continue;
    const rep = cycleReport(mw.ctx, mw.setup.cycle);
    if (!rep.ok) continue;
    for (const r of rep.value.entities) {
      const acct = w.registry.find(r.entityId);
      const costFen = acct.ok ? (sim.netCostFen.get(acct.value.accountId) ?? 0) : 0;
      entities.push({
        entityId: r.entityId,
        marketId: r.marketId,
        sector: r.sector,
        cycleId: r.cycleId,
        verifiedT: r.obligationT,
        allocatedT: r.allocatedT,
        surrenderedT: r.surrenderedAllowancesT,
        offsetsT: r.surrenderedOffsetsT,
        shortfallT: r.settled ? r.shortfallT : 0,
        fineCny: fenToCny(r.fineFen),
        status: r.settled ? r.status : 'open',
        netCostCny: fenToCny(costFen),
        abatedT: acct.ok ? Math.round(w.byAccount.get(acct.value.accountId)?.abatedT ?? 0) : 0,
      });
      const key = `${r.marketId}\u0000${r.sector}\u0000${r.cycleId}`;
      const g = sectors.get(key) ?? { r: [], cost: 0 };
      g.r.push(r);
      g.cost += costFen;
      sectors.set(key, g);
    }
  }
  const compliance: SectorResult[] = [...sectors.entries()].map(([key, g]) => {
    const [marketId, sector, cycleId] = key.split('\u0000') as [string, string, string];
    const settled = g.r.every((r) => r.settled);
    const sum = (f: (r: EntityReport) => number): number => g.r.reduce((s, r) => s + f(r), 0);
    const compliant = g.r.filter((r) => r.settled && r.status === 'compliant').length;
    return {
      marketId,
      sector,
      cycleId,
      entities: g.r.length,
      verifiedT: sum((r) => r.obligationT),
      allocatedT: sum((r) => r.allocatedT),
      surrenderedT: sum((r) => r.surrenderedAllowancesT),
      offsetsT: sum((r) => r.surrenderedOffsetsT),
      shortfallT: settled ? sum((r) => r.shortfallT) : 0,
      complianceRate: settled ? Math.round((compliant / g.r.length) * 10_000) / 10_000 : 0,
      fineCny: fenToCny(sum((r) => r.fineFen)),
      netCostCny: fenToCny(g.cost),
    };
  });
  return {
    summary: {
      scenario: { id: meta.id, title: meta.title, hash: meta.hash },
      seed: meta.seed,
      period: { from: sim.days[0]!, to: sim.days[sim.days.length - 1]! },
      markets,
      compliance,
      counts: { orders: counts.orders, trades: sim.trades, rejected: counts.rejected, days: sim.days.length },
    },
    entities,
  };
}
