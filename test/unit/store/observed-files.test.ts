import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SimCode, SimError } from '../../../src/sim/errors.ts';
import {
  loadObserved,
  type ObservedCheck,
  type ObservedOptions,
  parseObserved,
  scaledInteger,
  seriesField,
} from '../../../src/store/observed-files.ts';
import { ROOT_DIR } from '../../../src/store/scenario-files.ts';

const FIXTURES = join(ROOT_DIR, 'test/fixtures/observed');

/** The message of the SIM_ERR_REPLAY the parser throws; fails the test when it throws nothing or something else. */
function refusal(input: string | Uint8Array, options: ObservedOptions = {}, file = 'prices.csv'): string {
  try {
    parseObserved(file, input, options);
  } catch (e) {
    if (e instanceof SimError && e.code === SimCode.Replay) return e.message;
    throw e;
  }
  throw new Error('no error thrown');
}

const gbk = (text: string): Uint8Array => execFileSync('iconv', ['-f', 'UTF-8', '-t', 'GBK'], { input: text });

describe('exact numbers', () => {
  it('moves the decimal point by the unit, E notation and thousands separators included', () => {
    expect(scaledInteger('2.1023005325E8', 2)).toEqual({ ok: true, value: 21023005325 });
    expect(scaledInteger('51.23', 2)).toEqual({ ok: true, value: 5123 });
    expect(scaledInteger('51.2', 2)).toEqual({ ok: true, value: 5120 });
    expect(scaledInteger('51.230000', 2)).toEqual({ ok: true, value: 5123 });
    expect(scaledInteger('27.3456', 4)).toEqual({ ok: true, value: 273456 });
    expect(scaledInteger('1,234.5', 4)).toEqual({ ok: true, value: 12345000 });
    expect(scaledInteger('1.2345E5', 6)).toEqual({ ok: true, value: 123450000000 });
    expect(scaledInteger('5e-2', 2)).toEqual({ ok: true, value: 5 });
    expect(scaledInteger('0.00', 2)).toEqual({ ok: true, value: 0 });
    expect(scaledInteger('.5', 2)).toEqual({ ok: true, value: 50 });
    // 0.1 + 0.2 style drift cannot happen: 58.35 x 100 is 5835, not 5834.999...
    expect(scaledInteger('58.35', 2)).toEqual({ ok: true, value: 5835 });
    expect(scaledInteger('51.234', 2)).toEqual({ ok: false, why: 'fraction' });
    expect(scaledInteger('1.23456', 4)).toEqual({ ok: false, why: 'fraction' });
    expect(scaledInteger('-1', 0)).toEqual({ ok: false, why: 'negative' });
    expect(scaledInteger('1e20', 0)).toEqual({ ok: false, why: 'large' });
    for (const s of ['', 'abc', '1.2.3', '1,23', 'E5', '--1', '1e'])
      expect(scaledInteger(s, 2), s).toEqual({ ok: false, why: 'nan' });
  });
});

describe('series names', () => {
  it('maps a terminal series by its measure and trading mode', () => {
    expect(seriesField('中国:碳市场碳排放配额(CEA):收盘价')).toBe('close');
    expect(seriesField('收盘价:挂牌协议交易(CEA)')).toBe('close');
    expect(seriesField('收盘价：挂牌协议交易（CEA）')).toBe('close');
    expect(seriesField('开盘价:挂牌协议交易(CEA)')).toBe('open');
    expect(seriesField('最高价:挂牌协议交易(CEA)')).toBe('high');
    expect(seriesField('最低价:挂牌协议交易(CEA)')).toBe('low');
    expect(seriesField('成交量:挂牌协议交易(CEA)')).toBe('listedVolume');
    expect(seriesField('成交量:大宗协议交易(CEA)')).toBe('blockVolume');
    expect(seriesField('中国:碳市场碳排放配额(CEA):成交量')).toBe('volume');
    expect(seriesField('成交额:挂牌协议交易(CEA)')).toBe('listedTurnover');
    expect(seriesField('成交金额:大宗协议交易(CEA)')).toBe('blockTurnover');
    expect(seriesField('中国:碳市场碳排放配额(CEA):成交额')).toBe('turnover');
    for (const unused of [
      '成交均价:大宗协议交易(CEA)',
      '收盘价:大宗协议交易(CEA)',
      '中国:碳市场碳排放配额(CEA):涨跌幅',
      '累计成交量:碳市场(CEA)',
      '中国:碳排放权:持仓',
    ])
      expect(seriesField(unused), unused).toBeNull();
  });
});

