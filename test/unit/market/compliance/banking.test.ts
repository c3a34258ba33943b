import { describe, expect, it } from 'vitest';
import {
  applyBankingCap,
  bankingCapT,
  settleCycle,
  surrender,
  vintagesUpTo,
} from '../../../../src/market/compliance/index.ts';
import { tsOf } from '../../../../src/market/time.ts';
import { editedSpec, entity, expectRejected, give, must, nationalSpec, sell, type World, world } from './fixture.ts';

const AFTER = tsOf('2025-01-02', '09:00');
const priced = { monthlyPriceFen: () => 9800 };

/**
 * Seller s1: 170,000 t of CEA-23 and 5,000 t of CEA-22 allocated, sells 20,000 t of CEA-23 in 2024, surrenders
 * 50,000 t for 2023, keeps 100,000 t of CEA-23, 5,000 t of CEA-22 and 50,000 t of CEA-24.
 * Buyer b1 (an entity): buys those 20,000 t, owes nothing for 2023.
 */
function given(): { w: World; seller: number; buyer: number } {
  const w = world();
  const s = entity(w, { id: 's1', verifiedT: { 2023: 50_000 } });
  const b = entity(w, { id: 'b1', verifiedT: { 2023: 0 } });
  give(w, s, 'CEA-22', 5000);
  give(w, s, 'CEA-23', 170_000);
  give(w, s, 'CEA-24', 50_000, '2025-01-02');
  sell(w, s.accountId, b.accountId, 'CEA-23', 20_000, '2024-06-03');
  must(surrender(w.ctx, 's1', '2023', 'CEA-23', 50_000, tsOf('2024-12-20')));
  return { w, seller: s.accountId, buyer: b.accountId };
}

describe('banking cap: 10,000 t + 1.5 x net allowance sales over 2019-2024', () => {
  it('given the national rule, then the cap is 10,000 t plus 1.5 x positive net sales, rounded down', () => {
    const rule = nationalSpec().compliance!.banking!;
    expect(bankingCapT(rule, 20_000)).toBe(40_000);
    expect(bankingCapT(rule, -20_000)).toBe(10_000);
    expect(bankingCapT(rule, 3)).toBe(10_004);
  });

  it('given the national instruments, then vintages up to 2023 are CEA-19-20 .. CEA-23, oldest first', () => {
    expect(vintagesUpTo(world().ctx, 2023)).toEqual(['CEA-19-20', 'CEA-21', 'CEA-22', 'CEA-23']);
  });

  it('given s1 sold 20,000 t net and holds 105,000 t of vintages up to 2023, when the cap is applied after 2023 settles, then 65,000 t are cancelled (oldest first) and 40,000 t carried forward', () => {
    const { w, seller, buyer } = given();
    must(settleCycle(w.ctx, '2023', AFTER, priced));
    // when
    const r = must(applyBankingCap(w.ctx, AFTER));
    // then
    const s1 = r.find((x) => x.entityId === 's1');
    expect(s1).toMatchObject({ netSalesT: 20_000, capT: 40_000, heldT: 105_000, cancelledT: 65_000 });
    expect(s1?.cancelled).toEqual([
      { instrumentId: 'CEA-22', qtyT: 5000 },
      { instrumentId: 'CEA-23', qtyT: 60_000 },
    ]);
    expect(w.ledger.holding(seller, 'CEA-22').totalT).toBe(0);
    expect(w.ledger.holding(seller, 'CEA-23').totalT).toBe(40_000);
    expect(w.ledger.holding(seller, 'CEA-24').totalT).toBe(50_000); // later vintage untouched
    // the buyer bought 20,000 t net: cap 10,000 t, so 10,000 t of its 20,000 t go
    expect(r.find((x) => x.entityId === 'b1')).toMatchObject({ netSalesT: -20_000, capT: 10_000, cancelledT: 10_000 });
    expect(w.ledger.holding(buyer, 'CEA-23').totalT).toBe(10_000);
    const cancels = w.ledger.records().filter((x) => x.kind === 'cancellation');
    expect(cancels.map((x) => [x.accountId, x.instrumentId, x.qtyT, x.ref])).toEqual([
      [buyer, 'CEA-23', -10_000, 'banking-cap:2023'], // entities in id order: b1, s1
      [seller, 'CEA-22', -5000, 'banking-cap:2023'],
      [seller, 'CEA-23', -60_000, 'banking-cap:2023'],
    ]);
    expect(w.ledger.checkConservation()).toBeNull();
  });

  it('given holdings below the cap, when the cap is applied, then nothing is cancelled', () => {
    const w = world();
    const e = entity(w, { id: 'p1', verifiedT: { 2023: 0 } });
    give(w, e, 'CEA-23', 10_000);
    must(settleCycle(w.ctx, '2023', AFTER, priced));
    expect(must(applyBankingCap(w.ctx, AFTER))[0]).toMatchObject({ heldT: 10_000, cancelledT: 0, cancelled: [] });
    expect(w.ledger.records().filter((x) => x.kind === 'cancellation')).toHaveLength(0);
  });

  it('given 2023 not yet settled, when the cap is applied, then MKT_ERR_NOT_SETTLED and nothing changes', () => {
    const { w } = given();
    expectRejected(w, () => applyBankingCap(w.ctx, AFTER), 'MKT_ERR_NOT_SETTLED');
  });

  it('given the cap applied, when applied again, then MKT_ERR_ALREADY_SETTLED and nothing changes', () => {
    const { w } = given();
    must(settleCycle(w.ctx, '2023', AFTER, priced));
    must(applyBankingCap(w.ctx, AFTER));
    expectRejected(w, () => applyBankingCap(w.ctx, AFTER), 'MKT_ERR_ALREADY_SETTLED');
  });

  it('given s1 reserved 100,000 t for a resting sell order, when the cap must cancel 65,000 t, then MKT_ERR_INSUFFICIENT_ALLOWANCES and nobody is capped', () => {
    const { w, seller } = given();
    must(settleCycle(w.ctx, '2023', AFTER, priced));
    expect(w.ledger.reserveQty(seller, 'CEA-23', 100_000)).toBeNull();
    expectRejected(w, () => applyBankingCap(w.ctx, AFTER), 'MKT_ERR_INSUFFICIENT_ALLOWANCES');
    expect(w.ctx.book.isBanked('2023')).toBe(false);
    w.ledger.releaseQty(seller, 'CEA-23', 100_000);
    expect(must(applyBankingCap(w.ctx, AFTER)).map((x) => x.cancelledT)).toEqual([10_000, 65_000]);
  });

  it('given a market without a banking rule, when the cap is applied, then MKT_ERR_BAD_INPUT', () => {
    const w = world(
      editedSpec((j) => {
        j.compliance!.banking = null;
      }),
    );
    expectRejected(w, () => applyBankingCap(w.ctx, AFTER), 'MKT_ERR_BAD_INPUT');
  });
});
