import { describe, expect, it } from 'vitest';
import { statement } from '../../../src/market/statement.ts';
import { at, ledgerState, loadSpec, specVariant, world } from '../../fixtures/markets.ts';

// 2024-07-01 is a Monday. Band reference 90.00 CNY (9000 fen): listed band 81.00-99.00.
const D = '2024-07-01';
const CEA = 'CEA-23';

function openNational(opts: Parameters<typeof world>[1] = {}) {
  const w = world(loadSpec('national'), { instrumentId: CEA, ...opts });
  expect(w.market.openDay(at(D, '09:00')).ok).toBe(true);
  return w;
}

describe('listed agreement in the national market', () => {
  it('settles both legs at once, at the listing price, and the buyer gets the tonnes locked until T+1', () => {
    const { market, ledger } = openNational();
    const sell = market.placeOrder({
      tsMs: at(D, '09:31'),
      accountId: 1,
      instrumentId: CEA,
      side: 'sell',
      priceFen: 9_050,
      qtyT: 1_000,
      tif: 'day',
    });
    expect(sell.ok).toBe(true);
    const cash2 = ledger.account(2)!.cashFen;
    const buy = market.placeOrder({
      tsMs: at(D, '09:32'),
      accountId: 2,
      instrumentId: CEA,
      side: 'buy',
      priceFen: 9_100,
      qtyT: 400,
      tif: 'day',
    });
    expect(buy.ok && buy.value).toMatchObject({ filledT: 400, restingT: 0 });
    expect(ledger.account(2)!.cashFen).toBe(cash2 - 9_050 * 400);
    expect(ledger.account(2)!.reservedFen).toBe(0);
    expect(ledger.holding(2, CEA)).toMatchObject({ totalT: 1_000_400, lockedT: 400, availableT: 1_000_000 });
    expect(ledger.holding(1, CEA)).toMatchObject({ totalT: 999_600, reservedT: 600 });
    expect(market.trades()).toHaveLength(1);
    expect(market.trades()[0]).toMatchObject({
      mode: 'listed',
      buyerId: 2,
      sellerId: 1,
      priceFen: 9_050,
      qtyT: 400,
      aggressor: 'buy',
    });
    expect(ledger.checkConservation()).toBeNull();
    expect(market.checkReservations()).toBeNull();
  });

  it('without records or tape (as simulations run) settles the same, still checks conservation, and refuses to list history', () => {
    const trade = (w: ReturnType<typeof openNational>) => {
      for (const [accountId, side, priceFen, qtyT] of [
        [1, 'sell', 9_050, 1_000],
        [2, 'buy', 9_100, 400],
        [3, 'buy', 9_060, 700],
      ] as const)
        w.market.placeOrder({ tsMs: at(D, '09:31'), accountId, instrumentId: CEA, side, priceFen, qtyT, tif: 'day' });
      return [1, 2, 3].map((id) => [w.ledger.account(id), w.ledger.holding(id, CEA)]);
    };
    const kept = openNational();
    const lean = openNational({ keepHistory: false });
    expect(trade(lean)).toEqual(trade(kept));
    expect(lean.ledger.checkConservation()).toBeNull();
    expect(() => lean.ledger.records()).toThrow(/keeps no records/);
    expect(() => lean.market.trades()).toThrow(/keeps no tape/);
    expect(lean.market.stats.closeFen(CEA)).toBe(kept.market.stats.closeFen(CEA));
    // The running sums are a real check: a balance moved outside the records is caught.
    (lean.ledger as unknown as { accounts: Map<number, { cashFen: number }> }).accounts.get(1)!.cashFen += 1;
    expect(lean.ledger.checkConservation()).toMatch(/cash/);
  });

  it('refuses to resell tonnes bought today, and allows it on the next trading day', () => {
    const { market, ledger } = openNational({ qtyT: 0 });
    ledger.allocate(0, 1, CEA, 500, 'seed');
    market.placeOrder({
      tsMs: at(D, '09:31'),
      accountId: 1,
      instrumentId: CEA,
      side: 'sell',
      priceFen: 9_000,
      qtyT: 500,
      tif: 'day',
    });
    market.placeOrder({
      tsMs: at(D, '09:32'),
      accountId: 2,
      instrumentId: CEA,
      side: 'buy',
      priceFen: 9_000,
      qtyT: 500,
      tif: 'day',
    });
    const before = ledgerState(ledger);
    const resell = market.placeOrder({
      tsMs: at(D, '09:33'),
      accountId: 2,
      instrumentId: CEA,
      side: 'sell',
      priceFen: 9_100,
      qtyT: 100,
      tif: 'day',
    });
    expect(resell.ok).toBe(false);
    if (!resell.ok) {
      expect(resell.code).toBe('MKT_ERR_RESALE_LOCKED');
      expect(resell.message).toMatch(/next trading day/);
    }
    expect(ledgerState(ledger)).toBe(before);
    expect(market.closeDay(at(D, '15:30')).ok).toBe(true);
    expect(market.openDay(at('2024-07-02', '09:00')).ok).toBe(true);
    const next = market.placeOrder({
      tsMs: at('2024-07-02', '09:33'),
      accountId: 2,
      instrumentId: CEA,
      side: 'sell',
      priceFen: 9_100,
      qtyT: 100,
      tif: 'day',
    });
    expect(next.ok).toBe(true);
  });

  it('has no short selling and no credit; a refused order changes nothing', () => {
    const { market, ledger } = openNational({ cashFen: 100_000, qtyT: 10 });
    const before = ledgerState(ledger);
    const short = market.placeOrder({
      tsMs: at(D, '10:00'),
      accountId: 1,
      instrumentId: CEA,
      side: 'sell',
      priceFen: 9_000,
      qtyT: 11,
      tif: 'day',
    });
    expect(!short.ok && short.code).toBe('MKT_ERR_INSUFFICIENT_ALLOWANCES');
    // 100,000 fen buys 11 t at 90.00 (99,000 fen) but not 12 t.
    const credit = market.placeOrder({
      tsMs: at(D, '10:00'),
      accountId: 1,
      instrumentId: CEA,
      side: 'buy',
      priceFen: 9_000,
      qtyT: 12,
      tif: 'day',
    });
    expect(!credit.ok && credit.code).toBe('MKT_ERR_INSUFFICIENT_CASH');
    expect(ledgerState(ledger)).toBe(before);
    expect(
      market.placeOrder({
        tsMs: at(D, '10:00'),
        accountId: 1,
        instrumentId: CEA,
        side: 'buy',
        priceFen: 9_000,
        qtyT: 11,
        tif: 'day',
      }).ok,
    ).toBe(true);
    expect(ledger.account(1)).toMatchObject({ reservedFen: 99_000, availableFen: 1_000 });
  });

  it('reserves for a resting order and releases on cancel and at the end of day', () => {
    const { market, ledger } = openNational();
    const b = market.placeOrder({
      tsMs: at(D, '10:00'),
      accountId: 1,
      instrumentId: CEA,
      side: 'buy',
      priceFen: 8_900,
      qtyT: 100,
      tif: 'day',
    });
    const s = market.placeOrder({
      tsMs: at(D, '10:00'),
      accountId: 2,
      instrumentId: CEA,
      side: 'sell',
      priceFen: 9_200,
      qtyT: 300,
      tif: 'gtc',
    });
    expect(ledger.account(1)!.reservedFen).toBe(890_000);
    expect(ledger.holding(2, CEA).reservedT).toBe(300);
    expect(b.ok && market.cancel(at(D, '11:45'), 1, b.value.orderId).ok).toBe(true);
    expect(ledger.account(1)!.reservedFen).toBe(0);
    market.placeOrder({
      tsMs: at(D, '13:01'),
      accountId: 3,
      instrumentId: CEA,
      side: 'buy',
      priceFen: 8_800,
      qtyT: 100,
      tif: 'day',
    });
    expect(market.closeDay(at(D, '15:30')).ok).toBe(true);
    // The day order expired; the GTC order still rests, still reserved.
    expect(ledger.account(3)!.reservedFen).toBe(0);
    expect(s.ok && market.listed.orderOf(s.value.orderId)).toMatchObject({ accountId: 2 });
    expect(ledger.holding(2, CEA).reservedT).toBe(300);
    expect(market.checkReservations()).toBeNull();
  });

  it('releases what a buyer reserved at its limit but did not pay at the better listing price', () => {
    const { market, ledger } = openNational();
    market.placeOrder({
      tsMs: at(D, '10:00'),
      accountId: 1,
      instrumentId: CEA,
      side: 'sell',
      priceFen: 9_000,
      qtyT: 100,
      tif: 'day',
    });
    market.placeOrder({
      tsMs: at(D, '10:01'),
      accountId: 2,
      instrumentId: CEA,
      side: 'buy',
      priceFen: 9_500,
      qtyT: 150,
      tif: 'day',
    });
    // 100 t filled at 90.00; 50 t rest at 95.00.
    expect(ledger.account(2)!.reservedFen).toBe(50 * 9_500);
    expect(market.checkReservations()).toBeNull();
  });

  it('checks the session windows: before 09:30, the lunch break and after 15:00 are closed', () => {
    const { market } = openNational();
    for (const t of ['09:29', '11:30', '12:59', '15:00']) {
      const r = market.placeOrder({
        tsMs: at(D, t),
        accountId: 1,
        instrumentId: CEA,
        side: 'buy',
        priceFen: 9_000,
        qtyT: 1,
        tif: 'day',
      });
      expect(!r.ok && r.code, t).toBe('MKT_ERR_SESSION_CLOSED');
    }
    for (const t of ['09:30', '11:29', '13:00', '14:59']) {
      const r = market.placeOrder({
        tsMs: at(D, t),
        accountId: 1,
        instrumentId: CEA,
        side: 'buy',
        priceFen: 9_000,
        qtyT: 1,
        tif: 'day',
      });
      expect(r.ok, t).toBe(true);
    }
  });

  it('refuses weekends, a second open, and commands on another day', () => {
    const { market } = world(loadSpec('national'));
    const sat = market.openDay(at('2024-07-06', '09:00'));
    expect(!sat.ok && sat.code).toBe('MKT_ERR_NOT_TRADING_DAY');
    expect(market.openDay(at(D, '09:00')).ok).toBe(true);
    const again = market.openDay(at(D, '09:10'));
    expect(again.ok).toBe(false);
    const other = market.placeOrder({
      tsMs: at('2024-07-02', '10:00'),
      accountId: 1,
      instrumentId: CEA,
      side: 'buy',
      priceFen: 9_000,
      qtyT: 1,
      tif: 'day',
    });
    expect(!other.ok && other.code).toBe('MKT_ERR_SESSION_CLOSED');
  });

  it('refuses malformed commands with a code and changes nothing', () => {
    const { market, ledger } = openNational();
    const before = ledgerState(ledger);
    const base = {
      tsMs: at(D, '10:00'),
      accountId: 1,
      instrumentId: CEA,
      side: 'buy',
      priceFen: 9_000,
      qtyT: 10,
      tif: 'day',
    };
    const cases: [Record<string, unknown>, string][] = [
      [{ priceFen: Number.NaN }, 'ENG_BAD_PRICE'],
      [{ priceFen: Number.POSITIVE_INFINITY }, 'ENG_BAD_PRICE'],
      [{ priceFen: '9000' }, 'ENG_BAD_PRICE'],
      [{ qtyT: 1.5 }, 'ENG_BAD_QTY'],
      [{ qtyT: 2 ** 60 }, 'ENG_BAD_QTY'],
      [{ side: 'x' }, 'MKT_ERR_BAD_INPUT'],
      [{ tif: '__proto__' }, 'MKT_ERR_BAD_INPUT'],
      [{ tif: 'constructor' }, 'MKT_ERR_BAD_INPUT'],
      [{ instrumentId: undefined }, 'MKT_ERR_UNKNOWN_INSTRUMENT'],
      [{ accountId: 'a' }, 'MKT_ERR_UNKNOWN_ACCOUNT'],
      [{ tsMs: Number.NaN }, 'MKT_ERR_BAD_INPUT'],
    ];
    for (const [bad, code] of cases) {
      const r = market.placeOrder({ ...base, ...bad } as unknown as Parameters<typeof market.placeOrder>[0]);
      expect(r.ok ? 'accepted' : r.code, JSON.stringify(bad)).toBe(code);
    }
    expect(ledgerState(ledger)).toBe(before);
    expect(market.listed.engine(CEA)!.orderCount).toBe(0);
  });

  it('rejects prices outside the ±10% band with the engine code and a sentence', () => {
    const { market, ledger } = openNational();
    const before = ledgerState(ledger);
    const hi = market.placeOrder({
      tsMs: at(D, '10:00'),
      accountId: 1,
      instrumentId: CEA,
      side: 'buy',
      priceFen: 9_901,
      qtyT: 1,
      tif: 'day',
    });
    expect(!hi.ok && hi.code).toBe('ENG_PRICE_ABOVE_BAND');
    expect(!hi.ok && hi.message).toBe('the price 99.01 CNY is above today’s band (81.00-99.00 CNY)');
    const lo = market.placeOrder({
      tsMs: at(D, '10:00'),
      accountId: 1,
      instrumentId: CEA,
      side: 'sell',
      priceFen: 8_099,
      qtyT: 1,
      tif: 'day',
    });
    expect(!lo.ok && lo.code).toBe('ENG_PRICE_BELOW_BAND');
    const big = market.placeOrder({
      tsMs: at(D, '10:00'),
      accountId: 1,
      instrumentId: CEA,
      side: 'buy',
      priceFen: 9_000,
      qtyT: 100_000,
      tif: 'day',
    });
    expect(!big.ok && big.code).toBe('ENG_QTY_ABOVE_MAX');
    expect(ledgerState(ledger)).toBe(before);
  });

  it('lets a taker pick any listing within the best five levels, at its price', () => {
    const { market, ledger } = openNational();
    const ids: number[] = [];
    for (let i = 0; i < 6; i++) {
      const r = market.placeOrder({
        tsMs: at(D, '10:00'),
        accountId: 1,
        instrumentId: CEA,
        side: 'sell',
        priceFen: 9_000 + i * 10,
        qtyT: 100,
        tif: 'day',
      });
      if (r.ok) ids.push(r.value.orderId);
    }
    const fifth = market.take(at(D, '10:05'), 2, CEA, ids[4]!, 60);
    expect(fifth.ok).toBe(true);
    expect(market.trades().at(-1)).toMatchObject({ priceFen: 9_040, qtyT: 60 });
    const sixth = market.take(at(D, '10:05'), 2, CEA, ids[5]!, 10);
    expect(!sixth.ok && sixth.code).toBe('ENG_TAKE_BEYOND_DEPTH');
    expect(ledger.account(2)!.reservedFen).toBe(0);
    expect(ledger.checkConservation()).toBeNull();
  });

  it('admits only the participants the entry allows', () => {
    const { market, ledger } = openNational();
    ledger.open(9, 'individual');
    ledger.deposit(0, 9, 1_000_000, 'seed');
    const r = market.placeOrder({
      tsMs: at(D, '10:00'),
      accountId: 9,
      instrumentId: CEA,
      side: 'buy',
      priceFen: 9_000,
      qtyT: 1,
      tif: 'day',
    });
    expect(!r.ok && r.code).toBe('MKT_ERR_NOT_ELIGIBLE');
    const unknown = market.placeOrder({
      tsMs: at(D, '10:00'),
      accountId: 1,
      instrumentId: 'CEA-24',
      side: 'buy',
      priceFen: 9_000,
      qtyT: 1,
      tif: 'day',
    });
    expect(!unknown.ok && unknown.message).toMatch(/listed from 2025/);
  });

  it('charges fees per side, rounded half up to the fen, into the exchange fee account (Hubei-style 0.5%)', () => {
    const spec = specVariant('national', (s) => {
      s.modes.listed.feeBps = 50;
    });
    const { market, ledger } = world(spec, { instrumentId: CEA });
    market.openDay(at(D, '09:00'));
    market.placeOrder({
      tsMs: at(D, '10:00'),
      accountId: 1,
      instrumentId: CEA,
      side: 'sell',
      priceFen: 9_001,
      qtyT: 3,
      tif: 'day',
    });
    const cash1 = ledger.account(1)!.cashFen;
    const cash2 = ledger.account(2)!.cashFen;
    market.placeOrder({
      tsMs: at(D, '10:01'),
      accountId: 2,
      instrumentId: CEA,
      side: 'buy',
      priceFen: 9_001,
      qtyT: 3,
      tif: 'day',
    });
    // value 27,003 fen; fee 0.5% = 135.015 -> 135 fen each side.
    expect(ledger.account(2)!.cashFen).toBe(cash2 - 27_003 - 135);
    expect(ledger.account(1)!.cashFen).toBe(cash1 + 27_003 - 135);
    expect(ledger.account(0)!.cashFen).toBe(270);
    expect(ledger.account(2)!.reservedFen).toBe(0);
    expect(ledger.records().filter((r) => r.kind === 'fee')).toHaveLength(2);
    expect(ledger.checkConservation()).toBeNull();
  });
});