describe('plain CSV', () => {
  it('reads every column in fen and tonnes, comments, CRLF and quoted cells included', () => {
    const f = parseObserved(
      'p.csv',
      '# made up\r\ndate,close,open,high,low,listed_volume_t,block_volume_t,listed_turnover_cny,block_turnover_cny\r\n' +
        '2024-07-01,90.40,90,91.5,89.99,100,"200",9040.00,18000.5\r\n' +
        '2024-07-02,91,,,,0,0,0,0\r\n',
    );
    expect(f.format).toBe('csv');
    expect(f.days).toEqual([
      {
        date: '2024-07-01',
        closeFen: 9040,
        openFen: 9000,
        highFen: 9150,
        lowFen: 8999,
        listedVolumeT: 100,
        blockVolumeT: 200,
        volumeT: 300,
        listedTurnoverFen: 904000,
        blockTurnoverFen: 1800050,
        turnoverFen: 2704050,
        line: 3,
      },
      {
        date: '2024-07-02',
        closeFen: 9100,
        listedVolumeT: 0,
        blockVolumeT: 0,
        volumeT: 0,
        listedTurnoverFen: 0,
        blockTurnoverFen: 0,
        turnoverFen: 0,
        line: 4,
      },
    ]);
    expect(f.skipped).toEqual([]);
  });

  it('keeps a total volume as given, and skips a day without a close, saying why', () => {
    const f = parseObserved(
      'p.csv',
      'date,close,volume,listed_volume_t\n2024-07-01,90.4,270000,1\n2024-07-02,,5,\n2024-07-03,,,\n',
    );
    expect(f.days).toEqual([{ date: '2024-07-01', closeFen: 9040, volumeT: 270000, listedVolumeT: 1, line: 2 }]);
    expect(f.skipped).toEqual([
      { date: '2024-07-02', line: 3, reason: 'no close (the row gives volume)' },
      { date: '2024-07-03', line: 4, reason: 'no values (no trading)' },
    ]);
  });

  it('checks a scenario period and its trading days when asked, skipping outside days on request', () => {
    const check: ObservedCheck = {
      from: '2024-07-01',
      to: '2024-07-31',
      isTradingDay: (d) => ![6, 0].includes(new Date(`${d}T00:00:00Z`).getUTCDay()),
    };
    const text = 'date,close\n2024-06-28,90\n2024-07-01,91\n';
    expect(refusal(text, { check })).toBe(
      "prices.csv: line 2: date: 2024-06-28 is outside the scenario's period 2024-07-01 to 2024-07-31",
    );
    const f = parseObserved('p.csv', text, { check, outside: 'skip' });
    expect(f.days.map((d) => d.date)).toEqual(['2024-07-01']);
    expect(f.skipped).toEqual([{ date: '2024-06-28', line: 2, reason: 'outside the period 2024-07-01 to 2024-07-31' }]);
    expect(refusal('date,close\n2024-07-06,90\n', { check })).toBe(
      'prices.csv: line 2: date: 2024-07-06 is not a trading day (weekend or exchange holiday)',
    );
  });

  it('refuses, naming the file, the line and the column', () => {
    expect(refusal('')).toBe('prices.csv: line 1: empty: the header date,close,volume and at least one row expected');
    expect(refusal('# only a comment\n\n')).toMatch(/^prices\.csv: line 2: empty/);
    expect(refusal('day,close\n')).toBe(
      'prices.csv: line 1: a header expected: "date,close,..." (plain CSV) or "指标名称,..." (a data-terminal export), got "day,close"',
    );
    expect(refusal('date,close,price\n')).toMatch(/^prices\.csv: line 1: column 3 "price": not a column of the format/);
    expect(refusal('date,close,volume,volume_t\n')).toBe('prices.csv: line 1: column 4 "volume_t": repeats column 3');
    expect(refusal('date,volume\n')).toMatch(/^prices\.csv: line 1: a close column expected/);
    expect(refusal('date,close\n')).toBe('prices.csv: line 1: no rows after the header: at least one day expected');
    expect(refusal('date,close\n2024-07-01,"90\n')).toBe(
      'prices.csv: line 2: a cell opens a double quote it does not close',
    );
    expect(refusal('date,close\n2024-07-01\n')).toBe('prices.csv: line 2: 2 fields (date,close) expected, got 1');
    for (const d of ['2024-7-1', '2024/07/01', '2024-02-30', 'x'])
      expect(refusal(`date,close\n${d},90\n`), d).toMatch(
        /^prices\.csv: line 2: date: a real date YYYY-MM-DD expected/,
      );
    expect(refusal('date,close\n2024-07-02,90\n2024-07-01,90\n')).toBe(
      'prices.csv: line 3: date: 2024-07-01 is not after 2024-07-02 (line 2): dates must be in order, each once',
    );
    expect(refusal('date,close\n2024-07-02,90\n2024-07-02,90\n')).toMatch(/line 3: date: .* in order, each once/);
    for (const c of ['0', '0.00', '-90', '90.123', 'abc', '9e1'])
      expect(refusal(`date,close\n2024-07-01,${c}\n`), c).toBe(
        `prices.csv: line 2: close: a price in CNY above zero with at most two decimals expected, got "${c}"`,
      );
    expect(refusal('date,close,high\n2024-07-01,90,9.999\n')).toBe(
      'prices.csv: line 2: high: an amount in CNY with at most two decimals expected, got "9.999"',
    );
    expect(refusal('date,close,turnover_cny\n2024-07-01,90,-1\n')).toMatch(/line 2: turnover_cny: an amount in CNY/);
    for (const v of ['-1', '1.5', '1e5', 'x'])
      expect(refusal(`date,close,block_volume_t\n2024-07-01,90,${v}\n`), v).toBe(
        `prices.csv: line 2: block_volume_t: whole tonnes expected, got "${v}"`,
      );
    expect(refusal('date,close,volume\n2024-07-01,90,\n', { blanks: 'refuse' })).toBe(
      'prices.csv: line 2: volume: whole tonnes expected, got ""',
    );
    expect(refusal('date,close,volume\n2024-07-01,,1\n2024-07-02,,\n')).toBe(
      'prices.csv: line 3: no day with a close: all 2 dated rows were skipped (no close (the row gives volume) ...)',
    );
  });
});

