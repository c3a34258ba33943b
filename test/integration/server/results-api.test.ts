// Positions, the debrief and the CSV export over HTTP: a student sees their own position, the instructor everyone's;
// the debrief is for the instructor and the classroom's students (pseudonyms unless the instructor asks for names);
// the export is the instructor's, and its CSV, parsed, agrees with the classroom.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCsv } from '../../fixtures/csv.ts';
import { auth, order, type TestServer, testServer } from './fixture.ts';

let t: TestServer;

beforeEach(async () => {
  t = await testServer();
});
afterEach(async () => {
  await t.close();
});

const get = (url: string, token?: string) =>
  t.inject({ method: 'GET', url, ...(token === undefined ? {} : { headers: auth(token) }) });
const post = (url: string, token: string, payload: object) =>
  t.inject({ method: 'POST', url, headers: auth(token), payload });

/** The CSV as objects by header (the byte order mark dropped). */
async function csv(url: string, token: string): Promise<Record<string, string>[]> {
  const r = await get(url, token);
  expect(r.statusCode, r.body).toBe(200);
  expect(r.headers['content-type']).toBe('text/csv; charset=utf-8');
  expect(r.body.startsWith('\ufeff')).toBe(true);
  expect(r.body.endsWith('\r\n')).toBe(true);
  const [header, ...rows] = parseCsv(r.body.slice(1));
  for (const row of rows) expect(row).toHaveLength(header!.length);
  return rows.map((row) => Object.fromEntries(header!.map((h, i) => [h, row[i]!])));
}

const cents = (cny: string) => Math.round(Number(cny) * 100);

