// `cets demo` (the default command; `npm start` is the live server): one trading day of the national market, 2024-09-30,
// run through the market rules loaded from data/: listed agreement in the morning, a block agreement in the
// afternoon, rule violations refused with their codes, then the close, the day's report and the accounts.
// Figures are illustrative, near the real end of Q3 2024 (previous close 99.00 CNY/t).

import { bandEdges } from '../engine/index.ts';
import { TradingCalendar } from '../market/calendar.ts';
import type { Result } from '../market/errors.ts';
import { Ledger } from '../market/ledger.ts';
import { Market } from '../market/market.ts';
import { tsOf } from '../market/time.ts';
import type { TradeRecord } from '../market/trade.ts';
import { type Catalogue, marketById } from '../store/catalogue-files.ts';
import { cny, cnyGrouped, table, tonnes } from './format.ts';

const DAY = '2024-09-30';
const CEA = 'CEA-23';
const names = ['', 'Plant A', 'Plant B', 'Plant C', 'Plant D', 'Plant E', 'Plant F'];

export function runDemo(cat: Catalogue, out: (line: string) => void = console.log): void {
  const spec = marketById(cat, 'national')!;
  const ledger = new Ledger();
  const market = new Market(spec, ledger, {
    calendar: new TradingCalendar(cat.calendar),
    initialCloseFen: { [CEA]: 9_900 },
  });
  const at = (hhmm: string): number => tsOf(DAY, hhmm);
  // Sellers A, B, E hold allowances; buyers C, D, F hold cash. No credit, no short selling.
  for (let id = 1; id <= 6; id++) ledger.open(id, 'entity');
  for (const id of [1, 2, 5]) ledger.allocate(at('08:00'), id, CEA, 400_000, 'allocation 2023');
  for (const id of [3, 4, 6]) ledger.deposit(at('08:00'), id, 30_000_000_00, 'opening cash');

  const trade = (t: TradeRecord): void =>
    out(
      `  ${t.mode.padEnd(6)} trade #${t.tradeId}: ${names[t.buyerId]} buys ${tonnes(t.qtyT)} t from ${names[t.sellerId]} at ${cny(t.priceFen)} (${t.ref})`,
    );
  market.onTrade(trade);
  const show = (what: string, r: Result<unknown>): void => {
    out(r.ok ? `${what}: ok` : `${what}: REFUSED ${r.code}: ${r.message}`);
  };

  out(`cets demo: ${spec.name}, ${DAY}, ${CEA}; previous close 99.00`);
  show('open the day', market.openDay(at('09:00')));
  const band = market.listed.engine(CEA)!;
  const [blockLowFen, blockHighFen] = bandEdges(9_900, spec.modes.block!.bandBps, spec.modes.block!.tickFen);
  out(
    `listed band ${cny(band.bandLowFen)}-${cny(band.bandHighFen)}; block band ${cny(blockLowFen)}-${cny(blockHighFen)}\n`,
  );

  out('09:31 sellers list allowances on six price levels (two listings at 99.25)');
  const listings: number[] = [];
  for (const [acct, priceFen, qtyT] of [
    [1, 9_920, 3_000],
    [2, 9_925, 5_000],
    [1, 9_925, 2_000],
    [2, 9_930, 8_000],
    [1, 9_935, 4_000],
    [2, 9_940, 6_000],
    [2, 9_948, 10_000],
  ] as const) {
    const r = market.placeOrder({
      tsMs: at('09:31'),
      accountId: acct,
      instrumentId: CEA,
      side: 'sell',
      priceFen,
      qtyT,
      tif: 'day',
    });
    if (r.ok) listings.push(r.value.orderId);
  }
  out('09:40 Plant C takes the younger listing at 99.25 (no time priority at one price)');
  show('  take', market.take(at('09:40'), 3, CEA, listings[2]!, 2_000));
  out('09:45 Plant D tries to take the listing at 99.48, the sixth level');
  show('  take', market.take(at('09:45'), 4, CEA, listings[6]!, 1_000));
  out('10:05 Plant D buys up to 99.35 for 20,000 t: it sweeps the best levels at each listing’s price');
  show(
    '  order',
    market.placeOrder({
      tsMs: at('10:05'),
      accountId: 4,
      instrumentId: CEA,
      side: 'buy',
      priceFen: 9_935,
      qtyT: 20_000,
      tif: 'day',
    }),
  );
  out('10:06 a bid above the band');
  show(
    '  order',
    market.placeOrder({
      tsMs: at('10:06'),
      accountId: 3,
      instrumentId: CEA,
      side: 'buy',
      priceFen: 10_900,
      qtyT: 1_000,
      tif: 'day',
    }),
  );
  out('10:30 Plant C tries to resell what it bought this morning');
  show(
    '  order',
    market.placeOrder({
      tsMs: at('10:30'),
      accountId: 3,
      instrumentId: CEA,
      side: 'sell',
      priceFen: 9_950,
      qtyT: 1_000,
      tif: 'day',
    }),
  );
  out('11:00 Plant F, which holds no allowances, tries to sell');
  show(
    '  order',
    market.placeOrder({
      tsMs: at('11:00'),
      accountId: 6,
      instrumentId: CEA,
      side: 'sell',
      priceFen: 9_940,
      qtyT: 500,
      tif: 'day',
    }),
  );
  out('11:40 lunch break');
  show(
    '  order',
    market.placeOrder({
      tsMs: at('11:40'),
      accountId: 3,
      instrumentId: CEA,
      side: 'buy',
      priceFen: 9_940,
      qtyT: 500,
      tif: 'day',
    }),
  );
  out('13:05 Plant C bids 99.40 for 6,000 t; Plant A hits it');
  show(
    '  order',
    market.placeOrder({
      tsMs: at('13:05'),
      accountId: 3,
      instrumentId: CEA,
      side: 'buy',
      priceFen: 9_940,
      qtyT: 6_000,
      tif: 'day',
    }),
  );
  show(
    '  order',
    market.placeOrder({
      tsMs: at('13:06'),
      accountId: 1,
      instrumentId: CEA,
      side: 'sell',
      priceFen: 9_940,
      qtyT: 6_000,
      tif: 'ioc',
    }),
  );

  out('\n13:30 block agreement: Plant E offers Plant F 200,000 t at 96.00');
  const p = market.proposeBlock({
    tsMs: at('13:30'),
    proposerId: 5,
    counterpartyId: 6,
    side: 'sell',
    instrumentId: CEA,
    priceFen: 9_600,
    qtyT: 200_000,
  });
  show('  propose', p);
  if (p.ok) {
    out('13:45 Plant F counters: 150,000 t at 95.50');
    const c = market.counterBlock(at('13:45'), p.value.proposalId, 6, 9_550, 150_000);
    show('  counter', c);
    out('14:00 Plant E accepts');
    if (c.ok) show('  accept', market.acceptBlock(at('14:00'), c.value.proposalId, 5));
  }
  out('14:10 a 50,000 t block proposal');
  show(
    '  propose',
    market.proposeBlock({
      tsMs: at('14:10'),
      proposerId: 2,
      counterpartyId: null,
      side: 'sell',
      instrumentId: CEA,
      priceFen: 9_600,
      qtyT: 50_000,
    }),
  );

  const end = market.closeDay(at('15:00'));
  if (!end.ok) throw new Error(end.message);
  out(`\n15:00 close. Day report (listed sets the close; block is reported apart):`);
  const bars = end.value.bars.filter((b) => b.volumeT > 0 || b.instrumentId === CEA);
  for (const l of table(
    ['instrument', 'mode', 'open', 'high', 'low', 'close', 'vwap', 'volume t', 'turnover CNY', 'trades'],
    bars.map((b) => [
      b.instrumentId,
      b.mode,
      cny(b.openFen),
      cny(b.highFen),
      cny(b.lowFen),
      cny(b.closeFen),
      cny(b.vwapFen),
      tonnes(b.volumeT),
      cnyGrouped(b.turnoverFen),
      String(b.trades),
    ]),
  ))
    out(`  ${l}`);
  out(`  comprehensive price (vintages weighted by listed volume): ${cny(end.value.comprehensiveFen)}`);
  out(`  next day's listed band: ${cny(band.bandLowFen)}-${cny(band.bandHighFen)}\n`);
  out('Accounts after settlement (tonnes bought today are locked until the next trading day):');
  const rows = [1, 2, 3, 4, 5, 6].map((id) => {
    const a = ledger.account(id)!;
    const h = ledger.holding(id, CEA);
    return [names[id]!, cnyGrouped(a.cashFen), tonnes(h.totalT), tonnes(h.lockedT)];
  });
  for (const l of table(['account', 'cash CNY', `${CEA} t`, 'locked t'], rows)) out(`  ${l}`);
  const check = ledger.checkConservation();
  out(`\nconservation: ${check ?? 'cash and allowances equal what entered the system (allocation, deposits)'}`);
}