describe('data-terminal export', () => {
  it('reads the GBK fixture: three header rows, newest first, blank days, E notation, a source line', () => {
    const bytes = readFileSync(join(FIXTURES, 'terminal-gbk.csv'));
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow(); // really GBK
    const f = loadObserved(join(FIXTURES, 'terminal-gbk.csv'));
    expect([f.format, f.encoding]).toEqual(['terminal', 'gbk']);
    expect(f.columns.map((c) => [c.column, c.field, c.unit])).toEqual([
      [2, 'close', '元/吨'],
      [3, 'listedVolume', '吨'],
      [4, 'blockVolume', '吨'],
      [5, 'listedTurnover', '元'],
      [6, 'blockTurnover', '元'],
    ]);
    expect(f.days).toEqual([
      {
        date: '2021-07-16',
        closeFen: 5123,
        listedVolumeT: 4103953,
        blockVolumeT: 0,
        volumeT: 4103953,
        listedTurnoverFen: 21023005325,
        blockTurnoverFen: 0,
        turnoverFen: 21023005325,
        line: 11,
      },
      {
        date: '2021-07-19',
        closeFen: 5268,
        listedVolumeT: 1408800,
        blockVolumeT: 0,
        volumeT: 1408800,
        listedTurnoverFen: 7418310050,
        blockTurnoverFen: 0,
        turnoverFen: 7418310050,
        line: 8,
      },
      { date: '2021-07-22', closeFen: 5697, listedVolumeT: 1150000, listedTurnoverFen: 6551550000, line: 5 },
      { date: '2021-07-23', closeFen: 5550, listedVolumeT: 1251700, listedTurnoverFen: 6948437500, line: 4 },
    ]);
    expect(f.skipped).toEqual([
      { date: '2021-07-21', line: 6, reason: 'no values (no trading)' },
      {
        date: '2021-07-20',
        line: 7,
        reason: 'no close (the row gives 成交量:大宗协议交易(CEA), 成交额:大宗协议交易(CEA))',
      },
      { date: '2021-07-18', line: 9, reason: 'no values (no trading)' },
      { date: '2021-07-17', line: 10, reason: 'no values (no trading)' },
    ]);
  });

  it('reads the UTF-8 fixture: BOM, CRLF, quoted names, 万吨 and 万元, an extra header row, an unused series', () => {
    const f = loadObserved(join(FIXTURES, 'terminal-utf8.csv'));
    expect([f.format, f.encoding]).toEqual(['terminal', 'utf-8']);
    expect(f.columns.map((c) => [c.name, c.field, c.unit])).toEqual([
      ['中国:碳市场碳排放配额(CEA):收盘价', 'close', '元/吨'],
      ['中国:碳市场碳排放配额(CEA):成交量', 'volume', '万吨'],
      ['中国:碳市场碳排放配额(CEA):成交额', 'turnover', '万元'],
      ['中国:碳市场碳排放配额(CEA):涨跌幅', null, '%'],
    ]);
    expect(f.days).toEqual([
      { date: '2024-09-27', closeFen: 9508, volumeT: 273456, turnoverFen: 2600123400, line: 5 },
      { date: '2024-09-30', closeFen: 9948, volumeT: 12345000, turnoverFen: 123450000000, line: 8 },
    ]);
    expect(f.skipped.map((s) => s.date)).toEqual(['2024-09-28', '2024-09-29']);
  });

  it('decodes the same export in GBK and in UTF-8 to the same days', () => {
    const text = readFileSync(join(FIXTURES, 'terminal-utf8.csv'), 'utf8');
    const a = parseObserved('a.csv', gbk(text.replace(/^\uFEFF/, '')));
    const b = parseObserved('b.csv', text);
    expect(a.encoding).toBe('gbk');
    expect(a.days).toEqual(b.days);
  });

  const H = '指标名称,收盘价:挂牌协议交易(CEA),成交量:挂牌协议交易(CEA)\n频率,日,日\n单位,元/吨,吨\n';

  it("reads a tab-separated export, UTF-16 with its BOM, and the terminals' marks for no value", () => {
    const tsv = `${H.replaceAll(',', '\t')}2021/7/19\t52.68\t--\n2021/7/17\t--\t#N/A\n2021/7/16\t51.23\t—\n`;
    const bytes = new Uint8Array([0xff, 0xfe, ...Buffer.from(tsv, 'utf16le')]);
    const f = parseObserved('t.txt', bytes);
    expect(f.encoding).toBe('utf-16le');
    expect(f.days).toEqual([
      { date: '2021-07-16', closeFen: 5123, line: 6 },
      { date: '2021-07-19', closeFen: 5268, line: 4 },
    ]);
    expect(f.skipped).toEqual([{ date: '2021-07-17', line: 5, reason: 'no values (no trading)' }]);
    // A negative number is not such a mark.
    expect(refusal(`${H}2021/7/16,51,-5\n`)).toMatch(/a volume of at least zero expected in 吨, got "-5"/);
  });

  it('refuses what it cannot read, naming the file, the line and the column', () => {
    const r = (s: string, o: ObservedOptions = {}): string => refusal(gbk(s), o, 'wind.csv');
    const c2 = 'column 2 "收盘价:挂牌协议交易(CEA)"';
    const c3 = 'column 3 "成交量:挂牌协议交易(CEA)"';
    // The header H itself is fine: each refusal below comes from the one change it makes.
    expect(parseObserved('wind.csv', gbk(`${H}2021/7/16,51.23,100\n`)).days).toHaveLength(1);
    expect(r('指标名称,收盘价\n频率,日\n2021/7/16,51\n')).toBe(
      'wind.csv: line 3: the header rows 指标名称, 频率 and 单位 expected before the first date; 单位 is missing',
    );
    expect(r('指标名称,收盘价\n单位,元/吨\n2021/7/16,51\n')).toMatch(/; 频率 is missing$/);
    expect(r('指标名称,收盘价\n频率,日\n频率,日\n')).toBe(
      'wind.csv: line 3: column 1: a second 频率 row (the first is line 2)',
    );
    expect(r('指标名称,收盘价\n频率,日\n币种,人民币\n')).toMatch(
      /^wind\.csv: line 3: column 1: a header row \(频率, 单位, 指标ID.*\) or a date expected, got "币种"$/,
    );
    expect(r('指标名称,收盘价,收盘价:挂牌协议交易\n频率,日,日\n单位,元/吨,元/吨\n2021/7/16,1,1\n')).toBe(
      'wind.csv: line 1: column 3 "收盘价:挂牌协议交易": a second close series (the first is column 2 "收盘价"): keep one series per measure',
    );
    expect(r('指标名称,成交量,成交均价\n频率,日,日\n单位,吨,元/吨\n2021/7/16,1,1\n')).toBe(
      'wind.csv: line 1: no closing-price series (a name with 收盘价) among "成交量", "成交均价"',
    );
    expect(r('指标名称,收盘价:挂牌协议交易(CEA)\n频率,周\n单位,元/吨\n2021/7/16,51\n')).toBe(
      `wind.csv: line 2: ${c2}: a daily series expected (频率 日), got "周"`,
    );
    expect(r(H.replace('单位,元/吨,吨', '单位,元/吨,元'))).toBe(
      `wind.csv: line 3: ${c3}: the unit "元" cannot be a volume (吨, 万吨); known: 吨, t, 万吨`,
    );
    expect(r(H.replace('单位,元/吨,吨', '单位,美元/吨,吨'))).toMatch(
      /^wind\.csv: line 3: column 2 .*: the unit "美元\/吨" cannot be a price \(元\/吨\)/,
    );
    expect(r(H)).toBe('wind.csv: line 3: no dated rows after the header rows: at least one day expected');
    expect(r(`${H}2021/7/16,51.23,100\n2021/7/32,51,1\n`)).toBe(
      'wind.csv: line 5: column 1: a date like 2021/7/16 or a source line (数据来源) expected, got "2021/7/32"',
    );
    expect(r(`${H}2021/7/16,51.23,100\n合计,1,1\n`)).toMatch(
      /^wind\.csv: line 5: column 1: a date like .* got "合计"$/,
    );
    expect(r(`${H}2021/7/16,51.23,100\n数据来源：Wind\n2021/7/19,1,1\n`)).toBe(
      'wind.csv: line 6: column 1: a dated row after the source line 5: the data must come first',
    );
    expect(r(`${H}2021/7/16,51.23,100,7\n`)).toBe('wind.csv: line 4: column 4: a value beyond the 3 named columns');
    expect(r(`${H}2021/7/19,1,1\n2021/7/16,1,1\n2021/7/17,1,1\n`)).toBe(
      'wind.csv: line 6: column 1: 2021-07-17 is not before 2021-07-16 (line 5): dates must be in order (newest first here), each once',
    );
    expect(r(`${H}2021/7/16,1,1\n2021/7/16,1,1\n`)).toMatch(/line 5: column 1: 2021-07-16 is not after 2021-07-16/);
    expect(r(`${H}2021/7/16,abc,1\n`)).toBe(`wind.csv: line 4: ${c2}: a price expected in 元/吨, got "abc"`);
    expect(r(`${H}2021/7/16,51.234,1\n`)).toBe(
      `wind.csv: line 4: ${c2}: a price to at most a fen (0.01 CNY) expected in 元/吨, got "51.234"`,
    );
    expect(r(`${H}2021/7/16,0,1\n`)).toBe(`wind.csv: line 4: ${c2}: a close above zero expected, got "0"`);
    expect(r(`${H}2021/7/16,51,-1\n`)).toBe(
      `wind.csv: line 4: ${c3}: a volume of at least zero expected in 吨, got "-1"`,
    );
    expect(r(`${H}2021/7/16,51,1.5\n`)).toBe(`wind.csv: line 4: ${c3}: whole tonnes expected in 吨, got "1.5"`);
    expect(r(`${H}2021/7/16,51,1E17\n`)).toMatch(/line 4: column 3 .*: a volume below 9e15 t expected/);
    expect(r(`${H}2021/7/17,,\n2021/7/16,,\n数据来源：Wind\n`)).toBe(
      'wind.csv: line 5: no day with a close: all 2 dated rows were skipped (no values (no trading) ...)',
    );
  });

  it('refuses a workbook, bytes that are neither UTF-8 nor GBK, and a missing file', () => {
    expect(refusal(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 0]), {}, 'w.xlsx')).toBe(
      'w.xlsx: an Excel workbook, not a CSV file: open it and save it as CSV (UTF-8 or GBK), then read that',
    );
    expect(refusal(new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1]), {}, 'w.xls')).toMatch(/^w\.xls: an Excel workbook/);
    expect(refusal(new Uint8Array([0x64, 0x61, 0x81, 0x20, 0xff]), {}, 'x.csv')).toBe(
      'x.csv: neither UTF-8 nor GBK text: save the file as CSV in one of them',
    );
    expect(() => loadObserved(join(FIXTURES, 'no-such-file.csv'))).toThrow(
      /no-such-file\.csv: a readable file expected/,
    );
  });
});
