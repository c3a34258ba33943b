// The pages' strings (web/locales): Chinese and English have the same keys with the same {{params}} in every
// locale file; every key the pages use (data-i18n* attributes in web/*.html, t('...') in web/*.js) has a string;
// every error code a student can be sent has a sentence in both, naming the same values as its form in the error
// table; every alert type the core raises has a sentence; and a scenario's policy plans are worded from the values the
// core sends with them, with a word for every sector and market they name.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventDetail } from '../../../src/live/timeline.ts';
import { ERRORS } from '../../../src/server/errors.ts';
import type { ScenarioEvent } from '../../../src/sim/scenario/schema.ts';

const WEB = join(import.meta.dirname, '../../../web');
const LOCALES = join(WEB, 'locales');
type Tree = { [k: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix === '' ? k : `${prefix}.${k}`;
    if (typeof v === 'string') out.set(key, v);
    else for (const [kk, vv] of flatten(v, key)) out.set(kk, vv);
  }
  return out;
}

const read = (f: string): Tree => JSON.parse(readFileSync(join(LOCALES, f), 'utf8')) as Tree;

/** Namespace -> language -> key -> string: en.json/zh.json hold several namespaces, <ns>.<lng>.json one. */
function namespaces(): Map<string, Map<string, Map<string, string>>> {
  const out = new Map<string, Map<string, Map<string, string>>>();
  const put = (ns: string, lng: string, strings: Map<string, string>) => {
    if (!out.has(ns)) out.set(ns, new Map());
    out.get(ns)!.set(lng, strings);
  };
  for (const f of readdirSync(LOCALES).filter((x) => x.endsWith('.json'))) {
    const parts = f.split('.');
    if (parts.length === 2) for (const [ns, tree] of Object.entries(read(f))) put(ns, parts[0]!, flatten(tree as Tree));
    else put(parts[0]!, parts[1]!, flatten(read(f)));
  }
  return out;
}

const NS = namespaces();
const params = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();

/** Whether a key (with or without "ns:") has a string in these namespaces, counting plural forms (key_one ...). */
function has(key: string, defaults: string[]): boolean {
  const [ns, k] = key.includes(':') ? (key.split(':') as [string, string]) : [null, key];
  for (const n of ns === null ? defaults : [ns]) {
    const en = NS.get(n)?.get('en');
    if (en === undefined) continue;
    if (en.has(k) || en.has(`${k}_one`) || en.has(`${k}_other`)) return true;
  }
  return false;
}

