import { afterEach, describe, expect, it } from 'vitest';
import { AuctionDesk } from '../../../src/market/auction.ts';
import type { AnnounceCmd, BidCmd } from '../../../src/market/auction-types.ts';
import type { AuctionModeSpec } from '../../../src/market/catalogue/schema.ts';
import { Ledger } from '../../../src/market/ledger.ts';
import { tsOf } from '../../../src/market/time.ts';

// Spec: tick 0.10 CNY, lot 10 t, minimum bid 100 t, fee 0.5% (50 bps) on each side.
const SPEC: AuctionModeSpec = { allocation: 'pay-as-bid', tickFen: 10, lotT: 10, minBidT: 100, feeBps: 50 };
const CEA = 'CEA-23';
const DAY = '2024-09-30';
const ANN = tsOf(DAY, '09:00');
const OPEN = tsOf(DAY, '10:00');
const CLOSE = tsOf(DAY, '11:00');
const at = (hhmm: string) => tsOf(DAY, hhmm);

const INIT = 1;
const [A, B, C, D] = [2, 3, 4, 5];

let ledger: Ledger;

afterEach(() => {
  expect(ledger.checkConservation()).toBeNull();
});

/** Everything a rejection must leave untouched: totals, every account and holding, the records. */
function snapshot(l: Ledger): string {
  const t = l.totals();
  return JSON.stringify({
    cash: t.cashFen,
    qty: [...t.qtyT].sort(),
    accounts: l.accountIds().map((id) => [l.account(id), l.holdings(id)]),
    records: l.records(),
  });
}

/** Given: the initiator holds 10,000 t and 50,000,000 fen; bidders A-D hold 10,000,000 fen and 2,000 t each. */
function given(spec: AuctionModeSpec = SPEC) {
  ledger = new Ledger();
  for (const id of [INIT, A, B, C, D]) {
    ledger.open(id, 'entity');
    ledger.deposit(ANN, id, id === INIT ? 50_000_000 : 10_000_000, 'seed');
    ledger.allocate(ANN, id, CEA, id === INIT ? 10_000 : 2_000, 'seed');
  }
  return new AuctionDesk(ledger, spec, { lockDays: 1 });
}

const sellAuction = (over: Partial<AnnounceCmd> = {}): AnnounceCmd => ({
  auctionId: 'AU-1',
  tsMs: ANN,
  initiatorId: INIT,
  side: 'sell',
  instrumentId: CEA,
  qtyT: 1_000,
  reservePriceFen: 9_000,
  opensTs: OPEN,
  closesTs: CLOSE,
  ...over,
});

const bid = (bidId: string, accountId: number, priceFen: number, qtyT: number, hhmm = '10:05'): BidCmd => ({
  auctionId: 'AU-1',
  bidId,
  tsMs: at(hhmm),
  accountId,
  priceFen,
  qtyT,
});

/** Sell 1,000 t, reserve 90.00. Bids: A 400 @ 95.00, B 300 @ 93.00, C 500 @ 93.00 (after B), D 200 @ 91.00. */
function sellBook(spec: AuctionModeSpec = SPEC, allocation?: AnnounceCmd['allocation']) {
  const desk = given(spec);
  expect(desk.announce(sellAuction(allocation === undefined ? {} : { allocation })).ok).toBe(true);
  expect(desk.bid(bid('a', A, 9_500, 400, '10:01')).ok).toBe(true);
  expect(desk.bid(bid('b', B, 9_300, 300, '10:02')).ok).toBe(true);
  expect(desk.bid(bid('c', C, 9_300, 500, '10:03')).ok).toBe(true);
  expect(desk.bid(bid('d', D, 9_100, 200, '10:04')).ok).toBe(true);
  return desk;
}

