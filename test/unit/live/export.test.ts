// The CSV export: RFC 4180 text, pseudonyms that stay the same across files and rounds, CNY and China Standard
// Time; orders, trades and positions of the round the class is in, results of every round.
import { describe, expect, it } from 'vitest';
import { cstSecondText, exportCsv, pseudonym, writeCsv } from '../../../src/live/export.ts';
import { tsOf } from '../../../src/market/time.ts';
import { order, room, run } from './room.ts';

const lines = (csv: string) => csv.split('\r\n').slice(0, -1);

describe('export', () => {
  it('pseudonyms are S and the student id, at least two digits', () => {
    expect([pseudonym(1), pseudonym(9), pseudonym(10), pseudonym(123)]).toEqual(['S01', 'S09', 'S10', 'S123']);
  });

  it('times to the second in China Standard Time', () => {
    expect(cstSecondText(tsOf('2024-12-16', '09:30') + 5_250)).toBe('2024-12-16 09:30:05');
  });

  it('a header row, CRLF after every row, quoting only where RFC 4180 needs it', () => {
    const r = room(['Ann, Jr.', 'Bo "B"'], 0);
    run(r, [order(1, 'sell', 9_700, 1_000), order(2, 'buy', 9_750, 1_000)]);
    const csv = exportCsv(r, 'orders', { names: true });
    expect(csv.endsWith('\r\n')).toBe(true);
    const [header, a, b] = lines(csv);
    expect(header!.split(',')[0]).toBe('round');
    expect(a).toMatch(
      /^1,"Ann, Jr\.",Power plant \d+,\d+,2024-12-16 09:30:00,national,CEA-23,sell,day,97\.00,1000,1000,0,filled,$/,
    );
    expect(b).toContain(',"Bo ""B""",');
    expect(b).toContain(',97.50,1000,1000,0,filled,');
    // Pseudonyms unless names are asked for.
    expect(lines(exportCsv(r, 'orders', { names: false }))[1]).toMatch(/^1,S01,/);
  });

  it('trades: both parties, bots and the reserve named as such, value and fees in CNY', () => {
    const r = room(['Ann', 'Bo'], 0);
    run(r, [
      order(1, 'sell', 9_700, 1_000),
      order(2, 'buy', 9_700, 1_000),
      { op: 'auction', qtyT: 10_000, reservePriceFen: 8_000, minutes: 10 },
      { op: 'bid', studentId: 2, auctionId: 'A1', priceFen: 8_500, qtyT: 4_000 },
      { op: 'tick', exchangeMs: 11 * 60_000 },
    ]);
    const rows = lines(exportCsv(r, 'trades', { names: false })).map((l) => l.split(','));
    const at = (name: string) => rows[0]!.indexOf(name);
    const listed = rows.find((x) => x[at('mode')] === 'listed')!;
    expect([listed[at('buyer')], listed[at('seller')], listed[at('price_cny')], listed[at('value_cny')]]).toEqual([
      'S02',
      'S01',
      '97.00',
      '97000.00',
    ]);
    const fee = r.trades('national')[0]!.buyerFeeFen;
    expect(listed[at('buyer_fee_cny')]).toBe((fee / 100).toFixed(2));
    const auction = rows.find((x) => x[at('mode')] === 'auction')!;
    expect([auction[at('buyer')], auction[at('seller')], auction[at('qty_t')]]).toEqual(['S02', 'reserve', '4000']);
    expect(rows).toHaveLength(1 + r.trades('national').length);
  });

  it('results: every round kept, the round still trading as it stands, one round when asked', () => {
    const r = room(['Ann', 'Bo'], 0);
    run(r, [{ op: 'round', practice: false, roles: 'fixed' }]);
    const rows = lines(exportCsv(r, 'results', { names: false })).map((l) => l.split(','));
    expect(rows.slice(1).map((x) => [x[0], x[5]])).toEqual([
      ['1', 'S01'],
      ['1', 'S02'],
      ['2', 'S01'],
      ['2', 'S02'],
    ]);
    // Round 1 ended (its end time), round 2 trades (none yet).
    expect(rows[1]![4]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(rows[3]![4]).toBe('');
    expect(lines(exportCsv(r, 'results', { names: false, round: 1 }))).toHaveLength(3);
    // The orders of the new round are its own: none yet.
    expect(lines(exportCsv(r, 'orders', { names: false }))).toHaveLength(1);
  });

  it('a round keeps its orders, trades and positions as they stood, written later with or without names', () => {
    const r = room(['Ann', 'Bo'], 1);
    run(r, [{ op: 'tick', exchangeMs: 30 * 60_000 }, order(1, 'sell', 9_700, 1_000), order(2, 'buy', 9_700, 1_000)]);
    const tables = ['orders', 'trades', 'positions'] as const;
    const before = tables.map((t) => [exportCsv(r, t, { names: false }), exportCsv(r, t, { names: true })]);
    run(r, [{ op: 'round', practice: false, roles: 'redraw' }]);
    const kept = r.roundResults()[0]!.tables!;
    expect(
      tables.map((t) => [writeCsv(r, t, kept[t], { names: false }), writeCsv(r, t, kept[t], { names: true })]),
    ).toEqual(before);
    // Kept as the core keeps everything: fen, tonnes, exchange ms and student ids, not text for people.
    expect([2, 6, 7, 8].every((i) => typeof kept.trades[0]![i] === 'number')).toBe(true);
    expect(exportCsv(r, 'orders', { names: false })).not.toBe(before[0]![0]);
  });

  it('a name a spreadsheet would run as a formula is defused; negative amounts are numbers', () => {
    const r = room(['=SUM(A1)', '@Bo'], 0);
    const rows = lines(exportCsv(r, 'positions', { names: true }));
    expect(rows[1]).toMatch(/^1,'=SUM\(A1\),/);
    expect(rows[2]).toMatch(/^1,'@Bo,/);
  });
});
