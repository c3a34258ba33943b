// A student's own business: join, account and compliance, orders, takes, block proposals, surrender. Every route
// acts only on the account of the token's student: other students' orders are "not found", never visible.
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { Classroom } from '../../live/classroom.ts';
import type { Proposal } from '../../market/block.ts';
import { fenToCny } from '../../market/money.ts';
import type { SideName, TradeRecord } from '../../market/trade.ts';
import { fail, HttpError, needStudent, roomByJoinCode } from '../http.ts';
import type { Hub } from '../hub.ts';
import type { Limits } from '../limits.ts';
import { cancelByClientId, cancelOrder, fen, type OrderCmd, placeOrder } from '../order-entry.ts';
import {
  AckOut,
  AmendBody,
  BlockBody,
  CancelOut,
  ClientOrderParams,
  ComplianceOut,
  CounterBody,
  errors,
  FillOut,
  JoinBody,
  JoinOut,
  MeOut,
  OrderBody,
  OrderOut,
  OrderParams,
  ProposalOut,
  ProposalParams,
  SurrenderBody,
  TakeBody,
  TradeOut,
} from '../schemas.ts';
import { complianceView, fillView, meView, orderView, tradeView } from '../views.ts';

export function proposalView(room: Classroom, studentId: number, marketId: string, p: Readonly<Proposal>) {
  const me = room.student(studentId)!;
  // Names only: the page says "you" in its own language from `mine` (I proposed) and `toYou` (addressed to me).
  const who = (accountId: number | null): string | null => {
    if (accountId === null) return null;
    if (accountId === me.accountId) return me.name;
    const s = room.studentList().find((x) => x.accountId === accountId);
    return s === undefined ? `firm #${accountId}` : s.name;
  };
  const from = room.studentList().find((x) => x.accountId === p.proposerId);
  return {
    proposalId: p.proposalId,
    marketId,
    instrumentId: p.instrumentId,
    side: p.side,
    priceCny: fenToCny(p.priceFen),
    qtyT: p.qtyT,
    from: who(p.proposerId)!,
    fromStudentId: from?.studentId ?? null,
    to: who(p.counterpartyId),
    status: p.status,
    mine: p.proposerId === me.accountId,
    toYou: p.counterpartyId === me.accountId,
    tsMs: p.tsMs,
  };
}

