// Auctions of the government reserve in a classroom. The instructor announces one: a quantity of the home market's
// allowances, a reserve price and a number of trading minutes; students place sealed bids during that window; when
// the exchange clock reaches its end the exchange allocates (best price first, earlier bid first at one price; pay
// as bid or one clearing price) and settles through the ledger, as the market's one-way auction desk does
// (src/market/auction.ts). This is how the pilots' governments sell reserve allowances (Guangdong, Hubei): supply
// that arrives outside the book, at a price the bidders set.
//
// The reserve is a ledger account of the 'authority' kind, opened at the first notice; each notice mints what the
// reserve lacks for it, and only once every check has passed, so a refused notice changes nothing. Unsold tonnes
// stay in the reserve for the next notice. The market's desk holds the auctions and bids (the one copy); this slice
// keeps which market holds which auction, the reserve's account and the bid ids.
import Type from 'typebox';
import type { AuctionDesk } from '../market/auction.ts';
import type { BidView } from '../market/auction-types.ts';
import { tsOf } from '../market/time.ts';
import type { MarketWorld } from '../sim/world.ts';
import { alertEvent } from './alerts.ts';
import {
  type AuctionInput,
  type AuctionNotice,
  noticeOf,
  noticeText,
  outcomeText,
  withdrawnText,
} from './auction-notices.ts';
import { stepClock, type Window } from './clock.ts';
import { command, J } from './command.ts';
import type { RoomContext } from './context.ts';
import { LiveCode, type LiveRejection, type LiveResult, refuse } from './errors.ts';
import type { Timeline } from './timeline.ts';

/** Most notices a classroom takes: a lesson needs a handful, and each stays in the classroom's state. */
const MAX_AUCTIONS = 100;
/** Auctions too small to matter or too large to settle are refused before anything is minted. */
const MAX_AUCTION_T = 100_000_000;

export class Auctions {
  private readonly ctx: RoomContext;
  private readonly timeline: Timeline;
  /** The reserve's account, opened at the first notice. */
  private authorityId: number | null = null;
  /** The auctions announced, in order, and their markets: notices and outcomes are read from the market's desk. */
  private readonly announced: { readonly auctionId: string; readonly marketId: string }[] = [];
  /** Bid ids run across the classroom ("B1", "B2" ...): a student's cancel names one without its auction. */
  private bidSeq = 0;

  constructor(ctx: RoomContext, timeline: Timeline) {
    this.ctx = ctx;
    this.timeline = timeline;
  }

