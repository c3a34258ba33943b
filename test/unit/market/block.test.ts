import { describe, expect, it } from 'vitest';
import { at, ledgerState, loadSpec, world } from '../../fixtures/markets.ts';

// Previous close 90.00 CNY: the block band is ±30%, 63.00-117.00. Block hours 13:00-15:00.
const D = '2024-07-01';
const CEA = 'CEA-23';

function openNational() {
  const w = world(loadSpec('national'), { instrumentId: CEA });
  w.market.openDay(at(D, '09:00'));
  return w;
}
const propose = (over: Partial<Parameters<ReturnType<typeof openNational>['market']['proposeBlock']>[0]> = {}) => ({
  tsMs: at(D, '13:30'),
  proposerId: 1,
  counterpartyId: 2 as number | null,
  side: 'sell' as const,
  instrumentId: CEA,
  priceFen: 8_500,
  qtyT: 200_000,
  ...over,
});

describe('block agreement', () => {
  it('settles an accepted proposal outside the book and outside the close, reported apart', () => {
    const { market, ledger } = openNational();
    const p = market.proposeBlock(propose());
    expect(p.ok).toBe(true);
    expect(ledger.holding(1, CEA).reservedT).toBe(200_000);
    const t = p.ok ? market.acceptBlock(at(D, '14:00'), p.value.proposalId, 2) : null;
    expect(t?.ok && t.value).toMatchObject({ mode: 'block', buyerId: 2, sellerId: 1, priceFen: 8_500, qtyT: 200_000 });
    expect(ledger.holding(2, CEA)).toMatchObject({ totalT: 1_200_000, lockedT: 200_000 });
    expect(ledger.holding(1, CEA)).toMatchObject({ totalT: 800_000, reservedT: 0 });
    expect(market.listed.engine(CEA)!.bestBidFen()).toBe(0);
    market.placeOrder({
      tsMs: at(D, '14:10'),
      accountId: 3,
      instrumentId: CEA,
      side: 'sell',
      priceFen: 9_200,
      qtyT: 10,
      tif: 'day',
    });
    market.placeOrder({
      tsMs: at(D, '14:11'),
      accountId: 4,
      instrumentId: CEA,
      side: 'buy',
      priceFen: 9_200,
      qtyT: 10,
      tif: 'day',
    });
    const end = market.closeDay(at(D, '15:30'));
    expect(end.ok).toBe(true);
    if (!end.ok) return;
    const listed = end.value.bars.find((b) => b.mode === 'listed' && b.instrumentId === CEA)!;
    const block = end.value.bars.find((b) => b.mode === 'block' && b.instrumentId === CEA)!;
    expect(listed).toMatchObject({ closeFen: 9_200, volumeT: 10, trades: 1 });
    expect(block).toMatchObject({
      closeFen: null,
      volumeT: 200_000,
      turnoverFen: 200_000 * 8_500,
      vwapFen: 8_500,
      trades: 1,
    });
    expect(ledger.checkConservation()).toBeNull();
  });

  it('needs at least 100,000 t, a price within ±30% of the previous close, and the afternoon session', () => {
    const { market, ledger } = openNational();
    const before = ledgerState(ledger);
    const small = market.proposeBlock(propose({ qtyT: 99_999 }));
    expect(!small.ok && small.code).toBe('MKT_ERR_BELOW_BLOCK_MINIMUM');
    const high = market.proposeBlock(propose({ priceFen: 11_701 }));
    expect(!high.ok && high.code).toBe('MKT_ERR_PRICE_OUTSIDE_BAND');
    expect(!high.ok && high.message).toBe('117.01 CNY is outside the band (63.00-117.00 CNY)');
    const low = market.proposeBlock(propose({ priceFen: 6_299 }));
    expect(!low.ok && low.code).toBe('MKT_ERR_PRICE_OUTSIDE_BAND');
    const morning = market.proposeBlock(propose({ tsMs: at(D, '10:00') }));
    expect(!morning.ok && morning.code).toBe('MKT_ERR_SESSION_CLOSED');
    expect(!morning.ok && morning.message).toMatch(/13:00-15:00/);
    expect(ledgerState(ledger)).toBe(before);
    expect(market.proposeBlock(propose({ priceFen: 11_700, qtyT: 100_000 })).ok).toBe(true);
    expect(market.proposeBlock(propose({ priceFen: 6_300, qtyT: 100_000 })).ok).toBe(true);
  });

  it('checks funds and allowances: the proposer when proposing, the acceptor when accepting', () => {
    const { market, ledger } = world(loadSpec('national'), { instrumentId: CEA, cashFen: 1_000_000_00, qtyT: 150_000 });
    market.openDay(at(D, '09:00'));
    const tooMany = market.proposeBlock(propose({ qtyT: 150_001 }));
    expect(!tooMany.ok && tooMany.code).toBe('MKT_ERR_INSUFFICIENT_ALLOWANCES');
    const p = market.proposeBlock(propose({ qtyT: 120_000 }));
    expect(p.ok).toBe(true);
    // Buyer 2 has 1,000,000.00 CNY: 120,000 t at 85.00 costs 10,200,000.00.
    const before = ledgerState(ledger);
    const acc = p.ok ? market.acceptBlock(at(D, '14:00'), p.value.proposalId, 2) : null;
    expect(acc?.ok === false && acc.code).toBe('MKT_ERR_INSUFFICIENT_CASH');
    expect(ledgerState(ledger)).toBe(before);
    expect(p.ok && market.block!.get(p.value.proposalId)!.status).toBe('open');
  });

  it('counters: a new proposal back to the proposer, the old one closed and released', () => {
    const { market, ledger } = openNational();
    const p = market.proposeBlock(propose());
    if (!p.ok) throw new Error(p.message);
    const c = market.counterBlock(at(D, '13:40'), p.value.proposalId, 2, 8_300, 150_000);
    expect(c.ok && c.value).toMatchObject({
      proposerId: 2,
      counterpartyId: 1,
      side: 'buy',
      priceFen: 8_300,
      qtyT: 150_000,
      parentId: p.value.proposalId,
    });
    expect(market.block!.get(p.value.proposalId)!.status).toBe('countered');
    expect(ledger.holding(1, CEA).reservedT).toBe(0);
    expect(ledger.account(2)!.reservedFen).toBe(8_300 * 150_000);
    if (!c.ok) return;
    const again = market.acceptBlock(at(D, '13:41'), p.value.proposalId, 2);
    expect(!again.ok && again.code).toBe('MKT_ERR_PROPOSAL_CLOSED');
    const t = market.acceptBlock(at(D, '13:45'), c.value.proposalId, 1);
    expect(t.ok && t.value).toMatchObject({ buyerId: 2, sellerId: 1, priceFen: 8_300, qtyT: 150_000 });
    expect(ledger.account(2)!.reservedFen).toBe(0);
    expect(ledger.checkConservation()).toBeNull();
  });

  it('only the named counterparty may accept or reject; anyone but the proposer may take an open proposal', () => {
    const { market } = openNational();
    const p = market.proposeBlock(propose());
    if (!p.ok) throw new Error(p.message);
    const stranger = market.acceptBlock(at(D, '14:00'), p.value.proposalId, 3);
    expect(!stranger.ok && stranger.code).toBe('MKT_ERR_NOT_OWNER');
    const self = market.acceptBlock(at(D, '14:00'), p.value.proposalId, 1);
    expect(!self.ok && self.code).toBe('MKT_ERR_SELF_DEAL');
    expect(market.rejectBlock(at(D, '14:00'), p.value.proposalId, 2).ok).toBe(true);
    const open = market.proposeBlock(propose({ counterpartyId: null }));
    if (!open.ok) throw new Error(open.message);
    expect(market.block!.visibleTo(4).map((x) => x.proposalId)).toContain(open.value.proposalId);
    expect(market.acceptBlock(at(D, '14:00'), open.value.proposalId, 4).ok).toBe(true);
  });

  it('expires open proposals at the end of the session and releases their reservations', () => {
    const { market, ledger } = openNational();
    market.proposeBlock(propose());
    market.proposeBlock(propose({ proposerId: 3, side: 'buy', counterpartyId: null }));
    expect(ledger.account(3)!.reservedFen).toBe(8_500 * 200_000);
    const end = market.closeDay(at(D, '15:30'));
    expect(end.ok && end.value.expiredProposals).toBe(2);
    expect(ledger.account(3)!.reservedFen).toBe(0);
    expect(ledger.holding(1, CEA).reservedT).toBe(0);
    expect(market.block!.all().every((p) => p.status === 'expired')).toBe(true);
  });

  it('withdraw is the proposer’s alone', () => {
    const { market } = openNational();
    const p = market.proposeBlock(propose());
    if (!p.ok) throw new Error(p.message);
    const other = market.withdrawBlock(at(D, '14:00'), p.value.proposalId, 2);
    expect(!other.ok && other.code).toBe('MKT_ERR_NOT_OWNER');
    expect(market.withdrawBlock(at(D, '14:00'), p.value.proposalId, 1).ok).toBe(true);
  });
});