describe('one-way auction, initiator sells', () => {
  it('pay-as-bid: best price first, tie by time, marginal bid filled partially, each pays its bid', () => {
    const desk = sellBook();
    // A's reservation: fee ceiling at 95.00 is ceil(9500 x 50 / 10,000) = ceil(47.5) = 48 fen/t -> 400 x 9,548.
    expect(ledger.account(A)!.reservedFen).toBe(3_819_200);
    expect(ledger.holding(INIT, CEA).reservedT).toBe(1_000);

    const r = desk.close('AU-1', CLOSE);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    // A 400 @ 9500 = 3,800,000; B 300 @ 9300 = 2,790,000 (earlier than C at the same price);
    // C gets the last 300 of its 500 @ 9300 = 2,790,000; D nothing. Turnover 9,380,000 fen; VWAP 9,380.
    expect(r.value.allocations).toEqual([
      { bidId: 'a', accountId: A, qtyT: 400, priceFen: 9_500, valueFen: 3_800_000, feeFen: 19_000 },
      { bidId: 'b', accountId: B, qtyT: 300, priceFen: 9_300, valueFen: 2_790_000, feeFen: 13_950 },
      { bidId: 'c', accountId: C, qtyT: 300, priceFen: 9_300, valueFen: 2_790_000, feeFen: 13_950 },
    ]);
    expect(r.value).toMatchObject({
      qtySoldT: 1_000,
      qtyUnsoldT: 0,
      clearingPriceFen: null,
      lowPriceFen: 9_300,
      highPriceFen: 9_500,
      vwapFen: 9_380,
      turnoverFen: 9_380_000,
      bidCount: 4,
    });
    // Fees 0.5% each side: A 19,000; B 13,950; C 13,950.
    expect(ledger.account(A)).toMatchObject({ cashFen: 10_000_000 - 3_819_000, reservedFen: 0 });
    expect(ledger.account(B)).toMatchObject({ cashFen: 10_000_000 - 2_803_950, reservedFen: 0 });
    expect(ledger.account(C)).toMatchObject({ cashFen: 10_000_000 - 2_803_950, reservedFen: 0 });
    expect(ledger.account(D)).toMatchObject({ cashFen: 10_000_000, reservedFen: 0 });
    // Seller receives 9,380,000 - 46,900 = 9,333,100; fee account holds 2 x 46,900.
    expect(ledger.account(INIT)!.cashFen).toBe(50_000_000 + 9_333_100);
    expect(ledger.account(0)!.cashFen).toBe(93_800);
    expect(ledger.holding(INIT, CEA)).toEqual({ totalT: 9_000, reservedT: 0, lockedT: 0, availableT: 9_000 });
    // Bought tonnes are locked until the next trading day.
    expect(ledger.holding(A, CEA)).toEqual({ totalT: 2_400, reservedT: 0, lockedT: 400, availableT: 2_000 });
    expect(ledger.holding(C, CEA).totalT).toBe(2_300);
  });

  it('uniform: everyone pays the worst winning bid (93.00), set by the partially filled marginal bid', () => {
    const desk = sellBook({ ...SPEC, allocation: 'uniform' });
    const r = desk.close('AU-1', CLOSE);
    if (!r.ok) throw new Error(r.message);
    // A 400 x 9300 = 3,720,000 (fee 18,600); B and C 300 x 9300 = 2,790,000 (fee 13,950 each).
    expect(r.value.allocations.map((x) => [x.bidId, x.qtyT, x.priceFen, x.valueFen])).toEqual([
      ['a', 400, 9_300, 3_720_000],
      ['b', 300, 9_300, 2_790_000],
      ['c', 300, 9_300, 2_790_000],
    ]);
    expect(r.value).toMatchObject({ clearingPriceFen: 9_300, lowPriceFen: 9_300, highPriceFen: 9_300, vwapFen: 9_300 });
    expect(r.value.turnoverFen).toBe(9_300_000);
    // A reserved 3,819,200 and pays 3,738,600: the 80,600 left is released.
    expect(ledger.account(A)).toMatchObject({ cashFen: 10_000_000 - 3_738_600, reservedFen: 0 });
    expect(ledger.account(INIT)!.cashFen).toBe(50_000_000 + 9_300_000 - 46_500);
  });

  it('the announce may override the spec allocation', () => {
    const desk = sellBook(SPEC, 'uniform');
    const r = desk.close('AU-1', CLOSE);
    expect(r.ok && r.value.clearingPriceFen).toBe(9_300);
  });

  it('a tie at one price goes to the earlier bid', () => {
    const desk = given();
    desk.announce(sellAuction({ qtyT: 500 }));
    desk.bid(bid('late', B, 9_300, 300, '10:10'));
    desk.bid(bid('early', C, 9_300, 300, '10:20'));
    const r = desk.close('AU-1', CLOSE);
    if (!r.ok) throw new Error(r.message);
    // 'late' was placed first (10:10): it gets all 300; 'early' (10:20) gets the remaining 200.
    expect(r.value.allocations.map((x) => [x.bidId, x.qtyT])).toEqual([
      ['late', 300],
      ['early', 200],
    ]);
  });

  it('unsold tonnes stay with the initiator and every reservation is released', () => {
    const desk = given();
    desk.announce(sellAuction());
    desk.bid(bid('a', A, 9_000, 300));
    desk.bid(bid('b', B, 9_200, 100));
    const r = desk.close('AU-1', CLOSE);
    if (!r.ok) throw new Error(r.message);
    expect(r.value).toMatchObject({ qtySoldT: 400, qtyUnsoldT: 600 });
    for (const id of [INIT, A, B, C, D]) {
      expect(ledger.account(id)!.reservedFen).toBe(0);
      expect(ledger.holding(id, CEA).reservedT).toBe(0);
    }
    expect(ledger.holding(INIT, CEA).totalT).toBe(9_600);
  });

  it('an auction with no bids closes with nothing sold', () => {
    const desk = given();
    desk.announce(sellAuction());
    const r = desk.close('AU-1', CLOSE);
    expect(r.ok && r.value).toMatchObject({ qtySoldT: 0, vwapFen: null, lowPriceFen: null, bidCount: 0 });
    expect(ledger.holding(INIT, CEA)).toMatchObject({ totalT: 10_000, reservedT: 0 });
  });
});

