// What the API sends: the classroom's fen-and-tonne objects as JSON with money in CNY decimal strings and exchange
// times both as epoch ms and as China Standard Time text. One place, shared by HTTP and WebSocket answers.
import type { AuctionNotice } from '../live/auction-notices.ts';
import type { Classroom, ComplianceView, Fill, NewsItem, Student, StudentOrder } from '../live/classroom.ts';
import type { BidView } from '../market/auction-types.ts';
import type { DailyBar } from '../market/daily-stats.ts';
import { fenToCny } from '../market/money.ts';
import { cstClockText, cstDate } from '../market/time.ts';
import type { TradeRecord } from '../market/trade.ts';

const cny = fenToCny;

export function cstTime(tsMs: number): string {
  return `${cstDate(tsMs)} ${cstClockText(tsMs)}`;
}

export function classroomView(room: Classroom) {
  return {
    id: room.id,
    name: room.name,
    state: room.state,
    clock: {
      tsMs: room.nowTsMs,
      time: cstTime(room.nowTsMs),
      date: room.date,
      speed: room.speed,
      session: room.sessionNow,
    },
    botIntensity: room.botIntensity,
    markets: room.marketList(),
    deadline: room.deadlineDate,
    round: room.round(),
    /** A class started before rounds: its one round runs to the end of its period, with no lobby or next round. */
    beforeRounds: room.beforeRounds,
    leaderboardVisible: room.leaderboardVisible,
    autoSurrender: room.autoSurrender,
  };
}

export function marketRulesView(room: Classroom, marketId: string) {
  const r = room.marketRules(marketId);
  if (r === null) return null;
  const { spec } = r;
  const l = spec.modes.listed;
  const bands: Record<string, { lowCny: string; highCny: string; refCny: string }> = {};
  for (const [id, b] of Object.entries(r.bands))
    bands[id] = { lowCny: cny(b.lowFen), highCny: cny(b.highFen), refCny: cny(b.refFen) };
  return {
    id: spec.id,
    name: spec.name,
    instruments: spec.instruments.map((i) => ({ id: i.id, kind: i.kind })),
    listed: {
      matching: l.matching,
      bestN: l.matching === 'best-n' ? l.listedDepth : null,
      tickCny: cny(l.tickFen),
      lotT: l.lotT,
      minOrderT: l.minQtyT,
      maxOrderT: l.maxQtyT,
      bandPct: l.bandBps / 100,
      sessions: l.sessions,
      feeBps: l.feeBps,
    },
    block:
      spec.modes.block === null
        ? null
        : {
            minQtyT: spec.modes.block.minQtyT,
            bandPct: spec.modes.block.bandBps / 100,
            sessions: spec.modes.block.sessions,
          },
    bands,
  };
}

export interface DepthLevel {
  priceCny: string;
  qtyT: number;
  orders: number;
}

export function depthView(room: Classroom, marketId: string, instrumentId: string, levels: number) {
  const d = room.depth(marketId, instrumentId, levels);
  if (d === null) return null;
  const level = (l: { priceFen: number; qtyT: number; orders: number }): DepthLevel => ({
    priceCny: cny(l.priceFen),
    qtyT: l.qtyT,
    orders: l.orders,
  });
  // The listings of the best five levels each side: what a taker may pick from under listed agreement.
  const listing = (l: { listingId: number; priceFen: number; qtyT: number }): ListingView => ({
    listingId: l.listingId,
    priceCny: cny(l.priceFen),
    qtyT: l.qtyT,
  });
  return {
    instrumentId,
    bids: d.bids.map(level),
    asks: d.asks.map(level),
    listings: { bids: d.listings.bids.map(listing), asks: d.listings.asks.map(listing) },
  };
}

interface ListingView {
  listingId: number;
  priceCny: string;
  qtyT: number;
}

export function tradeView(t: TradeRecord) {
  return {
    tradeId: t.tradeId,
    tsMs: t.tsMs,
    time: cstTime(t.tsMs),
    marketId: t.marketId,
    instrumentId: t.instrumentId,
    mode: t.mode,
    priceCny: cny(t.priceFen),
    qtyT: t.qtyT,
    aggressor: t.mode === 'listed' ? t.aggressor : null,
  };
}

