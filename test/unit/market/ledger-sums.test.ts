// The ledger's sums stay safe integers. Money and tonnes enter only by deposit and by allocation or issuance and are
// conserved after, so the ledger bounds what entered in all: every balance, and every sum of balances, is then
// exact whatever trades follow. Before, each deposit was checked against its own account only: two accounts of
// 2^53 - 2 fen each, one selling a tonne for 3 fen to the other, left the seller with 9007199254740992 fen (the
// exact amount, 9007199254740993, is not a double) and checkConservation, adding up in doubles, saw nothing.
import { describe, expect, it } from 'vitest';
import { Ledger, type Transfer } from '../../../src/market/ledger.ts';

const MAX = Number.MAX_SAFE_INTEGER;

const sale = (valueFen: number): Transfer => ({
  tsMs: 0,
  buyerId: 1,
  sellerId: 2,
  instrumentId: 'CEA-23',
  qtyT: 1,
  valueFen,
  buyerFeeFen: 0,
  sellerFeeFen: 0,
  buyerReservedUseFen: 0,
  sellerReservedUseT: 0,
  lockDays: 0,
  countFlows: false,
  ref: 'trade',
});

function twoAccounts(): Ledger {
  const l = new Ledger();
  l.open(1, 'entity');
  l.open(2, 'entity');
  return l;
}

describe('ledger sums', () => {
  it('refuses a deposit that would take the money in all accounts past 2^53 - 1 fen', () => {
    const l = twoAccounts();
    expect(l.deposit(0, 1, MAX - 1, 'a')).toBeNull();
    expect(l.deposit(0, 2, MAX - 1, 'b')).toMatchObject({
      code: 'MKT_ERR_OVERFLOW',
      message: 'the deposit would take the money held in all accounts past the largest exact amount',
    });
    expect(l.deposit(0, 2, 1, 'c')).toBeNull();
    expect(l.allocate(0, 2, 'CEA-23', 10, 'x')).toBeNull();
    // Whatever the trade, no balance can pass the range now.
    expect(l.transfer(sale(MAX - 1))).toBeNull();
    expect(l.account(2)?.cashFen).toBe(MAX);
    expect(l.checkConservation()).toBeNull();
  });

  it('refuses an allocation or issuance that would take an instrument past 2^53 - 1 t in all accounts', () => {
    const l = twoAccounts();
    expect(l.allocate(0, 1, 'CEA-23', MAX - 1, 'a')).toBeNull();
    expect(l.issue(0, 2, 'CEA-23', 2, 'b')).toMatchObject({ code: 'MKT_ERR_OVERFLOW' });
    expect(l.allocate(0, 2, 'CEA-23', 1, 'c')).toBeNull();
    expect(l.allocate(0, 2, 'CCER', MAX, 'd')).toBeNull();
    expect(l.checkConservation()).toBeNull();
  });

  it('checkConservation adds up exactly: a balance past the range is reported', () => {
    const l = twoAccounts();
    expect(l.deposit(0, 1, 10, 'a')).toBeNull();
    // A balance no command can make now, written in directly to see that the check is not blind to it.
    const accounts = (l as unknown as { accounts: Map<number, { cashFen: number }> }).accounts;
    accounts.get(1)!.cashFen = 2 ** 53;
    expect(l.checkConservation()).toBe('account 1: cash 9007199254740992 fen is not a safe integer');
  });
});
