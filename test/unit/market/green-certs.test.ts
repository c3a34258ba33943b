import { afterEach, describe, expect, it } from 'vitest';
import { ProjectRegistry } from '../../../src/market/green-certs.ts';
import { Ledger } from '../../../src/market/ledger.ts';
import { tsOf } from '../../../src/market/time.ts';

const OWNER = 1;
const CCER = 'CCER';
const T0 = tsOf('2024-09-02', '09:00');
const T1 = tsOf('2024-10-15', '09:00');
const EF = 581; // grid emission factor, g CO2 per kWh (= kg per MWh)

let ledger: Ledger;

afterEach(() => {
  expect(ledger.checkConservation()).toBeNull();
});

function snapshot(l: Ledger, reg: ProjectRegistry): string {
  const t = l.totals();
  return JSON.stringify({
    cash: t.cashFen,
    qty: [...t.qtyT].sort(),
    accounts: l.accountIds().map((id) => [l.account(id), l.holdings(id)]),
    records: l.records(),
    project: reg.project('WF-1'),
    issuances: reg.issuances(),
  });
}

/** Given: an offshore wind farm owned by account 1 that generated 10,000 MWh in July 2024. */
function given() {
  ledger = new Ledger();
  ledger.open(OWNER, 'entity');
  const reg = new ProjectRegistry(ledger);
  expect(reg.registerProject({ projectId: 'WF-1', ownerAccountId: OWNER, kind: 'wind' }).ok).toBe(true);
  expect(reg.recordGeneration('WF-1', '2024-07', 10_000).ok).toBe(true);
  return reg;
}