export function barView(b: DailyBar) {
  return {
    date: b.date,
    instrumentId: b.instrumentId,
    mode: b.mode,
    open: b.openFen === null ? null : cny(b.openFen),
    high: b.highFen === null ? null : cny(b.highFen),
    low: b.lowFen === null ? null : cny(b.lowFen),
    close: b.closeFen === null ? null : cny(b.closeFen),
    volumeT: b.volumeT,
    turnoverCny: cny(b.turnoverFen),
  };
}

/** Candles of `minutes` from the tape (listed trades), oldest first. */
export function candlesView(trades: readonly TradeRecord[], instrumentId: string, minutes: number) {
  const span = minutes * 60_000;
  const out: { tsMs: number; open: string; high: string; low: string; close: string; volumeT: number }[] = [];
  let cur: { tsMs: number; o: number; h: number; l: number; c: number; v: number } | null = null;
  const flush = (): void => {
    if (cur !== null)
      out.push({
        tsMs: cur.tsMs,
        open: cny(cur.o),
        high: cny(cur.h),
        low: cny(cur.l),
        close: cny(cur.c),
        volumeT: cur.v,
      });
  };
  for (const t of trades) {
    if (t.instrumentId !== instrumentId || t.mode !== 'listed') continue;
    const start = Math.floor(t.tsMs / span) * span;
    if (cur === null || cur.tsMs !== start) {
      flush();
      cur = { tsMs: start, o: t.priceFen, h: t.priceFen, l: t.priceFen, c: t.priceFen, v: 0 };
    }
    cur.h = Math.max(cur.h, t.priceFen);
    cur.l = Math.min(cur.l, t.priceFen);
    cur.c = t.priceFen;
    cur.v += t.qtyT;
  }
  flush();
  return out;
}

export function newsView(n: NewsItem) {
  return { seq: n.seq, tsMs: n.tsMs, ...newsFields(n) };
}

/** What a news item says, as the pages word it: the news channel's items and the debrief's events alike. */
export function newsFields(n: Pick<NewsItem, 'tsMs' | 'title' | 'text' | 'kind' | 'params' | 'titleZh' | 'textZh'>) {
  return {
    time: cstTime(n.tsMs),
    title: n.title,
    text: n.text,
    kind: n.kind ?? null,
    params: newsParams(n.params),
    titleZh: n.titleZh ?? null,
    textZh: n.textZh ?? null,
  };
}

/** A news item's params for people: money in fen (keys ending Fen) becomes CNY text (the key ending Cny). */
export function newsParams(p: NewsItem['params']): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(p ?? {}))
    if (k.endsWith('Fen') && typeof v === 'number') out[`${k.slice(0, -3)}Cny`] = cny(v);
    else out[k] = v;
  return out;
}

export function accountView(room: Classroom, s: Student) {
  const a = room.account(s.studentId)!;
  return {
    cashCny: cny(a.cashFen),
    reservedCny: cny(a.reservedFen),
    availableCny: cny(a.availableFen),
    holdings: a.holdings.map(([instrumentId, h]) => ({ instrumentId, ...h })),
  };
}

export function complianceView(c: ComplianceView | null) {
  if (c === null) return null;
  return {
    cycle: c.cycle,
    deadline: c.deadline,
    obligationT: c.obligationT,
    surrenderedT: c.surrenderedT,
    remainingT: c.remainingT,
    offsetCapT: c.offsetCapT,
    shortfallT: c.shortfallT,
    fineCny: cny(c.fineFen),
    status: c.status,
  };
}

export function meView(room: Classroom, s: Student) {
  return {
    studentId: s.studentId,
    name: s.name,
    firm: s.firmName,
    accountId: s.accountId,
    classroomId: room.id,
    marketId: s.marketId,
    account: accountView(room, s),
    compliance: complianceView(room.complianceOf(s.studentId)),
  };
}

