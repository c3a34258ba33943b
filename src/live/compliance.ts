// Compliance in class: a student surrenders allowances (or offsets) against their firm's obligation for the
// home market's cycle; their standing is read from the market's compliance book; the leaderboard scores each firm.
import Type from 'typebox';
import { entityReport, obligation, offsetCapT, surrender } from '../market/compliance/index.ts';
import { command, J } from './command.ts';
import type { RoomContext } from './context.ts';
import { LiveCode, type LiveResult, refuse } from './errors.ts';
import type { MarketData } from './market-data.ts';
import { scoreOf } from './positions.ts';
import type { Timeline } from './timeline.ts';
import type { ComplianceView, Student } from './types.ts';

export class Compliance {
  private readonly ctx: RoomContext;
  private readonly timeline: Timeline;
  private readonly marketData: MarketData;

  constructor(ctx: RoomContext, timeline: Timeline, marketData: MarketData) {
    this.ctx = ctx;
    this.timeline = timeline;
    this.marketData = marketData;
  }

  surrender(studentId: number, instrumentId: string, qtyT: number): LiveResult<ComplianceView> {
    const s = this.ctx.live(studentId);
    if (!s.ok) return s;
    const home = this.ctx.home();
    if (home.ctx === null || home.setup.cycle === null)
      return refuse(LiveCode.BadInput, 'there is no compliance cycle here');
    const r = surrender(home.ctx, s.value.entityId, home.setup.cycle, instrumentId, qtyT, this.ctx.tsMs);
    if (!r.ok) return r;
    this.ctx.tell(studentId, 'compliance', 'balance');
    return { ok: true, value: this.view(studentId)! };
  }

  /**
   * The deadline day's automatic surrender, before the market settles the cycle: each student for whom `on` is true
   * surrenders what they hold of the cycle's allowance (less what resting sell orders reserve), up to what they still
   * owe, and is told so.
   */
  autoSurrender(on: (studentId: number) => boolean): void {
    const { ctx } = this;
    const home = ctx.home();
    const cycle = home.setup.cycle;
    if (home.ctx === null || cycle === null) return;
    const ins = home.setup.instrument;
    const ledger = ctx.session.world.ledger;
    for (const s of ctx.students.values()) {
      const owedT = this.view(s.studentId)?.remainingT ?? 0;
      const h = ledger.holding(s.accountId, ins);
      const qtyT = Math.min(h.totalT - h.reservedT, owedT);
      if (!on(s.studentId) || qtyT <= 0) continue;
      if (!surrender(home.ctx, s.entityId, cycle, ins, qtyT, ctx.tsMs).ok) continue;
      ctx.tell(s.studentId, 'compliance', 'balance');
      const params = { qtyT, owedT, instrumentId: ins, deadline: this.timeline.deadline() };
      ctx.emit({ kind: 'alert', studentId: s.studentId, alert: { type: 'auto-surrender', tsMs: ctx.tsMs, params } });
    }
  }

  /** A student's standing in the cycle, or null when there is none. */
  view(studentId: number): ComplianceView | null {
    const s = this.ctx.student(studentId);
    const home = this.ctx.home();
    if (s === null || home.ctx === null || home.setup.cycle === null) return null;
    const cycle = home.setup.cycle;
    const rep = entityReport(home.ctx, s.entityId, cycle);
    const o = obligation(home.ctx, s.entityId, cycle);
    if (!rep.ok || !o.ok) return null;
    const r = rep.value;
    const surrenderedT = r.surrenderedAllowancesT + r.surrenderedOffsetsT;
    const remainingT = Math.max(0, r.obligationT - surrenderedT);
    return {
      cycle,
      deadline: this.timeline.deadline(),
      obligationT: r.obligationT,
      surrenderedT,
      remainingT,
      offsetCapT: offsetCapT(home.ctx, o.value),
      shortfallT: r.shortfallT,
      fineFen: r.fineFen,
      status: r.settled ? (r.shortfallT > 0 ? 'short' : 'met') : remainingT === 0 ? 'met' : 'open',
    };
  }

  /** Each student's profit and compliance cost (positions.ts scoreOf: the one definition), for the leaderboard. */
  scores(): { student: Student; profitFen: number; costFen: number }[] {
    const home = this.ctx.home();
    const ins = home.setup.instrument;
    const markFen = this.marketData.lastPriceFen(home.setup.id, ins);
    const ledger = this.ctx.session.world.ledger;
    return [...this.ctx.students.values()].map((s) => ({
      student: s,
      ...scoreOf(ledger, s, this.view(s.studentId), ins, markFen),
    }));
  }
}

export const complianceCommands = {
  surrender: command(
    Type.Object({ op: J.op('surrender'), studentId: J.id, instrumentId: J.text, qtyT: J.qty }),
    (room, c) => room.compliance.surrender(c.studentId, c.instrumentId, c.qtyT),
  ),
};