describe('green certificates or CCER, never both', () => {
  it('GECs traded block CCER for those MWh; frozen GECs are cancelled when reductions are registered', () => {
    const reg = given();
    expect(reg.issueGec('WF-1', '2024-07', 10_000)).toMatchObject({ ok: true, value: { unclaimedMwh: 0 } });
    expect(reg.sellGec('WF-1', '2024-07', 3_000)).toMatchObject({ ok: true, value: { gecUntradedMwh: 7_000 } });
    expect(reg.chooseCcer('WF-1', T0)).toMatchObject({ ok: true, value: { ccerChosenTs: T0 } });

    let before = snapshot(ledger, reg);
    // Frozen: the 7,000 untraded certificates can no longer be sold.
    expect(reg.sellGec('WF-1', '2024-07', 1)).toMatchObject({ code: 'MKT_ERR_DOUBLE_CLAIM' });
    // 3,000 MWh had GECs traded: at most 7,000 MWh can become CCER.
    expect(reg.registerCcerReductions('WF-1', '2024-07', 7_001, EF, T1, CCER)).toMatchObject({
      code: 'MKT_ERR_DOUBLE_CLAIM',
    });
    expect(snapshot(ledger, reg)).toBe(before);

    // 7,000 MWh x 581 kg/MWh = 4,067,000 kg = 4,067 t.
    const r = reg.registerCcerReductions('WF-1', '2024-07', 7_000, EF, T1, CCER);
    expect(r).toMatchObject({
      ok: true,
      value: {
        seq: 1,
        mwh: 7_000,
        qtyT: 4_067,
        gecCancelledMwh: 7_000,
        instrumentId: CCER,
        ref: 'ccer:WF-1:2024-07:1',
      },
    });
    expect(ledger.holding(OWNER, CCER).totalT).toBe(4_067);
    expect(ledger.records().at(-1)).toMatchObject({
      kind: 'issuance',
      accountId: OWNER,
      instrumentId: CCER,
      qtyT: 4_067,
      tsMs: T1,
      ref: 'ccer:WF-1:2024-07:1',
    });
    expect(reg.project('WF-1')!.periods).toEqual([
      {
        period: '2024-07',
        generatedMwh: 10_000,
        gecIssuedMwh: 10_000,
        gecTradedMwh: 3_000,
        gecCancelledMwh: 7_000,
        gecUntradedMwh: 0,
        ccerMwh: 7_000,
        unclaimedMwh: 0,
      },
    ]);

    // The other direction: those MWh are CCER now, so no GEC can be issued for them.
    before = snapshot(ledger, reg);
    expect(reg.issueGec('WF-1', '2024-07', 1)).toMatchObject({ code: 'MKT_ERR_DOUBLE_CLAIM' });
    expect(reg.registerCcerReductions('WF-1', '2024-07', 1, EF, T1, CCER)).toMatchObject({
      code: 'MKT_ERR_DOUBLE_CLAIM',
    });
    expect(snapshot(ledger, reg)).toBe(before);
  });

  it('CCER first: issued tonnes round down; GECs are refused for the registered MWh and born frozen for the rest', () => {
    const reg = given();
    reg.recordGeneration('WF-1', '2024-08', 600);
    reg.recordGeneration('WF-1', '2024-08', 400); // readings add up: 1,000 MWh
    reg.chooseCcer('WF-1', T0);
    // 500 MWh x 581 = 290,500 kg -> 290 t (rounded down).
    const r = reg.registerCcerReductions('WF-1', '2024-08', 500, EF, T1, CCER);
    expect(r).toMatchObject({ ok: true, value: { qtyT: 290, gecCancelledMwh: 0 } });

    const before = snapshot(ledger, reg);
    expect(reg.issueGec('WF-1', '2024-08', 501)).toMatchObject({ code: 'MKT_ERR_DOUBLE_CLAIM' });
    expect(snapshot(ledger, reg)).toBe(before);
    expect(reg.issueGec('WF-1', '2024-08', 500)).toMatchObject({ ok: true, value: { unclaimedMwh: 0 } });
    expect(reg.sellGec('WF-1', '2024-08', 100)).toMatchObject({ code: 'MKT_ERR_DOUBLE_CLAIM' });
    // Registering the rest cancels those frozen certificates.
    const s = reg.registerCcerReductions('WF-1', '2024-08', 500, EF, T1, CCER);
    expect(s).toMatchObject({ ok: true, value: { seq: 2, qtyT: 290, gecCancelledMwh: 500 } });
    expect(reg.issuances('WF-1').map((x) => x.qtyT)).toEqual([290, 290]);
    expect(ledger.holding(OWNER, CCER).totalT).toBe(580);
    // Choosing again changes nothing.
    expect(reg.chooseCcer('WF-1', T1)).toMatchObject({ ok: true, value: { ccerChosenTs: T0 } });
  });

  it('a GEC cannot be issued twice for the same MWh', () => {
    const reg = given();
    reg.issueGec('WF-1', '2024-07', 6_000);
    const before = snapshot(ledger, reg);
    expect(reg.issueGec('WF-1', '2024-07', 4_001)).toMatchObject({ code: 'MKT_ERR_DOUBLE_CLAIM' });
    expect(snapshot(ledger, reg)).toBe(before);
    expect(reg.issueGec('WF-1', '2024-07', 4_000).ok).toBe(true);
  });

  it('refuses bad input and unknown projects, changing nothing', () => {
    const reg = given();
    reg.issueGec('WF-1', '2024-07', 100);
    const before = snapshot(ledger, reg);
    const reject = (r: { ok: boolean; code?: string }) => (r.ok ? 'ok' : r.code);
    expect(reject(reg.registerProject({ projectId: 'WF-1', ownerAccountId: OWNER, kind: 'wind' }))).toBe(
      'MKT_ERR_DUPLICATE_ID',
    );
    expect(reject(reg.registerProject({ projectId: 'PV-1', ownerAccountId: 99, kind: 'solar' }))).toBe(
      'MKT_ERR_UNKNOWN_ACCOUNT',
    );
    expect(reject(reg.recordGeneration('PV-9', '2024-07', 1))).toBe('MKT_ERR_UNKNOWN_PROJECT');
    expect(reject(reg.recordGeneration('WF-1', '2024-13', 1))).toBe('MKT_ERR_BAD_INPUT');
    expect(reject(reg.recordGeneration('WF-1', '2024-07', 0))).toBe('MKT_ERR_BAD_INPUT');
    expect(reject(reg.issueGec('WF-1', '2024-09', 1))).toBe('MKT_ERR_BAD_INPUT'); // nothing generated
    expect(reject(reg.issueGec('WF-1', '2024-07', 10_001))).toBe('MKT_ERR_BAD_INPUT'); // more than generated
    expect(reject(reg.sellGec('WF-1', '2024-07', 101))).toBe('MKT_ERR_BAD_INPUT');
    expect(reject(reg.chooseCcer('PV-9', T0))).toBe('MKT_ERR_UNKNOWN_PROJECT');
    // Reductions before choosing CCER are not eligible.
    expect(reject(reg.registerCcerReductions('WF-1', '2024-07', 100, EF, T1, CCER))).toBe('MKT_ERR_NOT_ELIGIBLE');
    expect(snapshot(ledger, reg)).toBe(before);

    reg.chooseCcer('WF-1', T0);
    const chosen = snapshot(ledger, reg);
    expect(reject(reg.registerCcerReductions('WF-1', '2024-07', 1, EF, T1, CCER))).toBe('MKT_ERR_BAD_INPUT'); // < 1 t
    expect(reject(reg.registerCcerReductions('WF-1', '2024-07', 100, 0, T1, CCER))).toBe('MKT_ERR_BAD_INPUT');
    expect(reject(reg.registerCcerReductions('WF-1', '2024-07', 100, EF, T1, ''))).toBe('MKT_ERR_BAD_INPUT');
    expect(reject(reg.registerCcerReductions('WF-1', '2024-07', 10_001, EF, T1, CCER))).toBe('MKT_ERR_BAD_INPUT');
    expect(snapshot(ledger, reg)).toBe(chosen);
    expect(reg.issuances()).toEqual([]);
  });
});
