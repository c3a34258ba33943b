import { describe, expect, it } from 'vitest';
import type { AnnounceCmd } from '../../../src/market/auction-types.ts';
import { at, ledgerState, loadSpec, world } from '../../fixtures/markets.ts';

// The national market's auction mode (data/markets/national.json): pay-as-bid, tick 0.01, lot 1 t, no fee.
const D = '2024-07-01';
const CEA = 'CEA-23';
const AUTHORITY = 50;

function openNational() {
  const w = world(loadSpec('national'), { instrumentId: CEA });
  w.market.openDay(at(D, '09:00'));
  w.ledger.open(AUTHORITY, 'authority');
  w.ledger.allocate(at(D, '09:00'), AUTHORITY, CEA, 500_000, 'government reserve');
  return w;
}

const notice = (over: Partial<AnnounceCmd> = {}): AnnounceCmd => ({
  auctionId: 'R-1',
  tsMs: at(D, '10:00'),
  initiatorId: AUTHORITY,
  side: 'sell',
  instrumentId: CEA,
  qtyT: 300_000,
  reservePriceFen: 8_800,
  opensTs: at(D, '10:00'),
  closesTs: at(D, '10:30'),
  ...over,
});

describe('an auction of the authority reserve in a market', () => {
  it('the authority may announce an auction, though it may not trade on the book or in blocks', () => {
    const { market } = openNational();
    const order = { tsMs: at(D, '10:00'), accountId: AUTHORITY, instrumentId: CEA, side: 'sell' as const };
    expect(market.placeOrder({ ...order, priceFen: 9_000, qtyT: 100, tif: 'day' })).toMatchObject({
      code: 'MKT_ERR_NOT_ELIGIBLE',
    });
    expect(market.auctionNoticeProblem(notice())).toBeNull();
    expect(market.announceAuction(notice()).ok).toBe(true);
    expect(
      market.bidAuction({
        auctionId: 'R-1',
        bidId: 'b',
        tsMs: at(D, '10:05'),
        accountId: 1,
        priceFen: 9_000,
        qtyT: 1_000,
      }).ok,
    ).toBe(true);
    const r = market.closeAuction('R-1', at(D, '10:30'));
    expect(r.ok && r.value).toMatchObject({ qtySoldT: 1_000, qtyUnsoldT: 299_000, vwapFen: 9_000 });
  });

  it('noticeProblem answers as announce would and changes nothing', () => {
    const { market, ledger } = openNational();
    const before = ledgerState(ledger);
    const cases: [Partial<AnnounceCmd>, string][] = [
      [{ initiatorId: 99 }, 'MKT_ERR_UNKNOWN_ACCOUNT'],
      [{ instrumentId: 'CEA-99' }, 'MKT_ERR_UNKNOWN_INSTRUMENT'],
      [{ reservePriceFen: 0 }, 'MKT_ERR_BAD_INPUT'],
      [{ closesTs: at(D, '10:00') }, 'MKT_ERR_BAD_INPUT'],
      [{ tsMs: at('2024-07-02', '10:00') }, 'MKT_ERR_SESSION_CLOSED'],
    ];
    for (const [over, code] of cases) {
      expect(market.auctionNoticeProblem(notice(over)), code).toMatchObject({ code });
      expect(market.announceAuction(notice(over)), code).toMatchObject({ ok: false, code });
    }
    // Holdings are not checked by the notice check; announce finds the reserve short.
    expect(market.auctionNoticeProblem(notice({ qtyT: 600_000 }))).toBeNull();
    expect(market.announceAuction(notice({ qtyT: 600_000 }))).toMatchObject({
      code: 'MKT_ERR_INSUFFICIENT_ALLOWANCES',
    });
    expect(ledgerState(ledger)).toBe(before);
  });
});