export function orderView(room: Classroom, o: StudentOrder) {
  return {
    orderId: o.orderId,
    marketId: o.marketId,
    instrumentId: o.instrumentId,
    side: o.side,
    priceCny: o.priceFen === null ? null : cny(o.priceFen),
    qtyT: o.qtyT,
    filledT: o.filledT,
    restingT: room.restingT(o),
    tif: o.tif,
    status: room.orderStatus(o),
    clientOrderId: o.clientOrderId ?? null,
    tsMs: o.tsMs,
    time: cstTime(o.tsMs),
  };
}

export function fillView(f: Fill) {
  return {
    tradeId: f.tradeId,
    orderId: f.orderId,
    marketId: f.marketId,
    instrumentId: f.instrumentId,
    side: f.side,
    priceCny: cny(f.priceFen),
    qtyT: f.qtyT,
    feeCny: cny(f.feeFen),
    mode: f.mode,
    tsMs: f.tsMs,
    time: cstTime(f.tsMs),
  };
}

export function leaderboardView(room: Classroom) {
  const scores = room.scores();
  const byProfit = [...scores]
    .sort((a, b) => b.profitFen - a.profitFen || a.student.studentId - b.student.studentId)
    .map((x, i) => ({
      rank: i + 1,
      name: x.student.name,
      studentId: x.student.studentId,
      profitCny: cny(x.profitFen),
    }));
  const byComplianceCost = [...scores]
    .sort((a, b) => a.costFen - b.costFen || a.student.studentId - b.student.studentId)
    .map((x, i) => ({
      rank: i + 1,
      name: x.student.name,
      studentId: x.student.studentId,
      costCny: cny(x.costFen),
    }));
  return { byProfit, byComplianceCost };
}

export function auctionView(n: AuctionNotice) {
  const o = n.outcome;
  const maybe = (fen: number | null) => (fen === null ? null : cny(fen));
  return {
    auctionId: n.auctionId,
    marketId: n.marketId,
    instrumentId: n.instrumentId,
    qtyT: n.qtyT,
    reservePriceCny: cny(n.reservePriceFen),
    allocation: n.allocation,
    status: n.withdrawnTs !== null ? ('withdrawn' as const) : o === null ? ('open' as const) : ('closed' as const),
    opensTsMs: n.opensTs,
    closesTsMs: n.closesTs,
    opens: cstTime(n.opensTs),
    closes: cstTime(n.closesTs),
    outcome:
      o === null
        ? null
        : {
            soldT: o.soldT,
            unsoldT: o.unsoldT,
            bidCount: o.bidCount,
            winners: o.winners,
            clearingPriceCny: maybe(o.clearingPriceFen),
            averagePriceCny: maybe(o.vwapFen),
            lowPriceCny: maybe(o.lowPriceFen),
            highPriceCny: maybe(o.highPriceFen),
            closedTsMs: o.closedTs,
          },
  };
}

export function bidView(b: BidView) {
  return {
    bidId: b.bidId,
    auctionId: b.auctionId,
    priceCny: cny(b.priceFen),
    qtyT: b.qtyT,
    status: b.status,
    filledT: b.filledT,
    fillPriceCny: b.fillPriceFen === null ? null : cny(b.fillPriceFen),
    tsMs: b.tsMs,
    time: cstTime(b.tsMs),
  };
}

/** The instructor's view of an auction: who won what (null while bidding is open). */
export function auctionResultsView(room: Classroom, n: AuctionNotice) {
  const r = room.auctionResult(n.auctionId);
  return {
    auction: auctionView(n),
    allocations:
      r === null
        ? null
        : r.allocations.map((a) => {
            const s = room.studentList().find((x) => x.accountId === a.accountId) ?? null;
            return {
              bidId: a.bidId,
              studentId: s?.studentId ?? null,
              name: s?.name ?? `firm #${a.accountId}`,
              qtyT: a.qtyT,
              priceCny: cny(a.priceFen),
              valueCny: cny(a.valueFen),
            };
          }),
  };
}