describe('one-way auction, initiator buys', () => {
  /** Buy 500 t, reserve (maximum) 90.00. Offers: A 300 @ 88.00, B 300 @ 87.00. */
  function buyBook(allocation: AuctionModeSpec['allocation']) {
    const desk = given({ ...SPEC, allocation });
    expect(desk.announce(sellAuction({ side: 'buy', qtyT: 500 })).ok).toBe(true);
    // Initiator reserves 500 x (9000 + 45) = 4,522,500 fen.
    expect(ledger.account(INIT)!.reservedFen).toBe(4_522_500);
    expect(desk.bid(bid('a', A, 8_800, 300, '10:01')).ok).toBe(true);
    expect(desk.bid(bid('b', B, 8_700, 300, '10:02')).ok).toBe(true);
    expect(ledger.holding(A, CEA).reservedT).toBe(300);
    return desk;
  }

  it('pay-as-bid: lowest offer first; the marginal offer is filled partially', () => {
    const desk = buyBook('pay-as-bid');
    const r = desk.close('AU-1', CLOSE);
    if (!r.ok) throw new Error(r.message);
    // B 300 @ 8700 = 2,610,000; A 200 of 300 @ 8800 = 1,760,000.
    expect(r.value.allocations.map((x) => [x.bidId, x.qtyT, x.priceFen])).toEqual([
      ['b', 300, 8_700],
      ['a', 200, 8_800],
    ]);
    expect(r.value).toMatchObject({ qtySoldT: 500, turnoverFen: 4_370_000, vwapFen: 8_740 });
    // Initiator pays 4,370,000 + fees 13,050 + 8,800; its leftover reservation is released.
    expect(ledger.account(INIT)).toMatchObject({ cashFen: 50_000_000 - 4_391_850, reservedFen: 0 });
    expect(ledger.holding(INIT, CEA)).toMatchObject({ totalT: 10_500, lockedT: 500 });
    expect(ledger.holding(A, CEA)).toEqual({ totalT: 1_800, reservedT: 0, lockedT: 0, availableT: 1_800 });
    expect(ledger.account(A)!.cashFen).toBe(10_000_000 + 1_760_000 - 8_800);
  });

  it('uniform: everyone is paid the worst winning offer (88.00)', () => {
    const desk = buyBook('uniform');
    const r = desk.close('AU-1', CLOSE);
    if (!r.ok) throw new Error(r.message);
    // 300 x 8800 = 2,640,000 (fee 13,200) + 200 x 8800 = 1,760,000 (fee 8,800).
    expect(r.value).toMatchObject({ clearingPriceFen: 8_800, turnoverFen: 4_400_000 });
    expect(ledger.account(INIT)).toMatchObject({ cashFen: 50_000_000 - 4_422_000, reservedFen: 0 });
    expect(ledger.account(B)!.cashFen).toBe(10_000_000 + 2_640_000 - 13_200);
  });

  it('an offer above the reserve price is refused', () => {
    const desk = buyBook('uniform');
    const before = snapshot(ledger);
    const r = desk.bid(bid('c', C, 9_010, 100));
    expect(!r.ok && r.code).toBe('MKT_ERR_RESERVE_NOT_MET');
    expect(snapshot(ledger)).toBe(before);
  });
});