  /**
   * The instructor announces an auction of the reserve in the home market; bidding opens now. Checks the notice
   * whole (classroom rules, then the market's own check), then opens the reserve and mints what it lacks, then
   * announces. Nothing changes on a refusal.
   */
  announce(input: AuctionInput): LiveResult<AuctionNotice> {
    const { ctx } = this;
    if (ctx.state === 'ended') return refuse(LiveCode.Ended, 'the classroom has ended');
    const mw = ctx.home();
    const world = ctx.session.world;
    const market = mw.market;
    if (market.auction === null)
      return refuse('MKT_ERR_MODE_NOT_OFFERED', `${market.spec.name} holds no one-way auctions`);
    if (this.announced.length >= MAX_AUCTIONS)
      return refuse(LiveCode.Full, `a classroom holds at most ${MAX_AUCTIONS} auctions`);
    const { qtyT, reservePriceFen, minutes } = input;
    if (!Number.isSafeInteger(qtyT) || qtyT <= 0 || qtyT > MAX_AUCTION_T)
      return refuse(LiveCode.BadInput, `an auction of ${qtyT} t is not a whole number from 1 to ${MAX_AUCTION_T} t`);
    if (!Number.isSafeInteger(minutes) || minutes < 1 || minutes > 240)
      return refuse(LiveCode.BadInput, `${minutes} minutes of bidding is not a whole number from 1 to 240`);
    const tsMs = ctx.tsMs;
    const left = minutesLeft(ctx.date, ctx.windows, tsMs);
    if (minutes > left)
      return refuse(
        LiveCode.BadInput,
        `the bidding must end today: ${left} trading minute(s) are left, not ${minutes}`,
      );
    const step = stepClock(ctx.date, ctx.windows, tsMs, minutes * 60_000);
    const instrumentId = input.instrumentId ?? mw.setup.instrument;
    const auctionId = `A${this.announced.length + 1}`;
    // The reserve's account is opened with the first notice that passes every check.
    const opening = this.authorityId === null;
    const initiatorId = this.authorityId ?? world.nextAccountId;
    const cmd = {
      auctionId,
      tsMs,
      initiatorId,
      side: 'sell' as const,
      instrumentId,
      qtyT,
      reservePriceFen,
      opensTs: tsMs,
      closesTs: step.toTsMs,
      ...(input.allocation === undefined ? {} : { allocation: input.allocation }),
    };
    const bad = market.auctionNoticeProblem(cmd, opening ? 'authority' : null);
    if (bad !== null) return bad;
    if (opening) {
      const opened = world.ledger.open(initiatorId, 'authority');
      if (!opened.ok) throw new Error(`opening the reserve's account failed: ${opened.message}`);
      world.nextAccountId++;
      this.authorityId = initiatorId;
    }
    const lackT = qtyT - world.ledger.holding(initiatorId, instrumentId).availableT;
    if (lackT > 0) {
      const no = world.ledger.allocate(tsMs, initiatorId, instrumentId, lackT, `reserve for auction ${auctionId}`);
      if (no !== null) throw new Error(`minting the reserve for ${auctionId} failed: ${no.message}`);
    }
    const r = market.announceAuction(cmd);
    // The notice was checked and the reserve holds it: a refusal here is a broken invariant, not bad input.
    if (!r.ok) throw new Error(`auction ${auctionId} refused after its checks: ${r.message}`);
    this.announced.push({ auctionId, marketId: mw.setup.id });
    const notice = noticeOf(market.auction, mw.setup.id, auctionId, initiatorId);
    const { title, text, ...detail } = noticeText(notice);
    this.timeline.addNews(title, text, detail);
    this.ctx.emit(
      alertEvent(null, 'auction-open', tsMs, {
        auctionId,
        marketId: notice.marketId,
        instrumentId,
        qtyT,
        reservePriceFen,
        allocation: notice.allocation,
        closesTsMs: notice.closesTs,
      }),
    );
    return { ok: true, value: notice };
  }

  /** A sealed bid: the student's cash for it is reserved until the close. */
  bid(studentId: number, auctionId: string, priceFen: number, qtyT: number): LiveResult<BidView> {
    const s = this.ctx.live(studentId);
    if (!s.ok) return s;
    const desk = this.desk(auctionId);
    if (desk === null) return noAuction(auctionId);
    const bidId = `B${this.bidSeq + 1}`;
    const r = desk.bid({ auctionId, bidId, tsMs: this.ctx.tsMs, accountId: s.value.accountId, priceFen, qtyT });
    if (!r.ok) return r;
    this.bidSeq++;
    this.ctx.tell(studentId, 'bid', 'balance');
    return r;
  }

  /** Withdraws a student's own live bid before the window ends. */
  cancelBid(studentId: number, auctionId: string, bidId: string): LiveResult<BidView> {
    const s = this.ctx.live(studentId);
    if (!s.ok) return s;
    const mw = this.market(auctionId);
    if (mw === null) return noAuction(auctionId);
    const r = mw.market.cancelAuctionBid({ auctionId, bidId, tsMs: this.ctx.tsMs, accountId: s.value.accountId });
    // The desk answers "unknown" for another account's bid too (sealed): for a student that is a bid not found.
    if (!r.ok && r.code === 'MKT_ERR_UNKNOWN_ORDER')
      return refuse(LiveCode.UnknownBid, `you have no bid ${String(bidId).slice(0, 20)} in auction ${auctionId}`);
    if (!r.ok) return r;
    this.ctx.tell(studentId, 'bid', 'balance');
    return r;
  }

  /** Every notice, newest first, with its outcome once closed. */
  notices(): AuctionNotice[] {
    const authorityId = this.authorityId ?? 0;
    return this.announced
      .map((x) => noticeOf(this.ctx.marketOf(x.marketId)!.market.auction!, x.marketId, x.auctionId, authorityId))
      .reverse();
  }

  /** A student's own bids (sealed: never anyone else's), in the order placed. */
  studentBids(studentId: number): BidView[] {
    const s = this.ctx.student(studentId);
    if (s === null) return [];
    return this.ctx.session.world.markets.flatMap((mw) => mw.market.auction?.myBids(s.accountId) ?? []);
  }

  /** Full results of a closed auction (who won what): the instructor's, as the initiator's agent. */
  result(auctionId: string) {
    const desk = this.desk(auctionId);
    if (desk === null || this.authorityId === null) return null;
    const r = desk.results(auctionId, this.authorityId);
    return r.ok ? r.value : null;
  }