describe('pilot matching modes', () => {
  const D2 = '2024-07-01';
  it('Guangdong (best-price): an incoming order trades only at the best opposite price, oldest first; no picking', () => {
    const spec = loadSpec('guangdong');
    const id = 'GDEA-23';
    const { market, ledger } = world(spec, { instrumentId: id, closeFen: 4_000 });
    market.openDay(at(D2, '09:00'));
    const a = market.placeOrder({
      tsMs: at(D2, '09:31'),
      accountId: 1,
      instrumentId: id,
      side: 'sell',
      priceFen: 4_000,
      qtyT: 100,
      tif: 'day',
    });
    market.placeOrder({
      tsMs: at(D2, '09:32'),
      accountId: 3,
      instrumentId: id,
      side: 'sell',
      priceFen: 4_000,
      qtyT: 100,
      tif: 'day',
    });
    market.placeOrder({
      tsMs: at(D2, '09:33'),
      accountId: 1,
      instrumentId: id,
      side: 'sell',
      priceFen: 4_010,
      qtyT: 100,
      tif: 'day',
    });
    const buy = market.placeOrder({
      tsMs: at(D2, '09:40'),
      accountId: 2,
      instrumentId: id,
      side: 'buy',
      priceFen: 4_010,
      qtyT: 300,
      tif: 'day',
    });
    // 200 t at 40.00 (the older order first); the 40.10 level is not reached; the rest would cross, so it is cancelled.
    expect(buy.ok && buy.value).toMatchObject({ filledT: 200, restingT: 0 });
    expect(market.trades().map((t) => [t.sellerId, t.priceFen, t.qtyT])).toEqual([
      [1, 4_000, 100],
      [3, 4_000, 100],
    ]);
    expect(ledger.account(2)!.reservedFen).toBe(0);
    const take = a.ok ? market.take(at(D2, '09:41'), 2, id, a.value.orderId, 10) : null;
    expect(take?.ok === false && take.code).toBe('MKT_ERR_MODE_NOT_OFFERED');
  });

  it('Beijing (price-time): an incoming order sweeps the book in price then time order', () => {
    const spec = loadSpec('beijing');
    const id = 'BEA-23';
    const { market } = world(spec, { instrumentId: id, closeFen: 10_000 });
    market.openDay(at(D2, '09:00'));
    for (const [acct, p] of [
      [1, 10_050],
      [3, 10_000],
      [4, 10_020],
    ] as const)
      market.placeOrder({
        tsMs: at(D2, '09:31'),
        accountId: acct,
        instrumentId: id,
        side: 'sell',
        priceFen: p,
        qtyT: 50,
        tif: 'day',
      });
    const buy = market.placeOrder({
      tsMs: at(D2, '09:40'),
      accountId: 2,
      instrumentId: id,
      side: 'buy',
      priceFen: 10_100,
      qtyT: 150,
      tif: 'day',
    });
    expect(buy.ok && buy.value.filledT).toBe(150);
    expect(market.trades().map((t) => t.priceFen)).toEqual([10_000, 10_020, 10_050]);
  });
});

