import { describe, expect, it } from 'vitest';
import {
  averagePrice,
  fineFen,
  multipleHundredths,
  priceWindow,
  settleCycle,
  surrender,
} from '../../../../src/market/compliance/index.ts';
import { fenToCny } from '../../../../src/market/money.ts';
import { tsOf } from '../../../../src/market/time.ts';
import { editedSpec, entity, expectRejected, give, must, nationalSpec, world } from './fixture.ts';

const NEW_YEAR = tsOf('2025-01-01', '09:00');
/** December 2024 average 98.00 CNY (the real case of the 2023 cycle; no public document for it identified yet); no other month priced. */
const dec2024 = (month: string): number | null => (month === '2024-12' ? 9800 : null);

describe('penalty: the real case (2023 cycle; rule: State Council 碳排放权交易管理暂行条例, 2024)', () => {
  it('given 865,300 t short for 2023, December 2024 average 98.00 and 5x, when the cycle is settled, then the fine is 423,997,000.00 CNY and 865,300 t are to be deducted', () => {
    // given: the national entry as loaded from data/markets/national.json
    const spec = nationalSpec();
    expect(spec.compliance?.penalty).toMatchObject({ multipleMin: 5, multipleMax: 10, priceWindowMonths: 1 });
    const w = world(spec);
    const e = entity(w, { id: 'p1', verifiedT: { 2023: 1_000_000 } });
    give(w, e, 'CEA-23', 134_700);
    must(surrender(w.ctx, 'p1', '2023', 'CEA-23', 134_700, tsOf('2024-12-31', '15:00')));
    // when
    const [s] = must(settleCycle(w.ctx, '2023', NEW_YEAR, { multiple: 5, monthlyPriceFen: dec2024 }));
    // then
    expect(s).toMatchObject({
      obligationT: 1_000_000,
      surrenderedT: 134_700,
      shortfallT: 865_300,
      multiple: 5,
      avgPriceFen: 9800,
      fineFen: 42_399_700_000,
      deductionT: 865_300,
    });
    expect(fenToCny(s!.fineFen)).toBe('423997000.00');
    expect(w.ctx.book.pendingDeductionT('p1')).toBe(865_300);
    expect(w.ctx.book.settlement('p1', '2023')?.fineFen).toBe(42_399_700_000);
    expect(w.ledger.checkConservation()).toBeNull();
  });

  it('given the default multiple, when settled, then the market default (5x) applies', () => {
    const w = world();
    const e = entity(w, { id: 'p1', verifiedT: { 2023: 1_000_000 } });
    give(w, e, 'CEA-23', 134_700);
    must(surrender(w.ctx, 'p1', '2023', 'CEA-23', 134_700, tsOf('2024-12-31')));
    expect(must(settleCycle(w.ctx, '2023', NEW_YEAR, { monthlyPriceFen: dec2024 }))[0]?.fineFen).toBe(42_399_700_000);
  });

  it('given the same shortfall at 10x, then the fine doubles to 847,994,000.00 CNY', () => {
    const avg = must(averagePrice(nationalSpec().compliance!.penalty, '2024-12-31', dec2024));
    expect(
      fenToCny(must(fineFen(865_300, must(multipleHundredths(nationalSpec().compliance!.penalty, 10)), avg))),
    ).toBe('847994000.00');
  });
});

