// The news as the server sends it: the English title and text, the kind, and params for people (money in CNY).
import { describe, expect, it } from 'vitest';
import { newsView } from '../../../src/server/views.ts';

describe('newsView', () => {
  it('sends the kind and params, money in fen as CNY text (key ending Cny), the rest as is', () => {
    const v = newsView({
      seq: 3,
      tsMs: 1_734_316_200_000,
      title: 'Auction A1: 50,000 t of CEA-23 from the government reserve',
      text: '...',
      kind: 'auction-open',
      params: { auctionId: 'A1', qtyT: 50_000, reservePriceFen: 8_500, closes: '13:40' },
    });
    expect(v).toMatchObject({
      seq: 3,
      kind: 'auction-open',
      params: { auctionId: 'A1', qtyT: 50_000, reservePriceCny: '85.00', closes: '13:40' },
      titleZh: null,
      textZh: null,
    });
    expect(v.params).not.toHaveProperty('reservePriceFen');
  });

  it('an item from before kinds: null kind, no params', () => {
    expect(newsView({ seq: 1, tsMs: 0, title: 'News', text: 'x' })).toMatchObject({ kind: null, params: {} });
  });

  it("a scenario announcement's Chinese goes out beside the English", () => {
    const v = newsView({
      seq: 1,
      tsMs: 0,
      title: 'T',
      text: 'T',
      kind: 'announcement',
      titleZh: '标题',
      textZh: '正文',
    });
    expect(v).toMatchObject({ title: 'T', titleZh: '标题', textZh: '正文' });
  });
});
