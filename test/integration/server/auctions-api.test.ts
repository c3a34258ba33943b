// Auctions of the government reserve over HTTP: the instructor announces, students bid sealed bids and withdraw
// them, the clock closes the auction, winners get the tonnes; bad input is a 4xx with a code and changes nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auth, type TestServer, testServer } from './fixture.ts';

const CEA = 'CEA-23';
let t: TestServer;

beforeEach(async () => {
  t = await testServer();
});
afterEach(async () => {
  await t.close();
});

const post = (url: string, token: string, payload?: object) =>
  t.inject({ method: 'POST', url, headers: auth(token), ...(payload === undefined ? {} : { payload }) });
const get = (url: string, token: string) => t.inject({ method: 'GET', url, headers: auth(token) });
const held = async (token: string) =>
  (await get('/api/me', token)).json().account.holdings.find((h: { instrumentId: string }) => h.instrumentId === CEA)
    .totalT as number;

/** Exchange minutes on (the default classroom runs at 60x: a wall second is an exchange minute). */
function minutes(n: number): void {
  for (let i = 0; i < n; i++) {
    t.clock.ms += 1_000;
    t.server.hub.tick();
  }
}

describe('auctions over HTTP', () => {
  it('announce, sealed bids, withdraw, close by the clock, results to the instructor only', async () => {
    const tk = t.server.instructorToken!;
    const a = await t.join('Alice');
    const b = await t.join('Bob');
    const [a0, b0] = [await held(a.token), await held(b.token)];

    const n = await post('/api/classrooms/default/auctions', tk, {
      qtyT: 40_000,
      reservePriceCny: '80.00',
      minutes: 15,
    });
    expect(n.statusCode).toBe(200);
    expect(n.json()).toMatchObject({ auctionId: 'A1', qtyT: 40_000, reservePriceCny: '80.00', status: 'open' });
    expect(n.json().closesTsMs - n.json().opensTsMs).toBe(15 * 60_000);
    const news = (await t.inject({ method: 'GET', url: '/api/classrooms/default/news' })).json().news[0];
    expect(news.title).toMatch(/^Auction A1: 40,000 t of CEA-23/);

    const bid1 = await post('/api/auctions/A1/bids', a.token, { priceCny: '95.00', qtyT: 30_000 });
    expect(bid1.json()).toMatchObject({ bidId: 'B1', status: 'live', priceCny: '95.00' });
    expect((await post('/api/auctions/A1/bids', b.token, { priceCny: '90.00', qtyT: 20_000 })).statusCode).toBe(200);
    expect((await post('/api/auctions/A1/bids', b.token, { priceCny: '85.00', qtyT: 5_000 })).statusCode).toBe(200);
    // Sealed: Alice sees her bid only; she cannot withdraw Bob's.
    const mine = (await get('/api/auctions', a.token)).json();
    expect(mine.auctions.map((x: { auctionId: string }) => x.auctionId)).toEqual(['A1']);
    expect(mine.bids.map((x: { bidId: string }) => x.bidId)).toEqual(['B1']);
    const other = await t.inject({ method: 'DELETE', url: '/api/auctions/A1/bids/B2', headers: auth(a.token) });
    expect([other.statusCode, other.json().error.code]).toEqual([404, 'LIVE_ERR_UNKNOWN_BID']);
    const gone = await t.inject({ method: 'DELETE', url: '/api/auctions/A1/bids/B3', headers: auth(b.token) });
    expect(gone.json()).toMatchObject({ bidId: 'B3', status: 'cancelled' });
    // Students do not see who won what; the instructor sees nothing before the close.
    expect((await get('/api/classrooms/default/auctions', a.token)).statusCode).toBe(403);
    expect((await get('/api/classrooms/default/auctions', tk)).json().auctions[0].allocations).toBeNull();

    minutes(16);
    const after = (await get('/api/auctions', b.token)).json();
    expect(after.auctions[0]).toMatchObject({
      status: 'closed',
      outcome: { soldT: 40_000, unsoldT: 0, bidCount: 2, winners: 2, lowPriceCny: '90.00', highPriceCny: '95.00' },
    });
    expect(after.bids).toEqual([
      expect.objectContaining({ bidId: 'B3', status: 'cancelled', filledT: 0 }),
      expect.objectContaining({ bidId: 'B2', status: 'won', filledT: 10_000, fillPriceCny: '90.00' }),
    ]);
    expect(await held(a.token)).toBe(a0 + 30_000);
    expect(await held(b.token)).toBe(b0 + 10_000);
    const fills = (await get('/api/me/fills', a.token)).json().fills;
    expect(fills.find((f: { mode: string }) => f.mode === 'auction')).toMatchObject({
      qtyT: 30_000,
      priceCny: '95.00',
    });
    const results = (await get('/api/classrooms/default/auctions', tk)).json().auctions[0];
    expect(results.allocations).toEqual([
      { bidId: 'B1', studentId: a.studentId, name: 'Alice', qtyT: 30_000, priceCny: '95.00', valueCny: '2850000.00' },
      { bidId: 'B2', studentId: b.studentId, name: 'Bob', qtyT: 10_000, priceCny: '90.00', valueCny: '900000.00' },
    ]);
    const state = (await get('/api/classrooms/default/state', tk)).json();
    expect(state.integrity).toBe('ok');
  });

  it('bad input gets a 4xx with a code and changes nothing', async () => {
    const tk = t.server.instructorToken!;
    const a = await t.join('Alice');
    minutes(60); // 10:30: 180 trading minutes left today
    const hash = async () => (await get('/api/classrooms/default/state', tk)).json().hash as string;
    const refusals = async (cases: [string, string, string, object | undefined, number, string][]) => {
      for (const [method, url, token, payload, status, code] of cases) {
        const before = await hash();
        const r = await t.inject({
          method: method as 'POST',
          url,
          headers: auth(token),
          ...(payload === undefined ? {} : { payload }),
        });
        expect([url, JSON.stringify(payload), r.statusCode, r.json().error?.code]).toEqual([
          url,
          JSON.stringify(payload),
          status,
          code,
        ]);
        expect(await hash(), `${method} ${url} ${JSON.stringify(payload)} changed the state`).toBe(before);
      }
    };
    const A = '/api/classrooms/default/auctions';
    const notice = { qtyT: 10_000, reservePriceCny: '80.00', minutes: 30 };
    await refusals([
      ['POST', A, a.token, notice, 403, 'FORBIDDEN'],
      ['POST', A, tk, { ...notice, qtyT: 0 }, 400, 'BAD_REQUEST'],
      ['POST', A, tk, { ...notice, reservePriceCny: '80.001' }, 400, 'BAD_REQUEST'],
      ['POST', A, tk, { ...notice, minutes: 241 }, 400, 'BAD_REQUEST'],
      ['POST', A, tk, { ...notice, allocation: 'dutch' }, 400, 'BAD_REQUEST'],
      ['POST', A, tk, { ...notice, side: 'buy' }, 400, 'BAD_REQUEST'],
      ['POST', A, tk, { ...notice, minutes: 239 }, 400, 'LIVE_ERR_BAD_INPUT'],
      ['POST', '/api/auctions/A1/bids', a.token, { priceCny: '90.00', qtyT: 100 }, 404, 'LIVE_ERR_UNKNOWN_AUCTION'],
    ]);
    expect((await post(A, tk, notice)).statusCode).toBe(200);
    expect((await post('/api/auctions/A1/bids', a.token, { priceCny: '90.00', qtyT: 1_000 })).statusCode).toBe(200);
    const B = '/api/auctions/A1/bids';
    await refusals([
      ['POST', B, tk, { priceCny: '90.00', qtyT: 100 }, 403, 'FORBIDDEN'],
      ['POST', B, a.token, { priceCny: '79.99', qtyT: 100 }, 422, 'MKT_ERR_RESERVE_NOT_MET'],
      ['POST', B, a.token, { priceCny: '90.00', qtyT: 10_001 }, 422, 'MKT_ERR_BAD_INPUT'],
      ['POST', B, a.token, { priceCny: '999999.00', qtyT: 10_000 }, 422, 'MKT_ERR_INSUFFICIENT_CASH'],
      ['POST', B, a.token, { priceCny: '90.00' }, 400, 'BAD_REQUEST'],
      ['POST', '/api/auctions/X1/bids', a.token, { priceCny: '90.00', qtyT: 100 }, 400, 'BAD_REQUEST'],
      ['DELETE', `${B}/B9`, a.token, undefined, 404, 'LIVE_ERR_UNKNOWN_BID'],
      ['DELETE', `${B}/x`, a.token, undefined, 400, 'BAD_REQUEST'],
    ]);
    minutes(31);
    await refusals([
      ['POST', B, a.token, { priceCny: '90.00', qtyT: 100 }, 422, 'MKT_ERR_AUCTION_CLOSED'],
      ['DELETE', `${B}/B1`, a.token, undefined, 422, 'MKT_ERR_AUCTION_CLOSED'],
    ]);
  });
});
