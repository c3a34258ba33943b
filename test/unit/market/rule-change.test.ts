import { describe, expect, it } from 'vitest';
import { changedSpec } from '../../../src/market/rule-change.ts';
import { at, loadSpec, world } from '../../fixtures/markets.ts';

const CEA = 'CEA-23';
const sell = (market: ReturnType<typeof world>['market'], date: string, priceFen: number) =>
  market.placeOrder({
    tsMs: at(date, '10:00'),
    accountId: 1,
    instrumentId: CEA,
    side: 'sell',
    priceFen,
    qtyT: 10,
    tif: 'day',
  });

describe('rule changes by notice', () => {
  it('a listed band change applies from the next trading day, and a resting order outside it is cancelled', () => {
    const { market } = world(loadSpec('national'), { instrumentId: CEA });
    expect(market.openDay(at('2024-07-01', '09:00')).ok).toBe(true);
    // ±10% around 90.00: 98.00 fits today.
    const gtc = market.placeOrder({
      tsMs: at('2024-07-01', '10:00'),
      accountId: 1,
      instrumentId: CEA,
      side: 'sell',
      priceFen: 9_800,
      qtyT: 10,
      tif: 'gtc',
    });
    expect(gtc.ok).toBe(true);
    expect(market.applyRuleChange({ kind: 'band', mode: 'listed', bandBps: 500 }).ok).toBe(true);
    // Still ±10% today.
    expect(sell(market, '2024-07-01', 9_700).ok).toBe(true);
    expect(market.closeDay(at('2024-07-01', '15:30')).ok).toBe(true);
    expect(market.openDay(at('2024-07-02', '09:00')).ok).toBe(true);
    const r = sell(market, '2024-07-02', 9_700);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.code).toBe('ENG_PRICE_ABOVE_BAND');
    expect(sell(market, '2024-07-02', 9_450).ok).toBe(true);
    expect(market.listed.engine(CEA)!.getOrder(gtc.ok ? gtc.value.orderId : 0)).toBeNull();
  });

  it('a block band change applies at once', () => {
    const { market } = world(loadSpec('national'), { instrumentId: CEA });
    expect(market.openDay(at('2024-07-01', '09:00')).ok).toBe(true);
    expect(market.applyRuleChange({ kind: 'band', mode: 'block', bandBps: 1000 }).ok).toBe(true);
    const p = market.proposeBlock({
      tsMs: at('2024-07-01', '13:10'),
      proposerId: 1,
      counterpartyId: 2,
      side: 'sell',
      instrumentId: CEA,
      priceFen: 7_000,
      qtyT: 100_000,
    });
    expect(!p.ok && p.code).toBe('MKT_ERR_PRICE_OUTSIDE_BAND');
  });

  it('changes the offset cap and a deadline; bad changes are refused and change nothing', () => {
    const spec = loadSpec('national');
    const cap = changedSpec(spec, { kind: 'offset-cap', capBps: 1000 });
    expect(cap.ok && cap.value.offsets?.capBps).toBe(1000);
    const dl = changedSpec(spec, { kind: 'deadline', cycleId: '2023', deadline: '2025-03-31' });
    expect(dl.ok && dl.value.compliance?.cycles.find((c) => c.id === '2023')?.deadline).toBe('2025-03-31');
    expect(changedSpec(spec, { kind: 'deadline', cycleId: '1999', deadline: '2025-03-31' })).toMatchObject({
      ok: false,
      code: 'MKT_ERR_UNKNOWN_CYCLE',
    });
    expect(changedSpec(spec, { kind: 'deadline', cycleId: '2023', deadline: '31/12/2024' })).toMatchObject({
      ok: false,
      code: 'MKT_ERR_BAD_INPUT',
    });
    expect(changedSpec(spec, { kind: 'band', mode: 'listed', bandBps: -1 })).toMatchObject({
      ok: false,
      code: 'MKT_ERR_BAD_INPUT',
    });
    expect(changedSpec(loadSpec('beijing'), { kind: 'band', mode: 'block', bandBps: 100 })).toMatchObject({
      ok: false,
      code: 'MKT_ERR_MODE_NOT_OFFERED',
    });
    const { market } = world(spec, { instrumentId: CEA });
    expect(market.applyRuleChange({ kind: 'offset-cap', capBps: 20_000 }).ok).toBe(false);
    expect(market.spec).toBe(spec);
  });
});
