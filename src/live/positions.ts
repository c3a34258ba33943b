// Where each student stands: what their firm owes for the cycle against what it holds, how short or long that
// leaves it (in tonnes and at the last price), its profit and compliance cost (scoreOf: the one definition, which the
// leaderboard's Compliance.scores() uses too), its fine and cash, and when the deadline falls and its warning starts
// in exchange time. A read model: it keeps nothing, so it adds nothing to snapshots or the state hash.
import type { Ledger } from '../market/ledger.ts';
import { tsOf } from '../market/time.ts';
import type { Compliance } from './compliance.ts';
import type { RoomContext } from './context.ts';
import type { MarketData } from './market-data.ts';
import type { Timeline } from './timeline.ts';
import type { ComplianceView, Student } from './types.ts';

/**
 * How long before the deadline's close students are warned: from the open of the trading day before the deadline
 * day, so the warning stands for the last two trading days. Exchange time runs only through trading hours, so a
 * span in trading days reads the same at any speed the instructor sets (at 60x two days are about ten minutes of
 * class), where a span in hours would vanish overnight.
 */
export const WARN_TRADING_DAYS = 2;

export interface PositionView {
  readonly studentId: number;
  readonly name: string;
  readonly firmName: string;
  readonly marketId: string;
  /** The instrument the firm complies with (the home market's allowance). */
  readonly instrumentId: string;
  readonly obligationT: number;
  /** Allowances held now (including those reserved for sell orders). */
  readonly heldT: number;
  readonly surrenderedT: number;
  /** What is still owed beyond what is held (0 when long): what surrendering everything would leave unpaid. */
  readonly shortT: number;
  /** What is held beyond what is still owed (0 when short). */
  readonly longT: number;
  /** shortT and longT at the last price. */
  readonly shortValueFen: number;
  readonly longValueFen: number;
  readonly lastPriceFen: number;
  readonly profitFen: number;
  readonly complianceCostFen: number;
  readonly fineFen: number;
  readonly cashFen: number;
  /** The deadline's date, and its close in exchange time (the end of the last session of its settlement day). */
  readonly deadline: string;
  readonly deadlineTsMs: number;
  /** From when students are warned (WARN_TRADING_DAYS before the deadline). */
  readonly warnFromTsMs: number;
  readonly status: ComplianceView['status'];
  /** Whether the classroom surrenders what the student holds on the deadline day (A1's setting). */
  readonly autoSurrender: boolean;
  /** Whether a bot runs the firm while the student is away (A1's presence). */
  readonly away: boolean;
}

/** A student's two switches, read from the classroom's presence and settings. */
export type FlagsOf = (studentId: number) => { readonly autoSurrender: boolean; readonly away: boolean };

export class Positions {
  private readonly ctx: RoomContext;
  private readonly compliance: Compliance;
  private readonly marketData: MarketData;
  private readonly timeline: Timeline;
  /** Wiring, not state (not enumerable: snapshots leave it out). */
  declare private readonly flags: FlagsOf;

  constructor(ctx: RoomContext, compliance: Compliance, marketData: MarketData, timeline: Timeline, flags: FlagsOf) {
    Object.defineProperty(this, 'flags', { value: flags, enumerable: false });
    this.ctx = ctx;
    this.compliance = compliance;
    this.marketData = marketData;
    this.timeline = timeline;
  }

  /** One student's position, or null for no such student. */
  of(studentId: number): PositionView | null {
    const s = this.ctx.student(studentId);
    return s === null ? null : this.build(s, this.common());
  }

  /** Every student's position, in the order they joined. */
  all(): PositionView[] {
    const common = this.common();
    return [...this.ctx.students.values()].map((s) => this.build(s, common));
  }

  /** What every student's position shares: the home instrument, its last price, the deadline. */
  private common() {
    const { marketId, instrumentId } = this.marketData.home();
    const deadline = this.timeline.deadline();
    return {
      marketId,
      instrumentId,
      lastPriceFen: this.marketData.lastPriceFen(marketId, instrumentId),
      deadline,
      ...this.deadlineTimes(deadline),
    };
  }

  private build(student: Student, common: ReturnType<Positions['common']>): PositionView {
    const { marketId, instrumentId, lastPriceFen, deadline, deadlineTsMs, warnFromTsMs } = common;
    const ledger = this.ctx.session.world.ledger;
    const c = this.compliance.view(student.studentId);
    const { profitFen, costFen } = scoreOf(ledger, student, c, instrumentId, lastPriceFen);
    const heldT = ledger.totalT(student.accountId, instrumentId);
    const netT = heldT - (c?.remainingT ?? 0);
    const shortT = Math.max(0, -netT);
    const longT = Math.max(0, netT);
    return {
      studentId: student.studentId,
      name: student.name,
      firmName: student.firmName,
      marketId,
      instrumentId,
      obligationT: c?.obligationT ?? 0,
      heldT,
      surrenderedT: c?.surrenderedT ?? 0,
      shortT,
      longT,
      shortValueFen: shortT * lastPriceFen,
      longValueFen: longT * lastPriceFen,
      lastPriceFen,
      profitFen,
      complianceCostFen: costFen,
      fineFen: c?.fineFen ?? 0,
      cashFen: ledger.account(student.accountId)!.cashFen,
      deadline,
      deadlineTsMs,
      warnFromTsMs,
      status: c?.status ?? 'open',
      ...this.flags(student.studentId),
    };
  }

  /**
   * The deadline's close and the warning's start, in exchange time. The close is that of the last trading day on or
   * before the deadline (when the market settles the cycle: a deadline on a holiday settles the trading day before),
   * and of the period's last day when the deadline lies past it (the round ends there).
   */
  deadlineTimes(deadline: string = this.timeline.deadline()): { deadlineTsMs: number; warnFromTsMs: number } {
    const { windows } = this.ctx;
    const closeMin = windows[windows.length - 1]?.[1] ?? 24 * 60;
    const openMin = windows[0]?.[0] ?? 0;
    const days = this.ctx.session.days;
    let last = days.length - 1;
    while (last > 0 && days[last]! > deadline) last--;
    const day = days[last] !== undefined && days[last]! <= deadline ? days[last]! : deadline;
    const deadlineTsMs = tsOf(day, '00:00') + closeMin * 60_000;
    const from = days[Math.max(0, last - (WARN_TRADING_DAYS - 1))] ?? deadline;
    return { deadlineTsMs, warnFromTsMs: Math.min(deadlineTsMs, tsOf(from, '00:00') + openMin * 60_000) };
  }
}

/**
 * Profit: the change in what the firm is worth at the mark (the home market's last price): cash, plus allowances
 * held, less the allowances still owed for the cycle and any fine. Compliance cost: cash spent on the market (net of
 * sales) plus fines, plus what the allowances still missing would cost at the mark.
 */
export function scoreOf(
  ledger: Ledger,
  s: Student,
  c: ComplianceView | null,
  instrumentId: string,
  markFen: number,
): { profitFen: number; costFen: number } {
  const a = ledger.account(s.accountId)!;
  const heldT = ledger.totalT(s.accountId, instrumentId);
  const owedT = c?.remainingT ?? 0;
  const fine = c?.fineFen ?? 0;
  const worth = a.cashFen + (heldT - owedT) * markFen - fine;
  const start = s.startCashFen + (s.startAllowancesT - (c?.obligationT ?? 0)) * markFen;
  const missingT = Math.max(0, owedT - heldT);
  return { profitFen: worth - start, costFen: s.startCashFen - a.cashFen + fine + missingT * markFen };
}
