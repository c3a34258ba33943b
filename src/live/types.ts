// What the classroom's slices and its readers share: the records it keeps and the events it reports. Money in fen,
// quantities in tonnes, times in exchange epoch ms (the server turns them into CNY and China Standard Time text).
import type { DailyBar } from '../market/daily-stats.ts';
import type { TifName } from '../market/listed.ts';
import type { SideName, TradeRecord } from '../market/trade.ts';
import type { Scenario } from '../sim/scenario/schema.ts';
import type { SimData } from '../sim/world.ts';

export type ClassroomState = 'setup' | 'running' | 'paused' | 'ended';

/**
 * The rules a classroom runs by, kept with it (the classroom row's `rules` column, src/store/live-db.ts). They exist
 * because a classroom is brought back after a restart by replaying its journal, and a journal replays only under the
 * rules that wrote it: rounds (issue 22) changed what happens at the cycle's settlement, so a class started before
 * them, which traded on past its deadline, would have its later ticks refused and the holdings the automatic
 * surrender took missing. Such a class keeps its old rules; a classroom created now gets CURRENT_RULES.
 * - RULES_BEFORE_ROUNDS (1): no automatic surrender, no end of the round at settlement: the class trades on until
 *   its period runs out, and then it has ended. A store written before the column holds classrooms of these rules.
 * - RULES_ROUNDS (2): rounds (rounds.ts): the automatic surrender on the deadline day, and the round over (the
 *   classroom paused) once the cycle has settled or the period has run out.
 */
export const RULES_BEFORE_ROUNDS = 1;
export const RULES_ROUNDS = 2;
export type RulesVersion = typeof RULES_BEFORE_ROUNDS | typeof RULES_ROUNDS;
/** The rules of a classroom created now. */
export const CURRENT_RULES: RulesVersion = RULES_ROUNDS;

/** The rules version stored as this number, or null when this version knows no such rules (a newer one wrote it). */
export function rulesVersion(n: number): RulesVersion | null {
  return n === RULES_BEFORE_ROUNDS || n === RULES_ROUNDS ? n : null;
}

export interface ClassroomConfig {
  readonly id: string;
  readonly name: string;
  readonly scenario: Scenario;
  readonly data: SimData;
  readonly seed: number;
  /** Exchange ms per wall ms: 1 real time, 60 a minute a second. */
  readonly speed: number;
  /** Multiplies the bots' looks at the market: 0 none (students only), 1 as the scenario, 2 twice as busy. */
  readonly botIntensity: number;
  /** The rules it runs by (see RULES_BEFORE_ROUNDS); unset: CURRENT_RULES. */
  readonly rules?: RulesVersion;
}

export interface Student {
  readonly studentId: number;
  readonly name: string;
  readonly accountId: number;
  readonly entityId: string;
  readonly firmName: string;
  readonly marketId: string;
  /** Cash and allowances at joining, for profit and compliance cost. */
  readonly startCashFen: number;
  readonly startAllowancesT: number;
  readonly joinedTsMs: number;
}

export type OrderStatus = 'resting' | 'filled' | 'cancelled' | 'expired';

/**
 * A student's order as the classroom remembers it once the book no longer does. While it rests, the book is the
 * truth for what is left (restingT is read from it, never copied here); filledT is the sum of the order's fills,
 * counted as each trade is delivered (see RoomContext.settle).
 */
export interface StudentOrder {
  readonly studentId: number;
  readonly orderId: number;
  readonly marketId: string;
  readonly instrumentId: string;
  readonly side: SideName;
  /** The limit price now (an amend changes it), or null for a market order. */
  priceFen: number | null;
  qtyT: number;
  filledT: number;
  readonly tif: TifName | 'take';
  readonly tsMs: number;
  cancelled: boolean;
  /** The student's own id for the order (optional; unique among the student's resting orders). */
  readonly clientOrderId?: string;
}