export function studentRoutes(app: FastifyInstance, hub: Hub, limits: Limits): void {
  const tags = ['student'];
  const security = [{ bearer: [] }];

  app.post<{ Body: { code: string; name: string } }>(
    '/api/join',
    {
      schema: {
        tags,
        body: JoinBody,
        description:
          'Join with the classroom code and a name (unique in the classroom). Wrong codes are limited per address, ' +
          'and joins per code and address.',
        response: { 200: JoinOut, ...errors },
      },
    },
    async (req) => {
      const address = req.ip;
      const blocked = limits.joinBlocked(address);
      if (blocked !== null) throw new HttpError('RATE_LIMITED', blocked);
      const room = roomByJoinCode(hub, req.body.code);
      if (room === null) {
        limits.joinFailed(address);
        throw new HttpError('NOT_FOUND', 'no classroom has that join code');
      }
      const names = room.admitNames([req.body.name]);
      if (!names.ok) fail(names);
      const over = limits.join(room.id, address);
      if (over !== null) throw new HttpError('RATE_LIMITED', over);
      const r = hub.addStudent(room, names.value[0]!);
      if (!r.ok) fail(r);
      const d = await hub.durable();
      if (!d.ok) fail(d);
      const v = r.value;
      return { token: v.token, classroomId: v.room.id, studentId: v.studentId, accountId: v.accountId, name: v.name };
    },
  );

  app.get('/api/me', { schema: { tags, security, response: { 200: MeOut, ...errors } } }, async (req) => {
    const { room, studentId } = needStudent(hub, req);
    return meView(room, room.student(studentId)!);
  });

  app.get(
    '/api/me/orders',
    { schema: { tags, security, response: { 200: Type.Object({ orders: Type.Array(OrderOut) }), ...errors } } },
    async (req) => {
      const { room, studentId } = needStudent(hub, req);
      return {
        orders: [...room.studentOrders(studentId)]
          .reverse()
          .slice(0, 500)
          .map((o) => orderView(room, o)),
      };
    },
  );

  app.get(
    '/api/me/fills',
    { schema: { tags, security, response: { 200: Type.Object({ fills: Type.Array(FillOut) }), ...errors } } },
    async (req) => {
      const { room, studentId } = needStudent(hub, req);
      return { fills: [...room.studentFills(studentId)].reverse().slice(0, 500).map(fillView) };
    },
  );

  app.post<{ Body: OrderCmd }>(
    '/api/orders',
    { schema: { tags, security, body: OrderBody, response: { 200: AckOut, ...errors } } },
    async (req) => {
      const { room, studentId } = needStudent(hub, req);
      return placeOrder(hub, room, studentId, req.body);
    },
  );

  app.patch<{ Params: { orderId: number }; Body: { priceCny: string; qtyT: number } }>(
    '/api/orders/:orderId',
    { schema: { tags, security, params: OrderParams, body: AmendBody, response: { 200: AckOut, ...errors } } },
    async (req) => {
      const { room, studentId } = needStudent(hub, req);
      const { orderId } = req.params;
      const r = await hub.exec(room, {
        op: 'amend',
        studentId,
        orderId,
        priceFen: fen(req.body.priceCny),
        qtyT: req.body.qtyT,
      });
      if (!r.ok) fail(r);
      return r.value;
    },
  );

  app.delete<{ Params: { clientOrderId: string } }>(
    '/api/orders/client/:clientOrderId',
    { schema: { tags, security, params: ClientOrderParams, response: { 200: CancelOut, ...errors } } },
    async (req) => {
      const { room, studentId } = needStudent(hub, req);
      return cancelByClientId(hub, room, studentId, req.params.clientOrderId);
    },
  );

  app.delete<{ Params: { orderId: number } }>(
    '/api/orders/:orderId',
    { schema: { tags, security, params: OrderParams, response: { 200: CancelOut, ...errors } } },
    async (req) => {
      const { room, studentId } = needStudent(hub, req);
      return cancelOrder(hub, room, studentId, req.params.orderId);
    },
  );

  app.post<{ Body: { marketId: string; instrumentId: string; listingId: number; qtyT: number } }>(
    '/api/take',
    { schema: { tags, security, body: TakeBody, response: { 200: AckOut, ...errors } } },
    async (req) => {
      const { room, studentId } = needStudent(hub, req);
      const b = req.body;
      const { marketId, instrumentId, listingId, qtyT } = b;
      const r = await hub.exec(room, { op: 'take', studentId, marketId, instrumentId, listingId, qtyT });
      if (!r.ok) fail(r);
      return r.value;
    },
  );

  app.get(
    '/api/blocks',
    { schema: { tags, security, response: { 200: Type.Object({ proposals: Type.Array(ProposalOut) }), ...errors } } },
    async (req) => {
      const { room, studentId } = needStudent(hub, req);
      return { proposals: room.proposals(studentId).map((x) => proposalView(room, studentId, x.marketId, x.p)) };
    },
  );

  app.post<{
    Body: {
      marketId: string;
      instrumentId: string;
      side: SideName;
      priceCny: string;
      qtyT: number;
      toStudentId?: number | null;
    };
  }>(
    '/api/blocks',
    { schema: { tags, security, body: BlockBody, response: { 200: ProposalOut, ...errors } } },
    async (req) => {
      const { room, studentId } = needStudent(hub, req);
      const b = req.body;
      const r = await hub.exec(room, {
        op: 'block',
        studentId,
        marketId: b.marketId,
        instrumentId: b.instrumentId,
        side: b.side,
        priceFen: fen(b.priceCny),
        qtyT: b.qtyT,
        toStudentId: b.toStudentId ?? null,
      });
      if (!r.ok) fail(r);
      return proposalView(room, studentId, b.marketId, r.value);
    },
  );

  const respond = (action: 'accept' | 'reject' | 'counter') =>
    app.post<{ Params: { proposalId: number }; Body: { priceCny: string; qtyT: number } | undefined }>(
      `/api/blocks/:proposalId/${action}`,
      {
        schema: {
          tags,
          security,
          params: ProposalParams,
          ...(action === 'counter' ? { body: CounterBody } : {}),
          response: { 200: action === 'accept' ? TradeOut : ProposalOut, ...errors },
        },
      },
      async (req) => {
        const { room, studentId } = needStudent(hub, req);
        const id = req.params.proposalId;
        const marketId = room.proposalMarket(studentId, id);
        if (marketId === null) throw new HttpError('LIVE_ERR_UNKNOWN_PROPOSAL', `you have no proposal ${id} to answer`);
        const body = req.body;
        const counter = action === 'counter' && body !== undefined;
        const r = await hub.exec(room, {
          op: 'respond',
          studentId,
          marketId,
          proposalId: id,
          action,
          priceFen: counter ? fen(body.priceCny) : 0,
          qtyT: counter ? body.qtyT : 0,
        });
        if (!r.ok) fail(r);
        const v = r.value;
        return action === 'accept'
          ? tradeView(v as TradeRecord)
          : proposalView(room, studentId, marketId, v as Readonly<Proposal>);
      },
    );
  respond('accept');
  respond('reject');
  respond('counter');

  app.post<{ Body: { instrumentId: string; qtyT: number } }>(
    '/api/me/surrender',
    { schema: { tags, security, body: SurrenderBody, response: { 200: ComplianceOut, ...errors } } },
    async (req) => {
      const { room, studentId } = needStudent(hub, req);
      const { instrumentId, qtyT } = req.body;
      const r = await hub.exec(room, { op: 'surrender', studentId, instrumentId, qtyT });
      if (!r.ok) fail(r);
      return complianceView(r.value);
    },
  );
}