describe('sealed bids, cancellation and results', () => {
  it('bidders see only their own bids; only the initiator sees results, and only after close', () => {
    const desk = sellBook();
    expect(desk.myBids(A).map((b) => b.bidId)).toEqual(['a']);
    expect(desk.myBids(INIT)).toEqual([]);
    expect(desk.results('AU-1', INIT)).toMatchObject({ ok: false, code: 'MKT_ERR_AUCTION_NOT_ENDED' });
    expect(desk.results('AU-1', A)).toMatchObject({ ok: false, code: 'MKT_ERR_NOT_OWNER' });
    desk.close('AU-1', CLOSE);
    expect(desk.results('AU-1', A)).toMatchObject({ ok: false, code: 'MKT_ERR_NOT_OWNER' });
    const r = desk.results('AU-1', INIT);
    expect(r.ok && r.value.qtySoldT).toBe(1_000);
    expect(desk.myBids(C)).toMatchObject([{ bidId: 'c', status: 'won', filledT: 300, fillPriceFen: 9_300 }]);
    expect(desk.myBids(D)).toMatchObject([{ bidId: 'd', status: 'lost', filledT: 0, fillPriceFen: null }]);
  });

  it('a bidder may cancel its bid before the window ends; the reservation is released', () => {
    const desk = sellBook();
    const cancel = { auctionId: 'AU-1', bidId: 'a', accountId: A, tsMs: at('10:30') };
    const before = snapshot(ledger);
    expect(desk.cancelBid({ ...cancel, accountId: B })).toMatchObject({ code: 'MKT_ERR_UNKNOWN_ORDER' });
    expect(desk.cancelBid({ ...cancel, tsMs: CLOSE })).toMatchObject({ code: 'MKT_ERR_AUCTION_CLOSED' });
    expect(snapshot(ledger)).toBe(before);
    expect(desk.cancelBid(cancel)).toMatchObject({ ok: true, value: { status: 'cancelled' } });
    expect(ledger.account(A)!.reservedFen).toBe(0);
    expect(desk.cancelBid(cancel).ok).toBe(false);
    const r = desk.close('AU-1', CLOSE);
    if (!r.ok) throw new Error(r.message);
    // Without A: B 300, C 500, D 200 @ 9100 fill the 1,000 t.
    expect(r.value.allocations.map((x) => [x.bidId, x.qtyT])).toEqual([
      ['b', 300],
      ['c', 500],
      ['d', 200],
    ]);
    expect(r.value.bidCount).toBe(3);
  });
});

describe('withdrawal', () => {
  it('calls off an open auction: nothing allocated, bids cancelled, every reservation released, once', () => {
    const desk = sellBook();
    expect(ledger.holding(INIT, CEA).reservedT).toBe(1_000);
    expect(ledger.account(A)!.reservedFen).toBeGreaterThan(0);
    const r = desk.withdraw('AU-1', at('10:30'));
    expect(r).toMatchObject({ ok: true, value: { closed: true, withdrawnTs: at('10:30') } });
    for (const id of [INIT, A, B, C, D]) {
      expect(ledger.account(id)!.reservedFen).toBe(0);
      expect(ledger.holding(id, CEA).reservedT).toBe(0);
    }
    expect(ledger.holding(INIT, CEA).totalT).toBe(10_000);
    expect(desk.myBids(A).map((b) => b.status)).toEqual(['cancelled']);
    expect(desk.auction('AU-1')).toMatchObject({ closed: true, withdrawnTs: at('10:30') });
    const before = snapshot(ledger);
    expect(desk.withdraw('AU-1', at('10:31'))).toMatchObject({ code: 'MKT_ERR_AUCTION_CLOSED' });
    expect(desk.close('AU-1', CLOSE)).toMatchObject({ code: 'MKT_ERR_AUCTION_CLOSED' });
    expect(desk.bid(bid('e', D, 9_500, 100, '10:40'))).toMatchObject({ code: 'MKT_ERR_AUCTION_WITHDRAWN' });
    expect(desk.results('AU-1', INIT)).toMatchObject({ code: 'MKT_ERR_AUCTION_WITHDRAWN' });
    expect(desk.withdraw('AU-9', at('10:31'))).toMatchObject({ code: 'MKT_ERR_UNKNOWN_AUCTION' });
    expect(snapshot(ledger)).toBe(before);
  });

  it('a closed auction cannot be withdrawn; a buy auction releases the initiator cash and the offered tonnes', () => {
    const sold = sellBook();
    expect(sold.close('AU-1', CLOSE).ok).toBe(true);
    const before = snapshot(ledger);
    expect(sold.withdraw('AU-1', CLOSE)).toMatchObject({ code: 'MKT_ERR_AUCTION_CLOSED' });
    expect(snapshot(ledger)).toBe(before);
    const buy = given();
    expect(buy.announce(sellAuction({ side: 'buy', qtyT: 500 })).ok).toBe(true);
    expect(buy.bid(bid('a', A, 8_800, 300)).ok).toBe(true);
    expect(buy.withdraw('AU-1', at('10:30')).ok).toBe(true);
    expect(ledger.account(INIT)!.reservedFen).toBe(0);
    expect(ledger.holding(A, CEA).reservedT).toBe(0);
  });
});

