// Hostile input: more than 10,000 malformed or hostile requests over HTTP and the WebSocket: wrong types, huge,
// negative and non-finite numbers, unicode and control characters, deep JSON, oversized bodies, unknown fields,
// bad tokens, another student's token and order ids; and issue 20's: names hiding characters or copying another's,
// made-up Bearer tokens, revocation and seats without the right, scenarios not shipped, URLs that do not decode,
// bodies that are not JSON, static paths out of the folder, made-up WebSocket channel names. Each is answered with a
// 4xx and a stable code (a WebSocket message with an error code), the server stays up, and the classroom's state
// hash is what it was.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { auth, type TestServer, testServer } from './fixture.ts';

let t: TestServer;
let ann: { token: string; studentId: number };
let bo: { token: string; studentId: number };
let annOrder: number;
const INSTRUCTOR_BAD = 'not-the-instructor-token';

beforeAll(async () => {
  // Rate limits high: every request must be judged on what it is, not turned away for how many there are.
  t = await testServer(
    { rateLimitPerMin: 10_000_000 },
    { limits: { joinFailuresPerMin: 10_000_000, joinsPerCodePerMin: 10_000_000 } },
  );
  ann = await t.join('Ann');
  bo = await t.join('Bo');
  const r = await t.inject({
    method: 'POST',
    url: '/api/orders',
    headers: auth(ann.token),
    payload: {
      marketId: 'national',
      instrumentId: 'CEA-23',
      side: 'sell',
      priceCny: '105.00',
      qtyT: 100,
      tif: 'gtc',
      clientOrderId: 'ann-0',
    },
  });
  expect(r.statusCode).toBe(200);
  annOrder = r.json().orderId;
});
afterAll(async () => {
  await t.close();
});

/** A small seeded generator, so a failure can be reproduced. */
function rng(seed: number) {
  let a = seed >>> 0;
  return (n: number) => {
    // mulberry32
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) % n;
  };
}

const WEIRD_NUMBERS = [-1, 0, -0, 0.5, 1e308, -1e308, 2 ** 53, 2 ** 53 + 2, 1e-300, 123_456_789_012_345, -100];
const WEIRD_STRINGS = [
  '',
  ' ',
  '\u0000',
  '\u202e100.00',
  '１００.００',
  '💥',
  '1e3',
  '0x10',
  'NaN',
  'Infinity',
  '-Infinity',
  '100.001',
  '-100.00',
  '99999999999999999999.99',
  '100,00',
  '<script>alert(1)</script>',
  "'; DROP TABLE journal; --",
  'x'.repeat(5_000),
  '../../etc/passwd',
];
const WEIRD_VALUES: unknown[] = [null, true, [], {}, [1, 2], { $gt: 0 }, ...WEIRD_NUMBERS, ...WEIRD_STRINGS];

function deep(n: number): string {
  return `${'['.repeat(n)}${']'.repeat(n)}`;
}

const goodOrder = {
  marketId: 'national',
  instrumentId: 'CEA-23',
  side: 'buy',
  priceCny: '95.00',
  qtyT: 100,
  tif: 'day',
};

interface Req {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  payload?: string | object;
}