describe('locales', () => {
  it('en and zh: the same keys with the same {{params}}, in every locale file', () => {
    expect([...NS.keys()]).toEqual(expect.arrayContaining(['common', 'student', 'errors']));
    for (const [ns, langs] of NS) {
      const en = langs.get('en');
      const zh = langs.get('zh');
      expect(en, `${ns}: en`).toBeDefined();
      expect(zh, `${ns}: zh`).toBeDefined();
      expect([...zh!.keys()].sort(), ns).toEqual([...en!.keys()].sort());
      for (const [k, v] of en!) {
        expect(v.trim(), `${ns}:${k} en`).not.toBe('');
        expect(zh!.get(k)!.trim(), `${ns}:${k} zh`).not.toBe('');
        expect(params(zh!.get(k)!), `${ns}:${k}`).toEqual(params(v));
      }
    }
  });

  it('every data-i18n key of the pages and every t() key of their scripts has a string', () => {
    const pageNs = (file: string) => {
      const own = file.replace(/\.(html|js)$/, '');
      return NS.has(own) ? [own, 'common'] : own === 'trade' ? ['student', 'common'] : [...NS.keys()];
    };
    const missing: string[] = [];
    let seen = 0;
    for (const f of readdirSync(WEB).filter((x) => x.endsWith('.html'))) {
      const html = readFileSync(join(WEB, f), 'utf8');
      for (const m of html.matchAll(/\sdata-i18n(?:-[a-z-]+)?="([^"]+)"/g)) {
        seen++;
        if (!has(m[1]!, pageNs(f))) missing.push(`${f}: ${m[1]}`);
      }
    }
    // The trading page's scripts look in student and common; any other page's in its own namespaces or any.
    const STUDENT = ['trade', 'account', 'ticket', 'blocks', 'auctions', 'book', 'feed', 'socket', 'format', 'dom'];
    const scriptNs = (f: string) =>
      STUDENT.includes(f.replace(/\.js$/, '')) || ['position.js', 'toasts.js', 'chart.js'].includes(f)
        ? ['student', 'common']
        : [...NS.keys()];
    for (const f of readdirSync(WEB).filter((x) => x.endsWith('.js'))) {
      const js = readFileSync(join(WEB, f), 'utf8');
      // Keys written out: t('key') or t("key"); keys made from values (t(`status.${s}`)) pass a defaultValue.
      for (const m of js.matchAll(/\bt\(\s*['"]([^'"]+)['"]/g)) {
        seen++;
        if (!has(m[1]!, scriptNs(f))) missing.push(`${f}: ${m[1]}`);
      }
    }
    expect(seen).toBeGreaterThan(150);
    expect(missing).toEqual([]);
  });

  it('keys the trading page makes from values: sides, the ticket’s outcome, every alert type', () => {
    for (const k of [
      'side.buyArrow',
      'side.sellArrow',
      'alert.fills-buy',
      'alert.fills-sell',
      'alert.round-start',
      'alert.round-practice',
      'alert.round-over',
    ])
      expect(has(k, ['student']), k).toBe(true);
    for (const side of ['buy', 'sell'])
      for (const market of ['', 'Market']) expect(has(`ticket.accepted.${side}${market}`, ['student'])).toBe(true);
    const types = readFileSync(join(import.meta.dirname, '../../../src/live/types.ts'), 'utf8');
    const union = /export type AlertType =([^;]+);/.exec(types)?.[1] ?? '';
    const alertTypes = [...union.matchAll(/'([a-z-]+)'/g)].map((m) => m[1]!);
    expect(alertTypes).toContain('proposal');
    for (const a of alertTypes) {
      const keys = a === 'proposal' || a === 'fill' ? [`alert.${a}-buy`, `alert.${a}-sell`] : [`alert.${a}`];
      for (const k of keys) expect(has(k, ['student']), k).toBe(true);
    }
  });

  it('every code a student can be sent has a sentence in both, naming the values of its form', () => {
    const en = NS.get('errors')!.get('en')!;
    const zh = NS.get('errors')!.get('zh')!;
    // Not for students: snapshots are never sent; set-up and admin refusals go to the instructor's page.
    const forStudents = Object.keys(ERRORS).filter(
      (c) => !/^(SNAP_|SIM_|ADMIN_)|^ENG_ERR_|^MKT_ERR_CATALOGUE$/.test(c),
    );
    expect(forStudents.length).toBeGreaterThan(100);
    for (const code of forStudents) {
      const form = ERRORS[code]!.message;
      expect(en.get(code), code).toBe(form.replace(/\{(\w+)\}/g, '{{$1}}'));
      expect(zh.get(code), code).toBeDefined();
      expect(params(zh.get(code)!), code).toEqual([...form.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort());
    }
    // Every sentence is of a code in the table, or one of the page's own (the connection).
    for (const code of en.keys())
      expect(ERRORS[code] !== undefined || ['NETWORK', 'DISCONNECTED', 'NO_ACK'].includes(code), code).toBe(true);
  });

  it("a scenario's policy plans: each kind's sentences use the values the core sends, every sector and market has a word", () => {
    const common = NS.get('common')!.get('en')!;
    // The names the page (web/news-text.js) gives the core's params in a sentence.
    const named = (k: string): string =>
      ({ marketId: 'market', sectors: 'sectorList', credibilityBps: 'credibility', cutBps: 'cut' })[k] ??
      (k.endsWith('T') ? k.slice(0, -1) : k);
    const SCENARIOS = join(import.meta.dirname, '../../../scenarios');
    let plans = 0;
    for (const f of readdirSync(SCENARIOS).filter((x) => x.endsWith('.json'))) {
      const events = (JSON.parse(readFileSync(join(SCENARIOS, f), 'utf8')) as { events: ScenarioEvent[] }).events;
      for (const e of events) {
        if (e.kind !== 'coverage-plan' && e.kind !== 'allocation-plan' && e.kind !== 'ccer-outlook') continue;
        plans++;
        const d = eventDetail(e);
        expect(d.kind, `${f} ${e.kind}`).toBe(e.kind);
        const sent = Object.keys(d.params ?? {}).map(named);
        const variant =
          e.kind === 'allocation-plan'
            ? ['textLoosen']
            : e.kind === 'coverage-plan' && e.balancedThroughYear !== undefined
              ? ['textBalanced']
              : [];
        for (const key of ['title', 'text', ...variant]) {
          const sentence = common.get(`news.kinds.${e.kind}.${key}`);
          expect(sentence, `${e.kind}.${key}`).toBeDefined();
          for (const p of params(sentence!)) expect(sent, `${f}: ${e.kind}.${key} {{${p}}}`).toContain(p);
        }
        expect(e.titleZh, `${f}: ${e.title} has no titleZh`).toBeDefined();
        const p = d.params as Record<string, string | number>;
        if (typeof p['marketId'] === 'string')
          expect(common.has(`markets.${p['marketId']}`), String(p['marketId'])).toBe(true);
        for (const sector of String(p['sectors'] ?? '')
          .split(',')
          .filter((x) => x !== ''))
          expect(common.has(`sectors.${sector}`), sector).toBe(true);
      }
    }
    expect(plans).toBeGreaterThan(10);
    // Every sector with an abatement curve has a word, whichever scenario names it next.
    const sectors = JSON.parse(readFileSync(join(import.meta.dirname, '../../../data/abatement/sectors.json'), 'utf8'))
      .sectors as Record<string, unknown>;
    for (const id of Object.keys(sectors)) expect(common.has(`sectors.${id}`), id).toBe(true);
  });
});
