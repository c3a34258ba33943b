import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MarketError } from '../../../src/market/errors.ts';
import { DEFAULT_DATA_DIR, loadCatalogue, marketById } from '../../../src/store/catalogue-files.ts';

type Json = { [key: string]: unknown };
const DELETE = Symbol('delete');

/** Sets (or with DELETE removes) the value at a JSON pointer like /modes/listed/bandBps; returns the root. */
function patch(root: Json, pointer: string, value: unknown): Json {
  const parts = pointer.split('/').slice(1);
  const last = parts.pop()!;
  let at = root;
  for (const p of parts) at = at[p] as Json;
  if (value === DELETE) delete at[last];
  else at[last] = value;
  return root;
}

const IDS = [
  'beijing',
  'ccer',
  'chongqing',
  'fujian',
  'guangdong',
  'hubei',
  'national',
  'shanghai',
  'shcercir1',
  'shenzhen',
  'tianjin',
];

describe('the shipped catalogue', () => {
  const cat = loadCatalogue();

  it('loads every market file, sorted by id, and the calendar', () => {
    expect(cat.markets.map((m) => m.id)).toEqual(IDS);
    expect(Object.keys(cat.calendar.holidays)).toEqual(['2023', '2024', '2025', '2026']);
  });

  it('is frozen all the way down', () => {
    expect(Object.isFrozen(cat)).toBe(true);
    expect(Object.isFrozen(cat.markets)).toBe(true);
    expect(Object.isFrozen(marketById(cat, 'national')!.modes.listed.sessions[0])).toBe(true);
    expect(Object.isFrozen(cat.calendar.holidays['2024'])).toBe(true);
  });

  it('finds markets by id', () => {
    expect(marketById(cat, 'hubei')?.name).toBe('Hubei pilot market');
    expect(marketById(cat, 'nowhere')).toBeUndefined();
  });

  it('national: one instrument per vintage, CEA-19-20 to CEA-25', () => {
    expect(marketById(cat, 'national')!.instruments.map((i) => i.id)).toEqual([
      'CEA-19-20',
      'CEA-21',
      'CEA-22',
      'CEA-23',
      'CEA-24',
      'CEA-25',
    ]);
  });

  it('Guangdong: best-price matching (price-time, best order only), previous close when listed volume is at most 100 t', () => {
    const gd = marketById(cat, 'guangdong')!;
    expect(gd.modes.listed.matching).toBe('best-price');
    expect(gd.modes.listed.listedDepth).toBe(1);
    expect(gd.close.previousCloseIfListedVolumeAtMostT).toBe(100);
  });

  it('pilot specifics from their sources (ICAP pilot factsheets)', () => {
    const hubei = marketById(cat, 'hubei')!;
    expect([hubei.modes.listed.bandBps, hubei.modes.listed.feeBps]).toEqual([1000, 50]);
    expect(marketById(cat, 'fujian')!.modes.listed.feeBps).toBe(0);
    const sz = marketById(cat, 'shenzhen')!.compliance!;
    expect([sz.penalty.multipleMin, sz.penalty.multipleMax, sz.penalty.priceWindowMonths]).toEqual([3, 3, 6]);
    expect(sz.cycles.map((c) => c.deadline.slice(5))).toEqual(['06-30', '06-30', '06-30']);
    expect(marketById(cat, 'tianjin')!.compliance!.cycles[0]!.deadline).toBe('2024-06-30');
    const bj = marketById(cat, 'beijing')!;
    expect([bj.compliance!.penalty.multipleMin, bj.compliance!.penalty.multipleMax]).toEqual([3, 5]);
    expect([bj.offsets!.capBps, bj.offsets!.localMinBps]).toEqual([500, 5000]);
    const sh = marketById(cat, 'shanghai')!;
    expect(sh.compliance!.cycles.find((c) => c.id === '2023')!.deadline).toBe('2024-09-30');
    expect([sh.offsets!.capBps, sh.offsets!.capBasis]).toEqual([500, 'allocation']);
    expect(sh.offsets!.usable.find((u) => u.instrument === 'SHCERCIR1')!.usableFrom).toBe('2024-09-13');
  });

  it('credit markets: CCER (legacy and new) and SHCERCIR1', () => {
    const ccer = marketById(cat, 'ccer')!;
    expect(ccer.kind).toBe('offset');
    expect(ccer.instruments.map((i) => [i.id, i.registeredFrom, i.registeredBefore])).toEqual([
      ['CCER-LEGACY', null, '2017-03-14'],
      ['CCER', '2024-01-22', null],
    ]);
    expect([ccer.modes.block, ccer.modes.auction, ccer.compliance, ccer.offsets]).toEqual([null, null, null, null]);
    expect(ccer.participants.individuals).toBe(false);
    const sh = marketById(cat, 'shcercir1')!;
    expect(sh.instruments.map((i) => [i.id, i.kind, i.listedFrom])).toEqual([['SHCERCIR1', 'inclusive', '2024-09-13']]);
  });

  it('every entry names its sources', () => {
    for (const m of cat.markets) expect(m.sources.length, m.id).toBeGreaterThan(0);
  });
});