/** One hostile HTTP request, drawn at random from the families above. */
function hostile(draw: (n: number) => number): Req {
  const pick = <T>(xs: readonly T[]): T => xs[draw(xs.length)]!;
  const annH = auth(ann.token);
  const json = { 'content-type': 'application/json' };
  switch (draw(18)) {
    case 0: {
      // An order with one field replaced by a weird value.
      const key = pick(Object.keys(goodOrder));
      return {
        method: 'POST',
        url: '/api/orders',
        headers: annH,
        payload: { ...goodOrder, [key]: pick(WEIRD_VALUES) },
      };
    }
    case 1: {
      // Prices the schema lets through but the market refuses: outside the band, off the tick, absurd sizes.
      const priceCny = pick(['0.01', '9999.99', '500.00', '1.00', '95.00']);
      const qtyT = pick([1_000_000_000, 100_000_000, 2 ** 31]);
      return { method: 'POST', url: '/api/orders', headers: annH, payload: { ...goodOrder, priceCny, qtyT } };
    }
    case 2:
      return {
        method: 'POST',
        url: '/api/orders',
        headers: annH,
        payload: { ...goodOrder, extra: pick(WEIRD_VALUES) },
      };
    case 3: {
      const fields = Object.keys(goodOrder);
      const drop = pick(fields);
      const { [drop]: _gone, ...rest } = goodOrder as Record<string, unknown>;
      return { method: 'POST', url: '/api/orders', headers: annH, payload: rest };
    }
    case 4:
      return {
        method: 'POST',
        url: '/api/orders',
        headers: { ...annH, ...json },
        payload: pick([
          '{"marketId":',
          '{"qtyT": NaN}',
          '{"qtyT": Infinity}',
          deep(5_000),
          `{"a":${deep(20_000)}}`,
          'null',
          '"order"',
          '[]',
          '\u0000',
          '{"__proto__":{"admin":true}}',
          '{"constructor":{"prototype":{"x":1}}}',
        ]),
      };
    case 5:
      return {
        method: 'POST',
        url: '/api/orders',
        headers: { ...annH, ...json },
        payload: JSON.stringify({ ...goodOrder, pad: 'x'.repeat(70_000 + draw(200_000)) }),
      };
    case 6:
      // Bad tokens: none, malformed, huge, an instructor route with a student's token.
      return pick<Req>([
        { method: 'POST', url: '/api/orders', payload: goodOrder },
        { method: 'POST', url: '/api/orders', headers: { authorization: 'Bearer ' }, payload: goodOrder },
        {
          method: 'POST',
          url: '/api/orders',
          headers: { authorization: `Bearer ${'A'.repeat(5_000)}` },
          payload: goodOrder,
        },
        {
          method: 'POST',
          url: '/api/orders',
          headers: { authorization: 'Basic YWRtaW46YWRtaW4=' },
          payload: goodOrder,
        },
        { method: 'POST', url: '/api/classrooms/default/pause', headers: annH },
        { method: 'POST', url: '/api/classrooms/default/end', headers: auth(INSTRUCTOR_BAD) },
        { method: 'GET', url: '/api/classrooms/default/report', headers: annH },
        { method: 'POST', url: '/api/classrooms', headers: annH, payload: { name: 'mine' } },
      ]);
    case 7:
      // Another student's order ids, and ids that do not exist or are not ids.
      return pick<Req>([
        { method: 'DELETE', url: `/api/orders/${annOrder}`, headers: auth(bo.token) },
        // Client order ids: Bo naming Ann's, ids that cannot be ids, and Ann reusing hers while it rests.
        {
          method: 'POST',
          url: '/api/orders',
          headers: annH,
          payload: {
            ...goodOrder,
            clientOrderId: pick(['ann-0', '', 'x'.repeat(37), 'a b', 'a/b', '\u0000', 'ü', 5, null, [], {}]),
          },
        },
        {
          method: 'DELETE',
          url: `/api/orders/client/${pick(['ann-0', 'x'.repeat(37), '%00', 'a%2Fb', '..', 'ü', '%20'])}`,
          headers: auth(bo.token),
        },
        {
          method: 'PATCH',
          url: `/api/orders/${annOrder}`,
          headers: auth(bo.token),
          payload: { priceCny: '101.00', qtyT: 100 },
        },
        {
          method: 'DELETE',
          url: `/api/orders/${pick(['0', '-1', '1e9', 'abc', '9007199254740993', '1.5'])}`,
          headers: annH,
        },
        { method: 'DELETE', url: `/api/orders/${100_000 + draw(1_000_000)}`, headers: annH },
      ]);
    case 8: {
      const key = pick(['priceCny', 'qtyT']);
      return {
        method: 'PATCH',
        url: `/api/orders/${annOrder}`,
        headers: annH,
        payload: { priceCny: '101.00', qtyT: 100, [key]: pick(WEIRD_VALUES) },
      };
    }
    case 9:
      return {
        method: 'POST',
        url: '/api/take',
        headers: annH,
        payload: {
          marketId: 'national',
          instrumentId: 'CEA-23',
          listingId: pick([0, -1, 1.5, 2 ** 53, 'x', annOrder]),
          qtyT: pick([0, -100, 1e308, 100]),
        },
      };
    case 10:
      return {
        method: 'POST',
        url: '/api/blocks',
        headers: annH,
        payload: {
          marketId: 'national',
          instrumentId: 'CEA-23',
          side: pick(['buy', 'sell', 'both']),
          priceCny: pick(['95.00', '0.00', '-5.00', '1e9']),
          qtyT: pick([99_999, 100_000, 1e12, -100_000]),
          toStudentId: pick([null, 0, -1, 999, ann.studentId, 'x']),
        },
      };
    case 11:
      return {
        method: 'POST',
        url: pick(['/api/blocks/1/accept', '/api/blocks/999/reject', '/api/blocks/-1/counter', '/api/blocks/x/accept']),
        headers: annH,
        payload: { priceCny: pick(WEIRD_VALUES), qtyT: pick(WEIRD_VALUES) },
      };
    case 12:
      return {
        method: 'POST',
        url: '/api/me/surrender',
        headers: annH,
        payload: { instrumentId: pick(['CEA-23', 'NOPE', '', 'CCER']), qtyT: pick([0, -1, 1e15, 0.5, 'x']) },
      };
    case 13:
      return {
        method: 'POST',
        url: '/api/join',
        payload: pick([
          { code: 'NOPE-0000', name: 'Eve' },
          { code: t.server.joinCode, name: pick(['', ' ', '\u0000bad', 'x'.repeat(41), '\u0007bell']) },
          { code: t.server.joinCode },
          { code: 12, name: 'Eve' },
          { code: 'x'.repeat(100), name: 'Eve' },
        ]),
      };
    case 14:
      return pick<Req>([
        { method: 'GET', url: '/api/classrooms/default/markets/national/depth?instrument=NOPE' },
        { method: 'GET', url: '/api/classrooms/default/markets/nowhere/depth?instrument=CEA-23' },
        {
          method: 'GET',
          url: `/api/classrooms/default/markets/national/trades?instrument=CEA-23&limit=${pick(['-1', '1e9', 'x'])}`,
        },
        { method: 'GET', url: '/api/classrooms/../../etc/passwd' },
        { method: 'GET', url: `/api/${'x'.repeat(3_000)}` },
        { method: 'GET', url: '/web/../package.json' },
        { method: 'GET', url: '/api/classrooms/%00' },
        // Auctions: none announced here, so every bid and cancel is refused; notices need the instructor's token.
        {
          method: 'POST',
          url: pick([
            '/api/auctions/A1/bids',
            '/api/auctions/A0/bids',
            '/api/auctions/../bids',
            '/api/auctions/A1x/bids',
          ]),
          headers: annH,
          payload: { priceCny: pick(WEIRD_VALUES), qtyT: pick(WEIRD_VALUES) },
        },
        { method: 'DELETE', url: pick(['/api/auctions/A1/bids/B1', '/api/auctions/A1/bids/%00']), headers: annH },
        {
          method: 'POST',
          url: '/api/classrooms/default/auctions',
          headers: auth(pick([ann.token, INSTRUCTOR_BAD])),
          payload: { qtyT: pick(WEIRD_VALUES), reservePriceCny: pick(WEIRD_VALUES), minutes: pick(WEIRD_VALUES) },
        },
      ]);
    case 15:
      // Issue 20: names that hide characters or copy another's, made-up tokens, revocation and seats without the
      // right, scenarios that are not shipped, URLs that do not decode, bodies that are not JSON, static paths out
      // of the folder.
      return pick<Req>([
        {
          method: 'POST',
          url: '/api/join',
          payload: {
            code: t.server.joinCode,
            name: pick([
              'Ann',
              'ANN',
              'ａｎｎ',
              'A\u200Bnn',
              'Bo\u202Eb',
              'x\u2066y',
              '\u3164',
              '\u200D',
              '--',
              'a\u2028b',
            ]),
          },
        },
        {
          method: 'GET',
          url: pick(['/api/me', '/api/me/orders', '/api/blocks']),
          headers: auth(`made-up-${draw(1_000_000)}`),
        },
        {
          method: 'POST',
          url: `/api/classrooms/default/students/${pick([ann.studentId, bo.studentId, 0, -1, 999, 'x'])}/revoke`,
          headers: auth(pick([ann.token, INSTRUCTOR_BAD])),
        },
        {
          method: 'PATCH',
          url: '/api/classrooms/default',
          headers: auth(pick([ann.token, INSTRUCTOR_BAD])),
          payload: { seats: pick(WEIRD_VALUES) },
        },
        {
          method: 'POST',
          url: '/api/classrooms',
          headers: auth('admin-token-for-tests-0001'),
          payload: { name: 'x', scenario: pick(['package.json', '..', 'README', 'tsconfig.json', 'nope', '.']) },
        },
        { method: 'GET', url: pick(['/api/%zz', '/api/classrooms/%E0%A4%A', '/%', '/api/me%']) },
        {
          method: 'POST',
          url: '/api/orders',
          headers: { ...annH, 'content-type': pick(['text/plain', 'application/xml', 'multipart/form-data']) },
          payload: JSON.stringify(goodOrder),
        },
        { method: 'GET', url: pick(['/web/%2e%2e/package.json', '/web/a%00b', '/web/..%2f..%2fpackage.json']) },
      ]);
    default:
      return {
        method: 'PATCH',
        url: '/api/classrooms/default',
        headers: auth(pick([ann.token, INSTRUCTOR_BAD])),
        payload: { speed: pick(WEIRD_VALUES), botIntensity: pick(WEIRD_VALUES), seats: pick([...WEIRD_VALUES, 1]) },
      };
  }
}

