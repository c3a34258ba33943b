// Every error a client can get is {"error": {"code", "message"}} with the status the code has in http.ts's table:
// also the ones fastify and Node answer themselves (a bad URL, headers too large, a request that is not HTTP, a
// forbidden static path, a body that is not JSON).
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_STATUS, statusOf } from '../../../src/server/http.ts';
import { type TestServer, testServer } from './fixture.ts';

let t: TestServer;
let port: number;
beforeAll(async () => {
  t = await testServer();
  port = Number(new URL(await t.server.listen()).port);
});
afterAll(async () => {
  await t.close();
});

/** Sends raw bytes and parses the answer: status, headers, body. */
function raw(req: string): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(req));
    let out = '';
    const done = () => {
      const [head = '', ...rest] = out.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const l of lines) {
        const i = l.indexOf(':');
        headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
      }
      const status = Number(statusLine.split(' ')[1]);
      if (!Number.isFinite(status)) reject(new Error(`no answer: ${JSON.stringify(out.slice(0, 200))}`));
      resolve({ status, headers, body: rest.join('\r\n\r\n') });
    };
    s.on('data', (d) => {
      out += d.toString();
    });
    s.on('end', done);
    s.on('error', reject);
    s.setTimeout(2_000, () => {
      s.destroy();
      done();
    });
  });
}

const cases: [string, string, number, string][] = [
  ['a URL that does not decode', 'GET /api/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 400, 'BAD_REQUEST'],
  [
    'headers too large',
    `GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    431,
    'HEADERS_TOO_LARGE',
  ],
  ['a request that is not HTTP', 'GARBAGE\r\n\r\n', 400, 'BAD_REQUEST'],
  ['an unknown method', 'BREW /api/join HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'BAD_REQUEST'],
  [
    'a body that is not JSON',
    'POST /api/join HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi',
    415,
    'UNSUPPORTED_MEDIA_TYPE',
  ],
  [
    'an XML body',
    'POST /api/join HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/xml\r\nContent-Length: 4\r\n\r\n<a/>',
    415,
    'UNSUPPORTED_MEDIA_TYPE',
  ],
  [
    'a static path outside the folder',
    'GET /web/%2e%2e/package.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    403,
    'FORBIDDEN',
  ],
  ['a NUL in a static path', 'GET /web/a%00b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 403, 'FORBIDDEN'],
  [
    'a body that is too large',
    `POST /api/join HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 70000\r\n\r\n${'x'.repeat(70_000)}`,
    413,
    'PAYLOAD_TOO_LARGE',
  ],
];

describe('error bodies', () => {
  for (const [name, req, status, code] of cases)
    it(`${name}: ${status} ${code} in the documented shape`, async () => {
      const r = await raw(req);
      expect(r.status).toBe(status);
      expect(r.headers['content-type']).toMatch(/^application\/json/);
      const body = JSON.parse(r.body) as unknown;
      // params: the values the message names, when it has its code's form (src/server/error-params.ts).
      const { params, ...rest } = (body as { error: { params?: unknown } }).error;
      expect({ error: rest }).toEqual({ error: { code, message: expect.any(String) } });
      if (params !== undefined) expect(Object.values(params as object).every((v) => typeof v === 'string')).toBe(true);
      const e = (body as { error: { message: string } }).error;
      expect(e.message.length).toBeGreaterThan(10);
      expect(e.message).not.toMatch(/\bat \S+ \(|node_modules|FST_/);
      expect(statusOf(code)).toBe(status);
    });

  it('one table: every code maps to one status, and the refusal codes to theirs', () => {
    expect(ERROR_STATUS.NOT_FOUND).toBe(404);
    expect(statusOf('LIVE_ERR_UNKNOWN_ORDER')).toBe(404);
    expect(statusOf('LIVE_ERR_NOT_RUNNING')).toBe(409);
    expect(statusOf('JOURNAL_ERR_WRITE')).toBe(503);
    expect(statusOf('ENG_PRICE_ABOVE_BAND')).toBe(422);
    expect(statusOf('RATE_LIMITED')).toBe(429);
  });
});
