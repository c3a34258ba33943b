// Block trades between students: a proposal to one student or to all, accepted, rejected or countered. The
// market's block desk holds the proposals (the one copy); this slice checks the students and tells them.
import Type from 'typebox';
import type { Proposal } from '../market/block.ts';
import type { Market } from '../market/market.ts';
import type { SideName } from '../market/trade.ts';
import { alertEvent } from './alerts.ts';
import { command, J } from './command.ts';
import type { RoomContext } from './context.ts';

export interface BlockInput {
  readonly marketId: string;
  readonly instrumentId: string;
  readonly side: SideName;
  readonly priceFen: number;
  readonly qtyT: number;
  /** The student it is offered to, or null for every student. */
  readonly toStudentId: number | null;
}

export class Blocks {
  private readonly ctx: RoomContext;

  constructor(ctx: RoomContext) {
    this.ctx = ctx;
  }

  propose(studentId: number, cmd: BlockInput) {
    const { ctx } = this;
    const s = ctx.live(studentId);
    if (!s.ok) return s;
    const mw = ctx.marketOf(cmd.marketId);
    if (mw === null) return ctx.noMarket(cmd.marketId);
    let counterpartyId: number | null = null;
    if (cmd.toStudentId !== null) {
      const to = ctx.student(cmd.toStudentId);
      if (to === null) return ctx.noStudent(cmd.toStudentId);
      counterpartyId = to.accountId;
    }
    const r = mw.market.proposeBlock({
      tsMs: ctx.tsMs,
      proposerId: s.value.accountId,
      counterpartyId,
      side: cmd.side,
      instrumentId: cmd.instrumentId,
      priceFen: cmd.priceFen,
      qtyT: cmd.qtyT,
    });
    if (r.ok) ctx.tell(studentId, 'balance');
    if (r.ok && cmd.toStudentId !== null) {
      ctx.tell(cmd.toStudentId, 'order');
      this.alert(cmd.toStudentId, cmd.marketId, r.value, s.value.studentId);
    }
    return r;
  }

  respond(
    studentId: number,
    marketId: string,
    proposalId: number,
    action: 'accept' | 'reject' | 'counter',
    priceFen = 0,
    qtyT = 0,
  ) {
    const { ctx } = this;
    const s = ctx.live(studentId);
    if (!s.ok) return s;
    const mw = ctx.marketOf(marketId);
    if (mw === null) return ctx.noMarket(marketId);
    const m: Market = mw.market;
    const r =
      action === 'accept'
        ? m.acceptBlock(ctx.tsMs, proposalId, s.value.accountId)
        : action === 'reject'
          ? m.rejectBlock(ctx.tsMs, proposalId, s.value.accountId)
          : m.counterBlock(ctx.tsMs, proposalId, s.value.accountId, priceFen, qtyT);
    if (r.ok) {
      ctx.tell(studentId, 'balance');
      const proposer = m.block?.get(proposalId);
      const other = proposer === null || proposer === undefined ? undefined : ctx.byAccount.get(proposer.proposerId);
      if (other !== undefined) ctx.tell(other.studentId, 'order');
      // A counter is a new proposal, to the one who proposed: they should see it at once.
      if (action === 'counter' && other !== undefined && 'proposalId' in r.value)
        this.alert(other.studentId, marketId, r.value, studentId);
    }
    return r;
  }

  /** Tells a student a proposal names them as its counterparty. */
  private alert(toStudentId: number, marketId: string, p: Readonly<Proposal>, fromStudentId: number): void {
    this.ctx.emit(
      alertEvent(toStudentId, 'proposal', p.tsMs, {
        proposalId: p.proposalId,
        marketId,
        instrumentId: p.instrumentId,
        side: p.side,
        priceFen: p.priceFen,
        qtyT: p.qtyT,
        fromStudentId,
        from: this.ctx.student(fromStudentId)?.name ?? '',
        ...(p.parentId === null ? {} : { counters: p.parentId }),
      }),
    );
  }

  /** Block proposals a student may see (theirs, addressed to them, or open to all), with the market they are in. */
  visibleTo(studentId: number) {
    const s = this.ctx.student(studentId);
    if (s === null) return [];
    const out = [];
    for (const mw of this.ctx.session.world.markets)
      for (const p of mw.market.block?.visibleTo(s.accountId) ?? []) out.push({ marketId: mw.setup.id, p });
    return out;
  }

  /** Which market a proposal id belongs to, looking in every market's desk the student can see. */
  marketOf(studentId: number, proposalId: number): string | null {
    for (const x of this.visibleTo(studentId)) if (x.p.proposalId === proposalId) return x.marketId;
    return null;
  }
}

export const blockCommands = {
  block: command(
    Type.Object({
      op: J.op('block'),
      studentId: J.id,
      marketId: J.text,
      instrumentId: J.text,
      side: J.side,
      priceFen: J.fen,
      qtyT: J.qty,
      toStudentId: Type.Union([J.id, Type.Null()]),
    }),
    (room, c) => {
      const { marketId, instrumentId, side, priceFen, qtyT, toStudentId } = c;
      return room.blocks.propose(c.studentId, { marketId, instrumentId, side, priceFen, qtyT, toStudentId });
    },
  ),
  respond: command(
    Type.Object({
      op: J.op('respond'),
      studentId: J.id,
      marketId: J.text,
      proposalId: J.id,
      action: Type.Union([Type.Literal('accept'), Type.Literal('reject'), Type.Literal('counter')]),
      priceFen: J.fen,
      qtyT: J.qty,
    }),
    (room, c) => room.blocks.respond(c.studentId, c.marketId, c.proposalId, c.action, c.priceFen, c.qtyT),
  ),
};