async function stateOf() {
  const r = await t.inject({
    method: 'GET',
    url: '/api/classrooms/default/state',
    headers: auth('admin-token-for-tests-0001'),
  });
  expect(r.statusCode).toBe(200);
  return r.json() as { seq: number; hash: string; integrity: string };
}

describe('hostile input', () => {
  it('10,000 hostile HTTP requests: each a 4xx with a code; the state hash does not move', async () => {
    const before = await stateOf();
    expect(before.integrity).toBe('ok');
    const draw = rng(20_241_121);
    const statuses = new Map<number, number>();
    const codes = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const req = hostile(draw);
      const r = await t.server.app.inject({ ...req });
      statuses.set(r.statusCode, (statuses.get(r.statusCode) ?? 0) + 1);
      const where = `${req.method} ${req.url.slice(0, 80)} ${JSON.stringify(req.payload ?? '').slice(0, 200)}`;
      expect(r.statusCode, where).toBeGreaterThanOrEqual(400);
      expect(r.statusCode, `${where}: ${r.body.slice(0, 300)}`).toBeLessThan(500);
      const body = r.json() as { error?: { code?: unknown; message?: unknown } };
      expect(typeof body.error?.code, where).toBe('string');
      expect(typeof body.error?.message, where).toBe('string');
      expect(r.body, where).not.toMatch(/\n\s+at /); // no stack trace
      codes.add(String(body.error?.code));
    }
    const after = await stateOf();
    console.log(
      `hostile HTTP: ${[...statuses]
        .sort()
        .map(([k, v]) => `${v}x${k}`)
        .join(', ')}; codes: ${[...codes].sort().join(' ')}`,
    );
    expect(after).toEqual(before);
    // The mix reached every kind of answer, not just one.
    expect([...statuses.keys()].sort()).toEqual(expect.arrayContaining([400, 401, 403, 404, 409, 413, 415, 422]));
    for (const code of ['LIVE_ERR_DUPLICATE_NAME', 'UNSUPPORTED_MEDIA_TYPE', 'LIVE_ERR_BAD_INPUT', 'UNAUTHORIZED'])
      expect(codes).toContain(code);
    expect(codes.size).toBeGreaterThan(10);
    // Still serving: a valid order goes through.
    const ok = await t.inject({ method: 'POST', url: '/api/orders', headers: auth(bo.token), payload: goodOrder });
    expect(ok.statusCode).toBe(200);
  }, 120_000);

  it('2,000 hostile WebSocket messages: each answered with an error code or the socket refused; nothing changes', async () => {
    const base = (await t.server.listen()).replace('http', 'ws');
    const before = await stateOf();
    const draw = rng(7);
    const pick = <T>(xs: readonly T[]): T => xs[draw(xs.length)]!;
    const messages = (): (string | Buffer)[] => [
      '{',
      'null',
      '[]',
      '"x"',
      deep(3_000),
      JSON.stringify({ op: pick(['hack', '', 'ORDER', '__proto__', 'cancel']), reqId: 'r' }),
      JSON.stringify({ op: 'order', reqId: 'r1', ...goodOrder, [pick(Object.keys(goodOrder))]: pick(WEIRD_VALUES) }),
      JSON.stringify({ op: 'order', reqId: 'r2', ...goodOrder, priceCny: pick(['9999.99', '0.01']) }),
      JSON.stringify({ op: 'order', reqId: 'x'.repeat(100), ...goodOrder }),
      JSON.stringify({ op: 'order', ...goodOrder }),
      JSON.stringify({ op: 'cancel', reqId: 'c', orderId: pick([annOrder, -1, 0, 'x', 2 ** 60]) }),
      JSON.stringify({
        op: 'subscribe',
        channels: pick([
          ['private:9'],
          ['depth:../../x'],
          'depth',
          [1, 2],
          ['x'.repeat(500)],
          // Issue 20: an extra part made a new channel per name; markets and instruments that are not there.
          [`depth:national:CEA-23:${draw(1e9)}`],
          Array.from({ length: 50 }, (_, i) => `trades:national:CEA-23:${draw(1e9)}-${i}`),
          ['depth:national:CEA-99', 'ticker:mars:CEA-23', 'bar:national', 'status:1', 'news:x'],
        ]),
      }),
      Buffer.from([0xff, 0xfe, 0x00, 0x01]),
    ];
    let answered = 0;
    let closedForSize = 0;
    // Bo's sockets, so Ann's order is someone else's; 20 sockets of 100 messages (under the per-socket rate limit).
    for (let s = 0; s < 20; s++) {
      const ws = new WebSocket(`${base}/ws?token=${bo.token}`);
      const errors: string[] = [];
      ws.on('message', (d) => {
        const m = JSON.parse(d.toString()) as { op?: string; ok?: boolean; error?: { code?: string } };
        if ((m.op === 'error' || (m.op === 'ack' && m.ok === false)) && typeof m.error?.code === 'string')
          errors.push(m.error.code);
        if (m.op === 'ack' && m.ok === true) errors.push('ACCEPTED?');
      });
      await new Promise((r) => ws.once('open', r));
      const batch = Array.from({ length: 100 }, () => pick(messages()));
      for (const m of batch) ws.send(m);
      await new Promise((r) => setTimeout(r, 150));
      expect(errors, 'a hostile message was accepted').not.toContain('ACCEPTED?');
      answered += errors.length;
      ws.close();
    }
    // An oversized frame closes that socket (1009), and only that one.
    const big = new WebSocket(`${base}/ws?token=${bo.token}`);
    await new Promise((r) => big.once('open', r));
    const code = new Promise<number>((r) => big.once('close', (c) => r(c)));
    big.send('x'.repeat(100_000));
    if ((await code) === 1009) closedForSize++;
    expect(answered).toBeGreaterThanOrEqual(1_900);
    expect(closedForSize).toBe(1);
    expect(await stateOf()).toEqual(before);
    // No channel was made up: the server holds keys only for real channels.
    const subs = (t.server.streams as unknown as { subs: Map<string, unknown> }).subs;
    for (const k of subs.keys()) expect(k.split('|')[1]!.split(':').length, k).toBeLessThanOrEqual(3);
    const health = await t.inject({ method: 'GET', url: '/api/health' });
    expect(health.statusCode).toBe(200);
  }, 60_000);
});
