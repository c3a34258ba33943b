// Market data and the classroom's state: readable without a token (a projector in the classroom shows them).
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { HttpError, roomOf } from '../http.ts';
import type { Hub } from '../hub.ts';
import {
  BarOut,
  CandleOut,
  ClassroomOut,
  ClassroomParams,
  DepthOut,
  errors,
  InstrumentQuery,
  LeaderboardOut,
  MarketParams,
  MarketRulesOut,
  NewsOut,
  TradeOut,
} from '../schemas.ts';
import {
  barView,
  candlesView,
  classroomView,
  depthView,
  leaderboardView,
  marketRulesView,
  newsView,
  tradeView,
} from '../views.ts';
import type { Streams } from '../ws/streams.ts';

interface MarketReq {
  Params: { cid: string; mid: string };
  Querystring: { instrument: string; levels?: number; limit?: number; minutes?: number };
}

export function publicRoutes(app: FastifyInstance, hub: Hub, streams: Streams): void {
  const tags = ['market data'];
  app.get('/api/health', { schema: { tags, response: { 200: Type.Object({ ok: Type.Boolean() }) } } }, async () => ({
    ok: true,
  }));

  app.get<{ Params: { cid: string } }>(
    '/api/classrooms/:cid',
    { schema: { tags, params: ClassroomParams, response: { 200: ClassroomOut, ...errors } } },
    async (req) => classroomView(roomOf(hub, req.params.cid)),
  );

  app.get<{ Params: { cid: string; mid: string } }>(
    '/api/classrooms/:cid/markets/:mid',
    { schema: { tags, params: MarketParams, response: { 200: MarketRulesOut, ...errors } } },
    async (req) => {
      const v = marketRulesView(roomOf(hub, req.params.cid), req.params.mid);
      if (v === null) throw new HttpError('NOT_FOUND', `there is no market ${req.params.mid} here`);
      return v;
    },
  );

  /** The classroom of a market route, 404 when it or the market is not there. */
  const marketRoom = (req: { params: { cid: string; mid: string } }) => {
    const room = roomOf(hub, req.params.cid);
    if (!room.hasMarket(req.params.mid)) throw new HttpError('NOT_FOUND', `there is no market ${req.params.mid}`);
    return room;
  };

  const marketSchema = (out: object) => ({
    schema: { tags, params: MarketParams, querystring: InstrumentQuery, response: { 200: out, ...errors } },
  });

  app.get<MarketReq>('/api/classrooms/:cid/markets/:mid/depth', marketSchema(DepthOut), async (req) => {
    const room = roomOf(hub, req.params.cid);
    const v = depthView(room, req.params.mid, req.query.instrument, req.query.levels ?? 10);
    if (v === null) throw new HttpError('NOT_FOUND', `${req.params.mid} does not trade ${req.query.instrument}`);
    return { ...v, seq: streams.seqOf(room, `depth:${req.params.mid}:${req.query.instrument}`) };
  });

  app.get<MarketReq>(
    '/api/classrooms/:cid/markets/:mid/trades',
    marketSchema(Type.Object({ trades: Type.Array(TradeOut) })),
    async (req) => {
      const room = marketRoom(req);
      return { trades: room.recentTrades(req.params.mid, req.query.instrument, req.query.limit ?? 50).map(tradeView) };
    },
  );

  app.get<MarketReq>(
    '/api/classrooms/:cid/markets/:mid/bars',
    marketSchema(Type.Object({ bars: Type.Array(BarOut) })),
    async (req) => {
      const room = marketRoom(req);
      return {
        bars: room
          .bars(req.params.mid)
          .filter((b) => b.instrumentId === req.query.instrument)
          .map(barView),
      };
    },
  );

  app.get<MarketReq>(
    '/api/classrooms/:cid/markets/:mid/candles',
    marketSchema(Type.Object({ candles: Type.Array(CandleOut) })),
    async (req) => {
      const room = marketRoom(req);
      return { candles: candlesView(room.trades(req.params.mid), req.query.instrument, req.query.minutes ?? 5) };
    },
  );

  app.get<{ Params: { cid: string } }>(
    '/api/classrooms/:cid/news',
    {
      schema: {
        tags,
        params: ClassroomParams,
        response: { 200: Type.Object({ news: Type.Array(NewsOut) }), ...errors },
      },
    },
    async (req) => ({ news: [...roomOf(hub, req.params.cid).news].reverse().map(newsView) }),
  );

  app.get<{ Params: { cid: string } }>(
    '/api/classrooms/:cid/leaderboard',
    { schema: { tags, params: ClassroomParams, response: { 200: LeaderboardOut, ...errors } } },
    async (req) => leaderboardView(roomOf(hub, req.params.cid)),
  );
}