describe('positions, debrief and export over HTTP', () => {
  it("a student's own position, and every student's for the instructor", async () => {
    const tk = t.server.instructorToken!;
    const a = await t.join('Alice');
    await t.join('Bob');
    const me = await get('/api/me/position', a.token);
    expect(me.statusCode).toBe(200);
    const p = me.json().position;
    expect(p).toMatchObject({ studentId: a.studentId, name: 'Alice', instrumentId: 'CEA-23', status: 'open' });
    expect(p.longT - p.shortT).toBe(p.heldT - p.obligationT);
    expect(p.deadlineTime).toMatch(/^\d{4}-\d{2}-\d{2} 15:00$/);
    expect(p.warnFrom).toMatch(/^\d{4}-\d{2}-\d{2} 09:30$/);
    expect(p.lastPriceCny).toMatch(/^\d+\.\d{2}$/);
    const all = await get('/api/classrooms/default/positions', tk);
    expect(all.json().positions.map((x: { name: string }) => x.name)).toEqual(['Alice', 'Bob']);
    expect(all.json().positions[0]).toEqual(p);
    expect(all.json().time).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    // A student may not see everyone's; nobody without a token sees theirs.
    expect((await get('/api/classrooms/default/positions', a.token)).statusCode).toBe(403);
    expect((await get('/api/me/position')).statusCode).toBe(401);
  });

  it('the debrief: pseudonyms for students (their own row marked), names when the instructor asks', async () => {
    const tk = t.server.instructorToken!;
    const a = await t.join('Alice');
    const b = await t.join('Bob');
    expect((await post('/api/orders', a.token, order('sell', '97.00', 1_000))).statusCode).toBe(200);
    expect((await post('/api/orders', b.token, order('buy', '97.00', 1_000))).statusCode).toBe(200);
    const forBob = (await get('/api/classrooms/default/debrief', b.token)).json();
    expect(forBob.students.map((s: { name: string }) => s.name)).toEqual(['S01', 'S02']);
    expect(forBob.students[1]).toMatchObject({ pseudonym: 'S02', you: true, boughtT: 1_000, soldT: 0 });
    expect(forBob.students[0]).toMatchObject({ you: false, soldT: 1_000 });
    expect(forBob).toMatchObject({ round: 1, practice: false, marketId: 'national', instrumentId: 'CEA-23' });
    expect(forBob.compliance).toMatchObject({ met: 0, short: 0, open: 2, finesCny: '0.00' });
    expect(forBob.bots.shareOfVolumeBps).toBeGreaterThanOrEqual(0);
    // A student asking for names still gets pseudonyms; the instructor gets names.
    expect((await get('/api/classrooms/default/debrief?names=1', b.token)).json().students[0].name).toBe('S01');
    const named = (await get('/api/classrooms/default/debrief?names=1', tk)).json();
    expect(named.students.map((s: { name: string }) => s.name)).toEqual(['Alice', 'Bob']);
    // While the leaderboard is hidden from students, a student's debrief has their own row only.
    const hide = await t.inject({
      method: 'PATCH',
      url: '/api/classrooms/default',
      headers: auth(tk),
      payload: { leaderboardVisible: false },
    });
    expect(hide.statusCode, hide.body).toBe(200);
    const hidden = (await get('/api/classrooms/default/debrief', b.token)).json();
    expect(hidden.students.map((s: { pseudonym: string }) => s.pseudonym)).toEqual(['S02']);
    expect(hidden.compliance).toEqual(forBob.compliance);
    expect((await get('/api/classrooms/default/debrief', tk)).json().students).toHaveLength(2);
    // A round the class is not in has no debrief to give.
    const r9 = await get('/api/classrooms/default/debrief?round=9', tk);
    expect([r9.statusCode, r9.json().error.code]).toEqual([404, 'NOT_FOUND']);
    expect((await get('/api/classrooms/default/debrief')).statusCode).toBe(401);
  });

  it('the debrief has a day per closed day: close, volume and the fair value', async () => {
    const tk = t.server.instructorToken!;
    await t.join('Alice');
    // A trading day at 60x is under six wall minutes: seven take it past the close.
    for (let i = 0; i < 7 * 60; i++) {
      t.clock.ms += 1_000;
      t.server.hub.tick();
    }
    const d = (await get('/api/classrooms/default/debrief', tk)).json();
    expect(d.days.length).toBeGreaterThanOrEqual(1);
    const day = d.days[0];
    expect(day.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(day.closeCny).toMatch(/^\d+\.\d{2}$/);
    expect(day.fairValueCny).toMatch(/^\d+\.\d{2}$/);
    expect(day.volumeT).toBeGreaterThan(0);
  });

  it('the export: the instructor only; trades, orders, positions and results agree with the classroom', async () => {
    const tk = t.server.instructorToken!;
    const a = await t.join('Alice, "the first"');
    const b = await t.join('=Bob');
    expect((await post('/api/orders', a.token, order('sell', '97.00', 1_000))).statusCode).toBe(200);
    expect((await post('/api/orders', b.token, order('buy', '97.10', 1_500))).statusCode).toBe(200);

    const trades = await csv('/api/classrooms/default/export/trades.csv', tk);
    const tape = (await get('/api/classrooms/default/markets/national/trades?instrument=CEA-23')).json().trades;
    expect(trades.filter((x) => x.instrument === 'CEA-23')).toHaveLength(tape.length);
    const ours = trades.filter((x) => x.buyer === 'S02' && x.seller === 'S01');
    expect(ours).toHaveLength(1);
    expect(ours[0]).toMatchObject({ round: '1', mode: 'listed', price_cny: '97.00', qty_t: '1000' });
    expect(cents(ours[0]!.value_cny!)).toBe(9_700 * 1_000);
    expect(ours[0]!.time_cst).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    const sumT = (rows: Record<string, string>[]) => rows.reduce((s, x) => s + Number(x.qty_t), 0);
    expect(sumT(trades.filter((x) => x.instrument === 'CEA-23'))).toBe(
      tape.reduce((s: number, x: { qtyT: number }) => s + x.qtyT, 0),
    );

    const orders = await csv('/api/classrooms/default/export/orders.csv', tk);
    expect(orders.map((o) => [o.student, o.side, o.price_cny, o.qty_t, o.filled_t, o.status])).toEqual([
      ['S01', 'sell', '97.00', '1000', '1000', 'filled'],
      ['S02', 'buy', '97.10', '1500', '1000', 'resting'],
    ]);

    const positions = await csv('/api/classrooms/default/export/positions.csv', tk);
    const live = (await get('/api/classrooms/default/positions', tk)).json().positions;
    expect(positions.map((p) => [p.student, p.held_t, p.profit_cny, p.cash_cny])).toEqual(
      live.map((p: { studentId: number; heldT: number; profitCny: string; cashCny: string }) => [
        `S0${p.studentId}`,
        String(p.heldT),
        p.profitCny,
        p.cashCny,
      ]),
    );

    const results = await csv('/api/classrooms/default/export/results.csv', tk);
    expect(results.map((r) => [r.round, r.student, r.ended_cst])).toEqual([
      ['1', 'S01', ''],
      ['1', 'S02', ''],
    ]);

    // Names when asked, quoted as RFC 4180 says; a name a spreadsheet would run as a formula is defused.
    const named = await get('/api/classrooms/default/export/orders.csv?names=1', tk);
    expect(named.body).toContain('"Alice, ""the first"""');
    expect(parseCsv(named.body.slice(1)).map((r) => r[1])).toEqual(['student', 'Alice, "the first"', "'=Bob"]);
    expect(named.headers['content-disposition']).toBe('attachment; filename="default-round1-orders.csv"');

    // Students may not export; a table that is not one is not found; an earlier round's orders are gone.
    expect((await get('/api/classrooms/default/export/trades.csv', a.token)).statusCode).toBe(403);
    expect((await get('/api/classrooms/default/export/bids.csv', tk)).statusCode).toBe(400);
    expect((await get('/api/classrooms/default/export/orders.csv?round=7', tk)).statusCode).toBe(404);
  });

  it('an earlier round: its debrief and its orders, trades and positions as it closed, after the next began', async () => {
    const tk = t.server.instructorToken!;
    const a = await t.join('Alice');
    const b = await t.join('Bob');
    expect((await post('/api/orders', a.token, order('sell', '97.00', 1_000))).statusCode).toBe(200);
    expect((await post('/api/orders', b.token, order('buy', '97.00', 1_000))).statusCode).toBe(200);
    const before = {
      debrief: (await get('/api/classrooms/default/debrief', tk)).json(),
      orders: (await get('/api/classrooms/default/export/orders.csv?names=1', tk)).body,
      trades: (await get('/api/classrooms/default/export/trades.csv', tk)).body,
      positions: (await get('/api/classrooms/default/export/positions.csv', tk)).body,
    };
    const next = await post('/api/classrooms/default/rounds', tk, { roles: 'redraw' });
    expect(next.statusCode, next.body).toBe(200);
    expect(next.json().round.number).toBe(2);
    // Round 2 has nothing yet; round 1 is as it closed.
    expect((await csv('/api/classrooms/default/export/orders.csv', tk)).length).toBe(0);
    expect((await get('/api/classrooms/default/debrief?round=1', tk)).json()).toEqual(before.debrief);
    for (const table of ['orders', 'trades', 'positions'] as const) {
      const r = await get(
        `/api/classrooms/default/export/${table}.csv?round=1${table === 'orders' ? '&names=1' : ''}`,
        tk,
      );
      expect(r.body, table).toBe(before[table]);
      expect(r.headers['content-disposition']).toBe(`attachment; filename="default-round1-${table}.csv"`);
    }
    const results = await csv('/api/classrooms/default/export/results.csv?round=1', tk);
    expect(results.map((r) => [r.round, r.student])).toEqual([
      ['1', 'S01'],
      ['1', 'S02'],
    ]);
  });
});
