import { describe, expect, it } from 'vitest';
import { comprehensivePriceFen, type DailyBar, monthlyAveragePriceFen } from '../../../src/market/daily-stats.ts';
import { at, loadSpec, specVariant, world } from '../../fixtures/markets.ts';

const CEA = 'CEA-23';

function trade(
  m: ReturnType<typeof world>['market'],
  date: string,
  t: string,
  priceFen: number,
  qtyT: number,
  id = CEA,
) {
  const s = m.placeOrder({
    tsMs: at(date, t),
    accountId: 1,
    instrumentId: id,
    side: 'sell',
    priceFen,
    qtyT,
    tif: 'day',
  });
  const b = m.placeOrder({
    tsMs: at(date, t),
    accountId: 2,
    instrumentId: id,
    side: 'buy',
    priceFen,
    qtyT,
    tif: 'day',
  });
  if (!s.ok || !b.ok) throw new Error('trade failed');
}

describe('daily statistics and the close', () => {
  it('closes at the VWAP of the listed trades, opens at the first, and keeps year-to-date and cumulative totals', () => {
    const { market } = world(loadSpec('national'), { instrumentId: CEA });
    market.openDay(at('2024-07-01', '09:00'));
    trade(market, '2024-07-01', '09:40', 9_000, 100);
    trade(market, '2024-07-01', '10:40', 9_300, 300);
    trade(market, '2024-07-01', '14:00', 8_950, 100);
    const d1 = market.closeDay(at('2024-07-01', '15:10'));
    if (!d1.ok) throw new Error(d1.message);
    const bar = d1.value.bars.find((b) => b.instrumentId === CEA && b.mode === 'listed')!;
    // (9000*100 + 9300*300 + 8950*100) / 500 = 9170
    expect(bar).toMatchObject({
      openFen: 9_000,
      highFen: 9_300,
      lowFen: 8_950,
      closeFen: 9_170,
      vwapFen: 9_170,
      volumeT: 500,
      trades: 3,
    });
    expect(bar).toMatchObject({ turnoverFen: 4_585_000, ytdVolumeT: 500, cumVolumeT: 500 });
    // The next day's band is centred on the close.
    expect(market.listed.engine(CEA)!.refPriceFen).toBe(9_170);
    market.openDay(at('2024-07-02', '09:00'));
    const d2 = market.closeDay(at('2024-07-02', '15:10'));
    if (!d2.ok) throw new Error(d2.message);
    const flat = d2.value.bars.find((b) => b.instrumentId === CEA && b.mode === 'listed')!;
    expect(flat).toMatchObject({
      openFen: 9_170,
      highFen: 9_170,
      lowFen: 9_170,
      closeFen: 9_170,
      vwapFen: null,
      volumeT: 0,
      trades: 0,
      cumVolumeT: 500,
    });
  });

  it('starts year-to-date totals again in a new year, not the cumulative ones', () => {
    const { market } = world(loadSpec('national'), { instrumentId: CEA });
    market.openDay(at('2024-12-31', '09:00'));
    trade(market, '2024-12-31', '10:00', 9_000, 10);
    market.closeDay(at('2024-12-31', '15:10'));
    market.openDay(at('2025-01-02', '09:00'));
    trade(market, '2025-01-02', '10:00', 9_000, 7);
    const d = market.closeDay(at('2025-01-02', '15:10'));
    if (!d.ok) throw new Error(d.message);
    expect(d.value.bars.find((b) => b.instrumentId === CEA && b.mode === 'listed')).toMatchObject({
      ytdVolumeT: 7,
      cumVolumeT: 17,
    });
  });

  it('Guangdong rule: the previous close stands when listed volume is 100 t or less', () => {
    const spec = specVariant('national', (s) => {
      s.close.previousCloseIfListedVolumeAtMostT = 100;
    });
    const { market } = world(spec, { instrumentId: CEA });
    market.openDay(at('2024-07-01', '09:00'));
    trade(market, '2024-07-01', '10:00', 9_500, 100);
    const d1 = market.closeDay(at('2024-07-01', '15:10'));
    expect(d1.ok && d1.value.bars.find((b) => b.instrumentId === CEA)!.closeFen).toBe(9_000);
    market.openDay(at('2024-07-02', '09:00'));
    trade(market, '2024-07-02', '10:00', 9_500, 101);
    const d2 = market.closeDay(at('2024-07-02', '15:10'));
    expect(d2.ok && d2.value.bars.find((b) => b.instrumentId === CEA)!.closeFen).toBe(9_500);
  });

  it('comprehensive price: vintages weighted by listed volume by default, or by given weights', () => {
    const bar = (id: string, closeFen: number, volumeT: number): DailyBar => ({
      date: '2024-07-01',
      instrumentId: id,
      mode: 'listed',
      openFen: closeFen,
      highFen: closeFen,
      lowFen: closeFen,
      closeFen,
      vwapFen: closeFen,
      volumeT,
      turnoverFen: closeFen * volumeT,
      trades: 1,
      ytdVolumeT: 0,
      ytdTurnoverFen: 0,
      cumVolumeT: 0,
      cumTurnoverFen: 0,
    });
    const bars = [bar('CEA-22', 9_000, 100), bar('CEA-23', 9_400, 300)];
    expect(comprehensivePriceFen(bars)).toBe(9_300); // (9000*100 + 9400*300) / 400
    expect(comprehensivePriceFen(bars, { 'CEA-22': 1, 'CEA-23': 1 })).toBe(9_200);
    expect(comprehensivePriceFen([bar('CEA-22', 9_000, 0), bar('CEA-23', 9_401, 0)])).toBe(9_201); // equal weights, half up
    expect(comprehensivePriceFen([])).toBeNull();
  });

  it('monthly average price for penalties: listed turnover / volume over the month', () => {
    const { market } = world(loadSpec('national'), { instrumentId: CEA });
    market.openDay(at('2024-12-02', '09:00'));
    trade(market, '2024-12-02', '10:00', 9_700, 100);
    market.closeDay(at('2024-12-02', '15:10'));
    market.openDay(at('2024-12-03', '09:00'));
    trade(market, '2024-12-03', '10:00', 9_900, 100);
    market.closeDay(at('2024-12-03', '15:10'));
    expect(monthlyAveragePriceFen(market.stats.history(), [CEA], '2024-12')).toBe(9_800);
    expect(monthlyAveragePriceFen(market.stats.history(), [CEA], '2024-11')).toBeNull();
  });
});
