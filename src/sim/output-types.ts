// What a run produces, in the shape written to the run folder. Money is a decimal string in CNY ("99.48",
// "1580632300.00"), quantities whole tonnes, dates YYYY-MM-DD (China time). summary.json is RunSummary.

import type { StylizedFactsValues } from './stylized-facts.ts';

export interface ModeTotals {
  readonly volumeT: number;
  /** CNY, two decimals. */
  readonly turnoverCny: string;
}

/** One trading day of one market, all its instruments together (the national market's vintages as one). */
export interface DailyRow {
  readonly date: string;
  /** Listed prices in CNY per tonne: first trade, highest, lowest; null when nothing traded that day. */
  readonly open: string | null;
  readonly high: string | null;
  readonly low: string | null;
  /** The market's close: the comprehensive price over its instruments (listed VWAP, or previous close). */
  readonly close: string | null;
  readonly listed: ModeTotals;
  readonly block: ModeTotals;
  /**
   * The public valuation of an allowance that morning (from fundamentals), and the agents' mean valuation, CNY per
   * tonne; null when the simulation has no valuation for the day. Absent in summaries made before they were
   * recorded (issue 17) and in hand-made ones.
   */
  readonly fairValue?: string | null;
  readonly agentsValue?: string | null;
}

/** A market's expected balance on one day, as its outlook saw it (src/sim/fundamentals/outlook.ts, Balance). */
export interface BalanceRow {
  readonly date: string;
  /** Expected shortage that news events have added (a replay's inferred news), tonnes; absent when none. */
  readonly newsT?: number;
  /** Net position of the current compliance cycle, tonnes (negative: short). */
  readonly currentT: number;
  /** Tonnes expected to be carried past the cycle's deadline into the horizon. */
  readonly carryT: number;
  /** Per year of the horizon: expected deficit (negative: a surplus) and tonnes abated, at the value found. */
  readonly years: readonly { readonly year: number; readonly deficitT: number; readonly abatedT: number }[];
}

/**
 * Stylized facts of the daily closes: log returns of consecutive closes of the days that traded (listed trades of
 * the market's main instrument). Figures have 6 significant digits; null when they cannot be computed (fewer than
 * two returns, or no variance). Estimators in src/sim/stylized-facts.ts.
 */
export type StylizedFacts = StylizedFactsValues;

export interface MonthRow {
  readonly listed: ModeTotals;
  readonly block: ModeTotals;
  /** Volume-weighted average listed price of the month, or null. */
  readonly listedAverage: string | null;
}

export interface MarketSummary {
  readonly id: string;
  readonly name: string;
  readonly instruments: readonly string[];
  readonly daily: readonly DailyRow[];
  /** Keyed YYYY-MM. */
  readonly monthly: Readonly<Record<string, MonthRow>>;
  /**
   * The expected balance, sampled: the first trading day, the last trading day of each month and the last day of
   * the run. Not every day: a daily balance row (a few horizon years) is larger than a daily price row, and would
   * more than double summary.json (measured: deadline-2024, 9 markets, 242 days, 1.06 MB -> about 2.2 MB), which
   * batches also hold in memory for every run. The monthly sample shows the slow drift; the valuations are daily.
   * Empty for a market without an outlook (no compliance cycle). Absent in summaries made before issue 17.
   */
  readonly balance?: readonly BalanceRow[];
  /** Absent in summaries made before issue 17 (the report then computes them from the daily closes). */
  readonly stylizedFacts?: StylizedFacts;
}

export type EventKind =
  | 'announcement'
  | 'band'
  | 'offset-cap'
  | 'deadline'
  | 'admit-sectors'
  | 'allocation'
  | 'ccer-issuance'
  | 'coverage-plan'
  | 'allocation-plan'
  | 'ccer-outlook'
  | 'news'
  | 'settlement'
  | 'note';

/** One line of the event log: scenario events as they took effect, and what the simulator did because of them. */
export interface LoggedEvent {
  readonly date: string;
  readonly kind: EventKind;
  /** The market the event concerns, or null for all. */
  readonly marketId: string | null;
  readonly text: string;
}

export interface EntityResult {
  readonly entityId: string;
  readonly marketId: string;
  readonly sector: string;
  readonly cycleId: string;
  readonly verifiedT: number;
  readonly allocatedT: number;
  readonly surrenderedT: number;
  readonly offsetsT: number;
  readonly shortfallT: number;
  readonly fineCny: string;
  /** 'compliant' | 'late' | 'short' | 'open' (deadline not reached in the run). */
  readonly status: string;
  /** CNY spent net on allowances and offsets during the run (buys - sells, fees included). */
  readonly netCostCny: string;
  /** Tonnes it abated during the run at its own valuation (they lower its later emissions), whole tonnes. */
  readonly abatedT: number;
}

export interface SectorResult {
  readonly marketId: string;
  readonly sector: string;
  readonly cycleId: string;
  readonly entities: number;
  readonly verifiedT: number;
  readonly allocatedT: number;
  readonly surrenderedT: number;
  readonly offsetsT: number;
  readonly shortfallT: number;
  /** Share of entities fully compliant, 0..1, 4 decimals. */
  readonly complianceRate: number;
  readonly fineCny: string;
  readonly netCostCny: string;
}

export interface RunSummary {
  readonly scenario: { readonly id: string; readonly title: string; readonly hash: string };
  readonly seed: number;
  readonly period: { readonly from: string; readonly to: string };
  /** Keyed by market id: national, beijing, ..., ccer. */
  readonly markets: Readonly<Record<string, MarketSummary>>;
  readonly compliance: readonly SectorResult[];
  readonly counts: {
    readonly orders: number;
    readonly trades: number;
    readonly rejected: number;
    readonly days: number;
  };
}