describe('a broken file stops the load with MKT_ERR_CATALOGUE naming the file and the field', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  /** A copy of data/ with one market file replaced by `text`. */
  function copyWith(name: string, text: string): string {
    const dir = mkdtempSync(join(tmpdir(), 'cets-catalogue-'));
    dirs.push(dir);
    cpSync(DEFAULT_DATA_DIR, dir, { recursive: true });
    writeFileSync(join(dir, 'markets', name), text);
    return dir;
  }

  function entry(name: string): Json {
    return JSON.parse(readFileSync(join(DEFAULT_DATA_DIR, 'markets', name), 'utf8'));
  }

  function loadError(dir: string): MarketError {
    try {
      loadCatalogue(dir);
    } catch (e) {
      expect(e).toBeInstanceOf(MarketError);
      return e as MarketError;
    }
    throw new Error('expected loadCatalogue to throw');
  }

  // [what, file, JSON pointer to change, new value (DELETE removes the field), field path expected in the message]
  const cases: [string, string, string, unknown, string][] = [
    ['wrong type', 'hubei.json', '/modes/listed/bandBps', '1000', '/modes/listed/bandBps'],
    ['negative band', 'hubei.json', '/modes/listed/bandBps', -5, '/modes/listed/bandBps'],
    ['unknown field', 'hubei.json', '/modes/listed/bandPct', 10, '/modes/listed/bandPct'],
    ['missing field', 'tianjin.json', '/modes/listed/tickFen', DELETE, '/modes/listed'],
    [
      'impossible date',
      'shenzhen.json',
      '/compliance/cycles/0/deadline',
      '2024-02-30',
      '/compliance/cycles/0/deadline',
    ],
    ['reversed session', 'national.json', '/modes/block/sessions/0', ['15:00', '13:00'], '/modes/block/sessions/0'],
    [
      'overlapping sessions',
      'guangdong.json',
      '/modes/listed/sessions/1',
      ['11:00', '15:00'],
      '/modes/listed/sessions/1',
    ],
    [
      'unknown offset instrument',
      'beijing.json',
      '/offsets/usable/1/instrument',
      'CCER-2030',
      '/offsets/usable/1/instrument',
    ],
    ['id not matching the file name', 'fujian.json', '/id', 'xiamen', '/id'],
  ];

  for (const [what, name, pointer, value, field] of cases) {
    it(what, () => {
      const e = loadError(copyWith(name, JSON.stringify(patch(entry(name), pointer, value))));
      expect(e.code).toBe('MKT_ERR_CATALOGUE');
      expect(e.message).toContain(`data/markets/${name}`);
      expect(e.message).toContain(`${field}:`);
    });
  }

  it('missing field: the message names the missing property', () => {
    const j = patch(entry('tianjin.json'), '/modes/listed/tickFen', DELETE);
    expect(loadError(copyWith('tianjin.json', JSON.stringify(j))).message).toContain('tickFen');
  });

  it('bad JSON text', () => {
    const text = readFileSync(join(DEFAULT_DATA_DIR, 'markets', 'chongqing.json'), 'utf8').replace('"kind"', 'kind');
    const e = loadError(copyWith('chongqing.json', text));
    expect(e.code).toBe('MKT_ERR_CATALOGUE');
    expect(e.message).toContain('data/markets/chongqing.json');
    expect(e.message).toContain('(top level)');
    expect(e.message).toContain('valid JSON');
  });

  it('a bad calendar date', () => {
    const dir = copyWith('hubei.json', JSON.stringify(entry('hubei.json')));
    const cal = JSON.parse(readFileSync(join(dir, 'calendar', 'cn-holidays.json'), 'utf8'));
    cal.holidays['2024'][1] = '2024-02-30';
    writeFileSync(join(dir, 'calendar', 'cn-holidays.json'), JSON.stringify(cal));
    const e = loadError(dir);
    expect(e.code).toBe('MKT_ERR_CATALOGUE');
    expect(e.message).toContain('data/calendar/cn-holidays.json');
    expect(e.message).toContain('/holidays/2024/1:');
  });
});

describe('pilot matching', () => {
  it('pilots without a rule of their own use price-time; the national market, CCER and SHCERCIR1 listed agreement', () => {
    const cat = loadCatalogue();
    const matching = Object.fromEntries(cat.markets.map((m) => [m.id, m.modes.listed.matching]));
    expect(matching).toMatchObject({
      national: 'best-n',
      guangdong: 'best-price',
      beijing: 'price-time',
      hubei: 'price-time',
    });
    for (const id of ['tianjin', 'shanghai', 'chongqing', 'shenzhen', 'fujian'])
      expect(matching[id], id).toBe('price-time');
  });
});
