// An alert as it goes over the socket: money as CNY text, times with their exchange time beside, the rest as the
// core named it.
import { describe, expect, it } from 'vitest';
import { alertMessage } from '../../../../src/server/ws/alerts.ts';

describe('alertMessage', () => {
  it('turns xFen into xCny and adds xTime beside xTsMs; other params pass as they are', () => {
    const tsMs = Date.UTC(2024, 11, 16, 5, 5); // 13:05 China Standard Time
    const m = JSON.parse(
      alertMessage({
        type: 'auction-open',
        tsMs,
        params: { auctionId: 'A1', qtyT: 40_000, reservePriceFen: 8_000, closesTsMs: tsMs + 15 * 60_000, side: 'sell' },
      }),
    );
    expect(m).toEqual({
      type: 'alert',
      alert: {
        type: 'auction-open',
        tsMs,
        time: '2024-12-16 13:05',
        params: {
          auctionId: 'A1',
          qtyT: 40_000,
          reservePriceCny: '80.00',
          closesTsMs: tsMs + 15 * 60_000,
          closesTime: '2024-12-16 13:20',
          side: 'sell',
        },
      },
    });
  });

  it('a fen amount keeps its sign and its fen', () => {
    const m = JSON.parse(alertMessage({ type: 'fill', tsMs: 0, params: { priceFen: 9_705, shortValueFen: -12_345 } }));
    expect(m.alert.params).toEqual({ priceCny: '97.05', shortValueCny: '-123.45' });
  });
});
