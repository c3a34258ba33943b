// Security headers (helmet): a content security policy the pages live within, nosniff, no framing, no-store on the
// API; and student tokens never in the logs, at any level.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { redactUrl } from '../../../src/server/app.ts';
import { auth, type TestServer, testServer } from './fixture.ts';

const WEB = join(import.meta.dirname, '..', '..', '..', 'web');
let t: TestServer | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

/** The policy as a map of directive -> sources. */
function csp(header: unknown): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const part of String(header).split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) m.set(name, sources);
  }
  return m;
}

describe('security headers', () => {
  it('pages get a strict content security policy, nosniff and no framing; the API is no-store', async () => {
    t = await testServer({ botIntensity: 0 });
    const page = await t.inject({ method: 'GET', url: '/trade' });
    expect(page.statusCode).toBe(200);
    const p = csp(page.headers['content-security-policy']);
    expect(p.get('default-src')).toEqual(["'self'"]);
    expect(p.get('script-src')).toEqual(["'self'"]);
    expect(p.get('style-src')?.[0]).toBe("'self'");
    // The chart library's one <style> (its attribution logo) is allowed by its hash, nothing else inline.
    expect(p.get('style-src')?.slice(1)).toEqual([expect.stringMatching(/^'sha256-[A-Za-z0-9+/]+=*'$/)]);
    expect(p.get('frame-ancestors')).toEqual(["'none'"]);
    expect(p.get('object-src')).toEqual(["'none'"]);
    expect(p.get('upgrade-insecure-requests')).toBeUndefined();
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['strict-transport-security']).toBeUndefined();

    const a = await t.join('Alice');
    for (const [url, headers] of [
      ['/api/me', auth(a.token)],
      ['/api/me', {}],
      ['/api/classrooms/default', {}],
      ['/api/nothing-here', {}],
    ] as const) {
      const r = await t.inject({ method: 'GET', url, headers });
      expect(r.headers['cache-control'], url).toBe('no-store');
      expect(r.headers['x-content-type-options'], url).toBe('nosniff');
    }
    const docs = await t.inject({ method: 'GET', url: '/docs/static/index.html' });
    expect(csp(docs.headers['content-security-policy']).get('script-src')).toEqual(["'self'"]);
  });

  it('the pages use nothing the policy refuses: same-origin scripts and styles, no inline code or style attributes', async () => {
    t = await testServer({ botIntensity: 0 });
    for (const f of readdirSync(WEB).filter((x) => x.endsWith('.html'))) {
      const html = readFileSync(join(WEB, f), 'utf8');
      expect(html, f).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i); // inline script
      expect(html, f).not.toMatch(/<style\b/i);
      expect(html, f).not.toMatch(/\sstyle\s*=/i);
      expect(html, f).not.toMatch(/\son[a-z]+\s*=/i);
      expect(html, f).not.toMatch(/javascript:/i);
      const refs = [...html.matchAll(/\s(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
      for (const ref of refs) {
        if (ref === 'data:,') continue;
        expect(ref, `${f}: ${ref}`).toMatch(/^\/[^/]/);
        const r = await t.inject({ method: 'GET', url: ref });
        expect(r.statusCode, `${f}: ${ref}`).toBe(200);
      }
    }
    for (const f of readdirSync(WEB).filter((x) => x.endsWith('.js'))) {
      const js = readFileSync(join(WEB, f), 'utf8');
      expect(js, f).not.toMatch(/setAttribute\(\s*['"]style['"]|\.innerHTML\s*=|\beval\(|new Function\(|style:\s*`/);
    }
  });
});

describe('logs', () => {
  it('never hold a token, at debug level; info logs the requests', async () => {
    const lines: string[] = [];
    t = await testServer(
      { botIntensity: 0, logLevel: 'debug', instructorToken: 'instructor-token-for-tests-01' },
      { logStream: { write: (l: string) => lines.push(l) } },
    );
    const a = await t.join('Alice');
    await t.inject({ method: 'GET', url: `/trade?token=${a.token}` });
    await t.inject({ method: 'GET', url: `/trade?classroom=default&token=${encodeURIComponent(a.token)}&x=1` });
    await t.inject({ method: 'GET', url: '/api/me', headers: auth(a.token) });
    await t.inject({ method: 'GET', url: `/ws?token=${a.token}` });
    await t.inject({ method: 'GET', url: `/api/%zz?token=${a.token}` });
    await t.inject({
      method: 'GET',
      url: '/api/classrooms/default/admin',
      headers: auth('instructor-token-for-tests-01'),
    });
    const text = lines.join('');
    expect(text).toMatch(/incoming request/);
    expect(text).toMatch(/\/trade\?token=\[redacted\]/);
    expect(text).not.toContain(a.token);
    expect(text).not.toContain(encodeURIComponent(a.token));
    expect(text).not.toContain('instructor-token-for-tests-01');
    expect(redactUrl('/x?a=1&token=abc&b=2')).toBe('/x?a=1&token=[redacted]&b=2');
  });
});