describe('rejections change nothing', () => {
  it('announce: duplicate id, unknown account, bad window, off lot, not enough allowances or cash', () => {
    const desk = given();
    desk.announce(sellAuction());
    const before = snapshot(ledger);
    const cases: [Partial<AnnounceCmd>, string][] = [
      [{}, 'MKT_ERR_DUPLICATE_ID'],
      [{ auctionId: 'AU-2', initiatorId: 99 }, 'MKT_ERR_UNKNOWN_ACCOUNT'],
      [{ auctionId: 'AU-2', opensTs: CLOSE, closesTs: OPEN }, 'MKT_ERR_BAD_INPUT'],
      [{ auctionId: 'AU-2', tsMs: at('10:30') }, 'MKT_ERR_BAD_INPUT'],
      [{ auctionId: 'AU-2', qtyT: 1_005 }, 'MKT_ERR_QTY_OFF_LOT'],
      [{ auctionId: 'AU-2', reservePriceFen: 9_005 }, 'MKT_ERR_PRICE_OFF_TICK'],
      [{ auctionId: 'AU-2', reservePriceFen: 0 }, 'MKT_ERR_BAD_INPUT'],
      [{ auctionId: 'AU-2', qtyT: 9_010 }, 'MKT_ERR_INSUFFICIENT_ALLOWANCES'],
      [{ auctionId: 'AU-2', side: 'buy', qtyT: 6_000 }, 'MKT_ERR_INSUFFICIENT_CASH'],
    ];
    for (const [over, code] of cases) expect(desk.announce(sellAuction(over)), code).toMatchObject({ ok: false, code });
    expect(snapshot(ledger)).toBe(before);
  });

  it('bid: unknown auction, duplicate id, window, self-bid, reserve, tick, lot, minimum, size, cash', () => {
    const desk = given();
    desk.announce(sellAuction());
    ledger.open(6, 'entity');
    ledger.deposit(ANN, 6, 100_000, 'seed');
    desk.bid(bid('a', A, 9_500, 400));
    const before = snapshot(ledger);
    const cases: [BidCmd, string][] = [
      [{ ...bid('x', B, 9_500, 100), auctionId: 'AU-9' }, 'MKT_ERR_UNKNOWN_AUCTION'],
      [bid('a', B, 9_500, 100), 'MKT_ERR_DUPLICATE_ID'],
      [bid('x', B, 9_500, 100, '09:59'), 'MKT_ERR_AUCTION_NOT_OPEN'],
      [bid('x', B, 9_500, 100, '11:00'), 'MKT_ERR_AUCTION_CLOSED'],
      [bid('x', INIT, 9_500, 100), 'MKT_ERR_SELF_DEAL'],
      [bid('x', 99, 9_500, 100), 'MKT_ERR_UNKNOWN_ACCOUNT'],
      [bid('x', B, 8_990, 100), 'MKT_ERR_RESERVE_NOT_MET'],
      [bid('x', B, 9_505, 100), 'MKT_ERR_PRICE_OFF_TICK'],
      [bid('x', B, 9_500, 105), 'MKT_ERR_QTY_OFF_LOT'],
      [bid('x', B, 9_500, 90), 'MKT_ERR_BELOW_AUCTION_MINIMUM'],
      [bid('x', B, 9_500, 1_010), 'MKT_ERR_BAD_INPUT'],
      [bid('x', 6, 9_500, 100), 'MKT_ERR_INSUFFICIENT_CASH'],
    ];
    for (const [cmd, code] of cases) expect(desk.bid(cmd), code).toMatchObject({ ok: false, code });
    expect(snapshot(ledger)).toBe(before);
  });

  it('close: unknown, before the end, twice; bids after close', () => {
    const desk = sellBook();
    const before = snapshot(ledger);
    expect(desk.close('AU-9', CLOSE)).toMatchObject({ code: 'MKT_ERR_UNKNOWN_AUCTION' });
    expect(desk.close('AU-1', CLOSE - 1)).toMatchObject({ code: 'MKT_ERR_AUCTION_NOT_ENDED' });
    expect(snapshot(ledger)).toBe(before);
    expect(desk.close('AU-1', CLOSE).ok).toBe(true);
    const after = snapshot(ledger);
    expect(desk.close('AU-1', CLOSE + 1)).toMatchObject({ code: 'MKT_ERR_AUCTION_CLOSED' });
    expect(desk.bid(bid('z', B, 9_500, 100, '10:30'))).toMatchObject({ code: 'MKT_ERR_AUCTION_CLOSED' });
    expect(snapshot(ledger)).toBe(after);
  });
});
