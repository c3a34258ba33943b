import { afterEach, describe, expect, it } from 'vitest';
import { Ledger } from '../../../src/market/ledger.ts';
import { type OpenRepoCmd, RepoDesk } from '../../../src/market/repo.ts';
import { tsOf } from '../../../src/market/time.ts';

const CEA = 'CEA-23';
const HOLDER = 1;
const CP = 2;
const OTHER = 3;
const START = tsOf('2024-09-30', '10:00');
const DUE = tsOf('2024-12-20', '10:00');

let ledger: Ledger;

afterEach(() => {
  expect(ledger.checkConservation()).toBeNull();
});

function snapshot(l: Ledger): string {
  const t = l.totals();
  return JSON.stringify({
    cash: t.cashFen,
    qty: [...t.qtyT].sort(),
    accounts: l.accountIds().map((id) => [l.account(id), l.holdings(id)]),
    records: l.records(),
  });
}

/** Given: the holder has 10,000 t and 1,000,000 fen; the counterparty 100,000,000 fen; a third account. */
function given(feeBps = 0) {
  ledger = new Ledger();
  for (const id of [HOLDER, CP, OTHER]) ledger.open(id, 'entity');
  ledger.allocate(START, HOLDER, CEA, 10_000, 'seed');
  ledger.deposit(START, HOLDER, 1_000_000, 'seed');
  ledger.deposit(START, CP, 100_000_000, 'seed');
  ledger.deposit(START, OTHER, 1_000, 'seed');
  return new RepoDesk(ledger, { feeBps });
}

/** 5,000 t sold at 90.00 (45,000,000 fen) and bought back on 2024-12-20 at 91.50 (45,750,000 fen). */
const repo = (over: Partial<OpenRepoCmd> = {}): OpenRepoCmd => ({
  repoId: 'R-1',
  tsMs: START,
  holderId: HOLDER,
  counterpartyId: CP,
  instrumentId: CEA,
  qtyT: 5_000,
  startPriceFen: 9_000,
  buybackPriceFen: 9_150,
  buybackDate: '2024-12-20',
  ...over,
});

