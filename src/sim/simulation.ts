// A whole run in one go: every trading day of the period, begun and ended on a SimSession (src/sim/session.ts holds
// the discrete-event loop and documents its steps). Pure and deterministic: no clock, only seeded streams; the same
// input gives the same output, byte for byte.

import type { DailyBar } from '../market/daily-stats.ts';
import type { Balance } from './fundamentals/outlook.ts';
import type { LoggedEvent } from './output-types.ts';
import type { Scenario } from './scenario/schema.ts';
import { SimSession } from './session.ts';
import type { SimData, World } from './world.ts';

export interface SimInput extends SimData {
  readonly scenario: Scenario;
  readonly seed: number;
  /**
   * A replay's target for a market's public valuation on a date (fen), or null: the morning update then solves for
   * the news that reaches it (fundamentals/daily.ts). Absent in every other run.
   */
  readonly steer?: (marketId: string, date: string) => number | null;
  /** Keep every trade (SimResult.tradeLog): `--trades`. Off by default: a year of every market is 100,000s. */
  readonly keepTrades?: boolean;
}

/** One trade as the log keeps it: who by account, what, when (exchange time), at what price. */
export interface TradeLogRow {
  readonly tradeId: number;
  readonly tsMs: number;
  readonly marketId: string;
  readonly instrumentId: string;
  readonly mode: string;
  readonly priceFen: number;
  readonly qtyT: number;
  readonly buyerId: number;
  readonly sellerId: number;
}

export interface MarketBar extends DailyBar {
  readonly marketId: string;
}

export interface SimResult {
  readonly world: World;
  readonly days: readonly string[];
  readonly bars: readonly MarketBar[];
  readonly events: readonly LoggedEvent[];
  readonly trades: number;
  /** Net cash spent on trades per account (buys + fees − sells), fen. */
  readonly netCostFen: ReadonlyMap<number, number>;
  /** Every trade in the order made, when the input asked to keep them; otherwise empty. */
  readonly tradeLog: readonly TradeLogRow[];
  /** Per market per day: the public valuation and the agents' mean valuation (fen), and the outlook's balance. */
  readonly fair: ReadonlyMap<
    string,
    {
      readonly publicFen: readonly number[];
      readonly agentsFen: readonly number[];
      readonly balances: readonly Balance[];
    }
  >;
}

export function simulate(input: SimInput): SimResult {
  const session = new SimSession(input);
  while (!session.done()) {
    session.beginDay();
    session.endDay();
  }
  return session.result();
}
