// Auctions of the government reserve: the instructor announces them and sees who won what; students see the notices
// and their own sealed bids, bid and withdraw. Bids are sealed: a student never sees another's bid, and a bid id of
// someone else's is "not found".
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { fail, needInstructor, needStudent } from '../http.ts';
import type { Hub } from '../hub.ts';
import { fen } from '../order-entry.ts';
import {
  AuctionBody,
  AuctionOut,
  AuctionParams,
  AuctionResultsOut,
  BidBody,
  BidOut,
  BidParams,
  ClassroomParams,
  errors,
} from '../schemas.ts';
import { auctionResultsView, auctionView, bidView } from '../views.ts';

export function auctionRoutes(app: FastifyInstance, hub: Hub): void {
  const security = [{ bearer: [] }];

  app.post<{
    Params: { cid: string };
    Body: { qtyT: number; reservePriceCny: string; minutes: number; allocation?: 'pay-as-bid' | 'uniform' };
  }>(
    '/api/classrooms/:cid/auctions',
    {
      schema: {
        tags: ['instructor'],
        security,
        params: ClassroomParams,
        body: AuctionBody,
        description:
          "Announces an auction of the government reserve in the classroom's home market: bidding opens now and " +
          'closes after the given trading minutes, when the exchange allocates best price first.',
        response: { 200: AuctionOut, ...errors },
      },
    },
    async (req) => {
      const room = needInstructor(hub, req, req.params.cid);
      const b = req.body;
      const r = await hub.exec(room, {
        op: 'auction',
        qtyT: b.qtyT,
        reservePriceFen: fen(b.reservePriceCny),
        minutes: b.minutes,
        ...(b.allocation === undefined ? {} : { allocation: b.allocation }),
      });
      if (!r.ok) fail(r);
      return auctionView(r.value);
    },
  );

  app.get<{ Params: { cid: string } }>(
    '/api/classrooms/:cid/auctions',
    {
      schema: {
        tags: ['instructor'],
        security,
        params: ClassroomParams,
        response: { 200: Type.Object({ auctions: Type.Array(AuctionResultsOut) }), ...errors },
      },
    },
    async (req) => {
      const room = needInstructor(hub, req, req.params.cid);
      return { auctions: room.auctionNotices().map((n) => auctionResultsView(room, n)) };
    },
  );

  const tags = ['student'];
  app.get(
    '/api/auctions',
    {
      schema: {
        tags,
        security,
        description: 'The notices (newest first, with the public outcome once closed) and your own bids.',
        response: {
          200: Type.Object({ auctions: Type.Array(AuctionOut), bids: Type.Array(BidOut) }),
          ...errors,
        },
      },
    },
    async (req) => {
      const { room, studentId } = needStudent(hub, req);
      return {
        auctions: room.auctionNotices().map(auctionView),
        bids: room.studentBids(studentId).reverse().map(bidView),
      };
    },
  );

  app.post<{ Params: { auctionId: string }; Body: { priceCny: string; qtyT: number } }>(
    '/api/auctions/:auctionId/bids',
    { schema: { tags, security, params: AuctionParams, body: BidBody, response: { 200: BidOut, ...errors } } },
    async (req) => {
      const { room, studentId } = needStudent(hub, req);
      const { auctionId } = req.params;
      const r = await hub.exec(room, {
        op: 'bid',
        studentId,
        auctionId,
        priceFen: fen(req.body.priceCny),
        qtyT: req.body.qtyT,
      });
      if (!r.ok) fail(r);
      return bidView(r.value);
    },
  );

  app.delete<{ Params: { auctionId: string; bidId: string } }>(
    '/api/auctions/:auctionId/bids/:bidId',
    { schema: { tags, security, params: BidParams, response: { 200: BidOut, ...errors } } },
    async (req) => {
      const { room, studentId } = needStudent(hub, req);
      const { auctionId, bidId } = req.params;
      const r = await hub.exec(room, { op: 'cancel-bid', studentId, auctionId, bidId });
      if (!r.ok) fail(r);
      return bidView(r.value);
    },
  );
}