describe('penalty: multiple and price rules', () => {
  it.each([4, 4.99, 10.01, 11, Number.NaN, 5.001])(
    'given multiple %s, when settling, then MKT_ERR_MULTIPLE_OUT_OF_RANGE and nothing settles',
    (m) => {
      const w = world();
      entity(w, { id: 'p1', verifiedT: { 2023: 1000 } });
      expectRejected(
        w,
        () => settleCycle(w.ctx, '2023', NEW_YEAR, { multiple: m, monthlyPriceFen: dec2024 }),
        'MKT_ERR_MULTIPLE_OUT_OF_RANGE',
      );
      expect(w.ctx.book.isSettled('2023')).toBe(false);
    },
  );

  it('given 7.5x within [5, 10], when settling 1,000 t short at 98.00, then 735,000.00 CNY', () => {
    const w = world();
    entity(w, { id: 'p1', verifiedT: { 2023: 1000 } });
    const [s] = must(settleCycle(w.ctx, '2023', NEW_YEAR, { multiple: 7.5, monthlyPriceFen: dec2024 }));
    expect(s?.fineFen).toBe(73_500_000);
  });

  it('given a deadline, then the price window is the months ending with its month', () => {
    expect(priceWindow('2024-12-31', 1)).toEqual(['2024-12']);
    expect(priceWindow('2024-06-30', 6)).toEqual(['2024-01', '2024-02', '2024-03', '2024-04', '2024-05', '2024-06']);
    expect(priceWindow('2025-02-28', 3)).toEqual(['2024-12', '2025-01', '2025-02']);
  });

  it('given a Shenzhen-like 6-month window at 3x, when 7 t are short, then the fine uses the exact average (89,253.5 -> 89,254 fen, not 4,250 x 21)', () => {
    const spec = editedSpec((j) => {
      j.id = 'shenzhen';
      const p = j.compliance!.penalty;
      p.multipleMin = 3;
      p.multipleMax = 3;
      p.multipleDefault = 3;
      p.priceWindowMonths = 6;
      j.compliance!.cycles = [
        { id: '2023', years: [2023], deadline: '2024-06-30', borrowing: false, obligationCapBpsOfVerified: null },
      ];
      j.compliance!.banking = null;
    });
    const prices: Record<string, number> = {
      '2024-01': 4000,
      '2024-02': 4100,
      '2024-03': 4200,
      '2024-04': 4300,
      '2024-05': 4400,
      '2024-06': 4501,
      '2024-07': 99_999,
    };
    const w = world(spec);
    entity(w, { id: 'sz1', verifiedT: { 2023: 7 } });
    const [s] = must(settleCycle(w.ctx, '2023', tsOf('2024-07-01'), { monthlyPriceFen: (m) => prices[m] ?? null }));
    expect(s).toMatchObject({ shortfallT: 7, multiple: 3, avgPriceFen: 4250, fineFen: 89_254 });
  });

  it('given months without trades in the window, then only priced months are averaged; none priced is MKT_ERR_NO_REFERENCE_PRICE', () => {
    const p = { ...nationalSpec().compliance!.penalty, priceWindowMonths: 3 };
    const avg = must(averagePrice(p, '2024-12-31', (m) => (m === '2024-11' ? 9000 : m === '2024-12' ? 9800 : null)));
    expect(avg).toMatchObject({ priced: ['2024-11', '2024-12'], sumFen: 18_800, avgPriceFen: 9400 });
    const none = averagePrice(p, '2024-12-31', () => null);
    expect(none.ok ? '' : none.code).toBe('MKT_ERR_NO_REFERENCE_PRICE');
    const bad = averagePrice(p, '2024-12-31', () => 98.5);
    expect(bad.ok ? '' : bad.code).toBe('MKT_ERR_BAD_INPUT');
  });

  it('given a short entity and no price at all, when settling, then MKT_ERR_NO_REFERENCE_PRICE; a fully compliant market needs no price', () => {
    const w = world();
    const e = entity(w, { id: 'p1', verifiedT: { 2023: 1000 } });
    expectRejected(
      w,
      () => settleCycle(w.ctx, '2023', NEW_YEAR, { monthlyPriceFen: () => null }),
      'MKT_ERR_NO_REFERENCE_PRICE',
    );
    give(w, e, 'CEA-23', 1000);
    must(surrender(w.ctx, 'p1', '2023', 'CEA-23', 1000, tsOf('2024-12-30')));
    const [s] = must(settleCycle(w.ctx, '2023', NEW_YEAR, { monthlyPriceFen: () => null }));
    expect(s).toMatchObject({ shortfallT: 0, fineFen: 0, deductionT: 0, avgPriceFen: null });
  });
});

describe('penalty: when a cycle may be settled', () => {
  it('given the 2023 deadline 2024-12-31, when settling on the deadline day, then MKT_ERR_DEADLINE_NOT_REACHED', () => {
    const w = world();
    entity(w, { id: 'p1', verifiedT: { 2023: 1000 } });
    expectRejected(
      w,
      () => settleCycle(w.ctx, '2023', tsOf('2024-12-31', '23:59'), { monthlyPriceFen: dec2024 }),
      'MKT_ERR_DEADLINE_NOT_REACHED',
    );
  });

  it('given a settled cycle, when settled again, then MKT_ERR_ALREADY_SETTLED and the deduction is not doubled', () => {
    const w = world();
    entity(w, { id: 'p1', verifiedT: { 2023: 1000 } });
    must(settleCycle(w.ctx, '2023', NEW_YEAR, { monthlyPriceFen: dec2024 }));
    expectRejected(
      w,
      () => settleCycle(w.ctx, '2023', NEW_YEAR, { monthlyPriceFen: dec2024 }),
      'MKT_ERR_ALREADY_SETTLED',
    );
    expect(w.ctx.book.pendingDeductionT('p1')).toBe(1000);
  });

  it('given one covered entity not yet verified, when settling, then MKT_ERR_NOT_VERIFIED and nobody is settled', () => {
    const w = world();
    entity(w, { id: 'p1', verifiedT: { 2023: 1000 } });
    entity(w, { id: 'p2', verifiedT: {} });
    entity(w, { id: 'cem', sector: 'cement', coveredFrom: 2024 }); // not in the 2023 cycle: ignored
    expectRejected(w, () => settleCycle(w.ctx, '2023', NEW_YEAR, { monthlyPriceFen: dec2024 }), 'MKT_ERR_NOT_VERIFIED');
    expect(w.ctx.book.settlement('p1', '2023')).toBeNull();
    expect(w.ctx.book.pendingDeductionT('p1')).toBe(0);
    expectRejected(
      w,
      () => settleCycle(w.ctx, 'nope', NEW_YEAR, { monthlyPriceFen: dec2024 }),
      'MKT_ERR_UNKNOWN_CYCLE',
    );
  });

  it('given an absurd shortfall, when the fine passes 2^53 fen, then MKT_ERR_OVERFLOW', () => {
    const avg = must(averagePrice(nationalSpec().compliance!.penalty, '2024-12-31', () => 9_000_000_000));
    const r = fineFen(9_000_000_000, 1000, avg);
    expect(r.ok ? '' : r.code).toBe('MKT_ERR_OVERFLOW');
  });
});