export interface Fill {
  readonly tradeId: number;
  readonly orderId: number | null;
  readonly marketId: string;
  readonly instrumentId: string;
  readonly side: SideName;
  readonly priceFen: number;
  readonly qtyT: number;
  readonly feeFen: number;
  readonly mode: TradeRecord['mode'];
  readonly tsMs: number;
}

export interface NewsItem {
  readonly seq: number;
  readonly tsMs: number;
  /** The English title and text (what a page shows when it does not know the kind). */
  readonly title: string;
  readonly text: string;
  /**
   * What it is, for a page to word it in its own language from `params`: 'auction-open', 'auction-closed',
   * 'auction-unsold', 'auction-withdrawn', 'deadline-moved', 'settlement', 'announcement', and a scenario's policy
   * plans 'coverage-plan', 'allocation-plan', 'ccer-outlook' (their quantities in params). Absent on items of
   * classrooms made before there were kinds.
   */
  readonly kind?: NewsKind;
  /** The values the kind's wording needs: integers (tonnes, fen in keys ending Fen, counts) and text (ids, dates). */
  readonly params?: Readonly<Record<string, string | number>>;
  /** A scenario's own Chinese title (of an announcement or a policy plan) and text (of an announcement), if given. */
  readonly titleZh?: string;
  readonly textZh?: string;
}

export type NewsKind =
  | 'auction-open'
  | 'auction-closed'
  | 'auction-unsold'
  | 'auction-withdrawn'
  | 'deadline-moved'
  | 'settlement'
  | 'announcement'
  | 'coverage-plan'
  | 'allocation-plan'
  | 'ccer-outlook'
  | 'rule-change';

/** What a news item says beside its English title and text (see NewsItem). */
export interface NewsDetail {
  readonly kind: NewsKind;
  readonly params?: Readonly<Record<string, string | number>>;
  readonly titleZh?: string;
  readonly textZh?: string;
}

export type LiveEvent =
  | { readonly kind: 'trade'; readonly marketId: string; readonly trade: TradeRecord }
  | { readonly kind: 'book'; readonly marketId: string; readonly instrumentId: string }
  | { readonly kind: 'bar'; readonly marketId: string; readonly bar: DailyBar }
  | { readonly kind: 'status' }
  | { readonly kind: 'news'; readonly item: NewsItem }
  | {
      readonly kind: 'private';
      readonly studentId: number;
      readonly what: 'order' | 'fill' | 'balance' | 'compliance' | 'bid';
    }
  | {
      readonly kind: 'alert';
      /** The student it is for, or null for the whole class. */
      readonly studentId: number | null;
      readonly alert: Alert;
    };

export type AlertType =
  | 'proposal'
  | 'auction-open'
  | 'auction-closing'
  | 'fill'
  | 'deadline-warning'
  | 'auto-surrender'
  | 'round';

/**
 * Something a person should notice now (a block proposal to them, an auction opening or closing soon, a fill, the
 * deadline near). Params are named by unit (priceFen, qtyT, auctionId, proposalId, deadline ...): the server turns
 * the *Fen ones into CNY text on the way out.
 */
export interface Alert {
  readonly type: AlertType;
  readonly tsMs: number;
  readonly params: Readonly<Record<string, string | number>>;
}

export type LiveListener = (e: LiveEvent) => void;

export interface ComplianceView {
  readonly cycle: string;
  readonly deadline: string;
  readonly obligationT: number;
  readonly surrenderedT: number;
  readonly remainingT: number;
  readonly offsetCapT: number;
  readonly shortfallT: number;
  readonly fineFen: number;
  readonly status: 'open' | 'met' | 'short';
}

export interface OrderInput {
  readonly marketId: string;
  readonly instrumentId: string;
  readonly side: SideName;
  readonly priceFen: number | null;
  readonly qtyT: number;
  readonly tif: TifName;
  /** The student's own id for the order: unique among the student's resting orders, so it can be cancelled by it. */
  readonly clientOrderId?: string;
}
