// What a run produces, in the shape written to the run folder. Money is a decimal string in CNY ("99.48",
// "1580632300.00"), quantities whole tonnes, dates YYYY-MM-DD (China time). summary.json is RunSummary.

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
}

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
}

export type EventKind =
  | 'announcement'
  | 'band'
  | 'offset-cap'
  | 'deadline'
  | 'admit-sectors'
  | 'allocation'
  | 'ccer-issuance'
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