  /**
   * Closes, in the order they end, the auctions whose window ends by `toTsMs`; `advanceTo` moves the clock (and the
   * bots' trading) up to each close first.
   */
  closeDue(toTsMs: number, advanceTo: (tsMs: number) => void): void {
    if (this.announced.length === 0) return;
    const due = this.notices()
      .filter((n) => n.outcome === null && n.withdrawnTs === null && n.closesTs <= toTsMs)
      .sort((a, b) => a.closesTs - b.closesTs);
    for (const n of due) {
      if (n.closesTs > this.ctx.tsMs) advanceTo(n.closesTs);
      const desk = this.ctx.marketOf(n.marketId)!.market;
      const r = desk.closeAuction(n.auctionId, this.ctx.tsMs);
      // The window was checked at the notice to end today and the day is still open: a refusal is a broken invariant.
      if (!r.ok) throw new Error(`closing auction ${n.auctionId} failed: ${r.message}`);
      const { title, text, ...detail } = outcomeText(
        noticeOf(desk.auction!, n.marketId, n.auctionId, this.authorityId!),
      );
      this.timeline.addNews(title, text, detail);
      this.tellBidders(desk.auction!, n.auctionId);
      this.ctx.emit({ kind: 'status' });
    }
  }

  /** The class ends: auctions still taking bids are called off (no allocation; every reservation released). */
  withdrawOpen(): void {
    for (const { auctionId, marketId } of this.announced) {
      const desk = this.ctx.marketOf(marketId)!.market.auction!;
      if (desk.auction(auctionId)!.closed) continue;
      const r = desk.withdraw(auctionId, this.ctx.tsMs);
      if (!r.ok) throw new Error(`withdrawing auction ${auctionId} failed: ${r.message}`);
      const { title, text, ...detail } = withdrawnText(noticeOf(desk, marketId, auctionId, this.authorityId!));
      this.timeline.addNews(title, text, detail);
      this.tellBidders(desk, auctionId);
    }
  }

  /** Each student with a bid in the auction gets their bids and balance again (it closed or was withdrawn). */
  private tellBidders(desk: AuctionDesk, auctionId: string): void {
    for (const s of this.ctx.students.values())
      if (desk.myBids(s.accountId, auctionId).length > 0) this.ctx.tell(s.studentId, 'bid', 'balance');
  }

  private market(auctionId: string): MarketWorld | null {
    const marketId = this.announced.find((x) => x.auctionId === auctionId)?.marketId ?? null;
    return marketId === null ? null : this.ctx.marketOf(marketId);
  }

  private desk(auctionId: string): AuctionDesk | null {
    return this.market(auctionId)?.market.auction ?? null;
  }
}

function noAuction(auctionId: string): LiveRejection {
  return refuse(LiveCode.UnknownAuction, `there is no auction ${String(auctionId).slice(0, 40)}`);
}

/** Whole trading minutes left today from tsMs. */
function minutesLeft(date: string, windows: readonly Window[], tsMs: number): number {
  const day0 = tsOf(date, '00:00');
  let ms = 0;
  for (const [a, b] of windows) ms += Math.max(0, day0 + b * 60_000 - Math.max(tsMs, day0 + a * 60_000));
  return Math.floor(ms / 60_000);
}

const Allocation = Type.Union([Type.Literal('pay-as-bid'), Type.Literal('uniform')]);

export const auctionCommands = {
  auction: command(
    Type.Object({
      op: J.op('auction'),
      qtyT: J.qty,
      reservePriceFen: J.fen,
      minutes: Type.Number(),
      allocation: Type.Optional(Allocation),
      instrumentId: Type.Optional(J.text),
    }),
    // An AuctionInput already, as the order command is an OrderInput.
    (room, c) => room.auctions.announce(c),
  ),
  bid: command(
    Type.Object({ op: J.op('bid'), studentId: J.id, auctionId: J.text, priceFen: J.fen, qtyT: J.qty }),
    (room, c) => room.auctions.bid(c.studentId, c.auctionId, c.priceFen, c.qtyT),
  ),
  'cancel-bid': command(
    Type.Object({ op: J.op('cancel-bid'), studentId: J.id, auctionId: J.text, bidId: J.text }),
    (room, c) => room.auctions.cancelBid(c.studentId, c.auctionId, c.bidId),
  ),
};