describe('statements', () => {
  it('show cash exact to the fen as CNY strings, holdings with locked tonnes, and the recorded entries', () => {
    const spec = specVariant('national', (s) => {
      s.modes.listed.feeBps = 50;
    });
    const { market, ledger } = world(spec, { instrumentId: CEA });
    market.openDay(at(D, '09:00'));
    market.placeOrder({
      tsMs: at(D, '10:00'),
      accountId: 1,
      instrumentId: CEA,
      side: 'sell',
      priceFen: 9_001,
      qtyT: 3,
      tif: 'day',
    });
    market.placeOrder({
      tsMs: at(D, '10:01'),
      accountId: 2,
      instrumentId: CEA,
      side: 'buy',
      priceFen: 9_001,
      qtyT: 3,
      tif: 'day',
    });
    const s = statement(ledger, 2)!;
    // 1,000,000,000.00 - 270.03 - 1.35 fee
    expect(s).toMatchObject({ cashCny: '999999728.62', reservedCny: '0.00', availableCny: '999999728.62' });
    expect(s.holdings).toEqual([
      { instrumentId: CEA, totalT: 1_000_003, reservedT: 0, lockedT: 3, availableT: 1_000_000 },
    ]);
    expect(s.entries.map((e) => [e.kind, e.cashCny])).toEqual([
      ['deposit', '1000000000.00'],
      ['allocation', '0.00'],
      ['fee', '-1.35'],
    ]);
    expect(statement(ledger, 99)).toBeNull();
  });
});