describe('Hubei allowance repo', () => {
  it('opens with the first leg and reserves the tonnes; settles both legs on the buy-back date', () => {
    const desk = given();
    const r = desk.open(repo());
    expect(r).toMatchObject({ ok: true, value: { status: 'open', startDate: '2024-09-30' } });
    // First leg: holder -> counterparty 5,000 t; counterparty -> holder 45,000,000 fen; no resale lock.
    expect(ledger.account(HOLDER)!.cashFen).toBe(46_000_000);
    expect(ledger.account(CP)!.cashFen).toBe(55_000_000);
    expect(ledger.holding(HOLDER, CEA).totalT).toBe(5_000);
    expect(ledger.holding(CP, CEA)).toEqual({ totalT: 5_000, reservedT: 5_000, lockedT: 0, availableT: 0 });
    // The counterparty cannot sell or surrender the tonnes it must deliver back.
    expect(ledger.reserveQty(CP, CEA, 1)).toMatchObject({ code: 'MKT_ERR_INSUFFICIENT_ALLOWANCES' });
    expect(ledger.surrender(START, CP, CEA, 1, 'x')).toMatchObject({ code: 'MKT_ERR_INSUFFICIENT_ALLOWANCES' });

    const before = snapshot(ledger);
    expect(desk.settle('R-1', tsOf('2024-12-19', '23:59'))).toMatchObject({ code: 'MKT_ERR_REPO_NOT_DUE' });
    expect(snapshot(ledger)).toBe(before);

    const s = desk.settle('R-1', DUE);
    expect(s).toMatchObject({ ok: true, value: { status: 'settled', closedTs: DUE } });
    // Second leg: 45,750,000 fen back; the holder's cost of funds is 750,000 fen.
    expect(ledger.account(HOLDER)!.cashFen).toBe(1_000_000 - 750_000);
    expect(ledger.account(CP)!.cashFen).toBe(100_750_000);
    expect(ledger.holding(HOLDER, CEA)).toEqual({ totalT: 10_000, reservedT: 0, lockedT: 0, availableT: 10_000 });
    expect(ledger.holding(CP, CEA).totalT).toBe(0);
    // Net allowance sales over the year are zero for both.
    expect(ledger.netSalesT(HOLDER, 2024, 2024)).toBe(0);
    expect(desk.settle('R-1', DUE)).toMatchObject({ code: 'MKT_ERR_REPO_CLOSED' });
  });

  it('charges the configured fee on each side of each leg', () => {
    const desk = given(50);
    desk.open(repo());
    // 45,000,000 x 0.5% = 225,000 each side.
    expect(ledger.account(HOLDER)!.cashFen).toBe(1_000_000 + 45_000_000 - 225_000);
    expect(ledger.account(CP)!.cashFen).toBe(100_000_000 - 45_225_000);
    // The buy-back costs 45,750,000 + 228,750 (0.5%) = 45,978,750; the holder has 45,775,000.
    expect(desk.settle('R-1', DUE)).toMatchObject({ code: 'MKT_ERR_INSUFFICIENT_CASH' });
    ledger.deposit(START, HOLDER, 203_750, 'top-up');
    expect(desk.settle('R-1', DUE).ok).toBe(true);
    expect(ledger.account(HOLDER)!.cashFen).toBe(0);
    expect(ledger.account(CP)!.cashFen).toBe(100_000_000 - 45_225_000 + 45_750_000 - 228_750);
    expect(ledger.account(0)!.cashFen).toBe(2 * 225_000 + 2 * 228_750);
  });

  it('when the holder cannot pay, settle is refused and changes nothing; default leaves the tonnes with the counterparty', () => {
    const desk = given();
    desk.open(repo());
    ledger.withdraw(START, HOLDER, 40_000_000, 'spent');
    const before = snapshot(ledger);
    const s = desk.settle('R-1', DUE);
    expect(s).toMatchObject({ ok: false, code: 'MKT_ERR_INSUFFICIENT_CASH' });
    expect(snapshot(ledger)).toBe(before);
    expect(desk.repo('R-1')!.status).toBe('open');

    expect(desk.default('R-1', DUE - 86_400_000)).toMatchObject({ code: 'MKT_ERR_REPO_NOT_DUE' });
    expect(snapshot(ledger)).toBe(before);
    const d = desk.default('R-1', DUE);
    expect(d).toMatchObject({ ok: true, value: { status: 'defaulted', closedTs: DUE } });
    expect(ledger.holding(CP, CEA)).toEqual({ totalT: 5_000, reservedT: 0, lockedT: 0, availableT: 5_000 });
    expect(ledger.account(HOLDER)!.cashFen).toBe(6_000_000);
    const after = snapshot(ledger);
    expect(desk.settle('R-1', DUE)).toMatchObject({ code: 'MKT_ERR_REPO_CLOSED' });
    expect(desk.default('R-1', DUE)).toMatchObject({ code: 'MKT_ERR_REPO_CLOSED' });
    expect(snapshot(ledger)).toBe(after);
  });

  it('lists repos per account, in opening order', () => {
    const desk = given();
    desk.open(repo());
    desk.open(repo({ repoId: 'R-2', qtyT: 1_000, buybackDate: '2025-01-10' }));
    expect(desk.reposOf(HOLDER).map((r) => r.repoId)).toEqual(['R-1', 'R-2']);
    expect(desk.reposOf(CP).map((r) => r.repoId)).toEqual(['R-1', 'R-2']);
    expect(desk.reposOf(OTHER)).toEqual([]);
    expect(ledger.holding(CP, CEA).reservedT).toBe(6_000);
  });

  it('refuses bad contracts and unknown repos, changing nothing', () => {
    const desk = given();
    desk.open(repo());
    const before = snapshot(ledger);
    const cases: [Partial<OpenRepoCmd>, string][] = [
      [{}, 'MKT_ERR_DUPLICATE_ID'],
      [{ repoId: 'R-2', buybackDate: '2024-09-30' }, 'MKT_ERR_BAD_INPUT'],
      [{ repoId: 'R-2', buybackDate: '2024-09-01' }, 'MKT_ERR_BAD_INPUT'],
      [{ repoId: 'R-2', buybackDate: '2024-02-30' }, 'MKT_ERR_BAD_INPUT'],
      [{ repoId: 'R-2', startPriceFen: 0 }, 'MKT_ERR_BAD_INPUT'],
      [{ repoId: 'R-2', buybackPriceFen: -1 }, 'MKT_ERR_BAD_INPUT'],
      [{ repoId: 'R-2', qtyT: 0 }, 'MKT_ERR_BAD_INPUT'],
      [{ repoId: 'R-2', qtyT: 1.5 }, 'MKT_ERR_BAD_INPUT'],
      [{ repoId: 'R-2', counterpartyId: HOLDER }, 'MKT_ERR_SELF_DEAL'],
      [{ repoId: 'R-2', counterpartyId: 99 }, 'MKT_ERR_UNKNOWN_ACCOUNT'],
      [{ repoId: 'R-2', qtyT: 5_001 }, 'MKT_ERR_INSUFFICIENT_ALLOWANCES'],
      [{ repoId: 'R-2', counterpartyId: OTHER }, 'MKT_ERR_INSUFFICIENT_CASH'],
    ];
    for (const [over, code] of cases) expect(desk.open(repo(over)), code).toMatchObject({ ok: false, code });
    expect(desk.settle('R-9', DUE)).toMatchObject({ code: 'MKT_ERR_UNKNOWN_REPO' });
    expect(desk.default('R-9', DUE)).toMatchObject({ code: 'MKT_ERR_UNKNOWN_REPO' });
    expect(snapshot(ledger)).toBe(before);
    expect(desk.reposOf(HOLDER)).toHaveLength(1);
  });
});
