// Shared givens for the compliance tests: the national entry read from disk, inline clones for other markets,
// a world (ledger + entities + context), and an assertion that a rejection changed nothing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { parseMarketSpec } from '../../../../src/market/catalogue/parse.ts';
import type { MarketSpec } from '../../../../src/market/catalogue/schema.ts';
import {
  type AllocationPlan,
  type ComplianceContext,
  type CoveredEntity,
  EntityRegistry,
  openCompliance,
} from '../../../../src/market/compliance/index.ts';
import type { Result } from '../../../../src/market/errors.ts';
import { Ledger, type Transfer } from '../../../../src/market/ledger.ts';
import { addDays, tsOf } from '../../../../src/market/time.ts';

const NATIONAL_FILE = join(import.meta.dirname, '../../../../data/markets/national.json');

/** data/markets/national.json, parsed and validated as at start-up. */
export function nationalSpec(): MarketSpec {
  return parseMarketSpec('data/markets/national.json', JSON.parse(readFileSync(NATIONAL_FILE, 'utf8')));
}

/** A clone of the national entry edited by `edit`, validated again. */
export function editedSpec(edit: (json: MarketSpec) => void): MarketSpec {
  const json = JSON.parse(readFileSync(NATIONAL_FILE, 'utf8')) as MarketSpec;
  edit(json);
  return parseMarketSpec(`national.json edited for ${json.id}`, json);
}

/** A Shanghai-like pilot (ICAP Shanghai pilot factsheet): 2023 deadline 2024-09-30, offsets <= 5% of allocation, SHCERCIR1 from 2024-09-13. */
export function shanghaiSpec(): MarketSpec {
  return editedSpec((j) => {
    j.id = 'shanghai';
    j.kind = 'pilot';
    j.instruments = [2023, 2024].map((y) => ({
      id: `SHEA-${y % 100}`,
      name: `上海碳排放配额${y}`,
      kind: 'allowance' as const,
      vintageYears: [y],
      registeredFrom: null,
      registeredBefore: null,
      listedFrom: `${y + 1}-01-02`,
    }));
    j.offsets = {
      capBps: 500,
      capBasis: 'allocation',
      localMinBps: 0,
      usable: [
        { instrument: 'CCER-LEGACY', usableFrom: null, usableUntil: null, local: false },
        { instrument: 'CCER', usableFrom: null, usableUntil: null, local: false },
        { instrument: 'SHCERCIR1', usableFrom: '2024-09-13', usableUntil: null, local: true },
      ],
    };
    const c = j.compliance!;
    c.cycles = [
      { id: '2023', years: [2023], deadline: '2024-09-30', borrowing: false, obligationCapBpsOfVerified: null },
      { id: '2024', years: [2024], deadline: '2025-09-30', borrowing: false, obligationCapBpsOfVerified: null },
    ];
    c.banking = null;
  });
}

/** Benchmarks in micro-tonnes per unit (power: per MWh). Cement, steel, aluminium start in 2024 at verified emissions. */
export const PLAN: AllocationPlan = {
  benchmarksUt: {
    power: { 2019: 750_000, 2020: 750_000, 2021: 800_000, 2022: 800_000, 2023: 821_800, 2024: 821_800, 2025: 800_000 },
    cement: { 2025: 850_000 },
  },
  firstYearSectors: { cement: 2024, steel: 2024, aluminium: 2024 },
};

export interface World {
  readonly spec: MarketSpec;
  readonly ledger: Ledger;
  readonly entities: EntityRegistry;
  readonly ctx: ComplianceContext;
}

export function world(
  spec: MarketSpec = nationalSpec(),
  ledger = new Ledger(),
  entities = new EntityRegistry(),
): World {
  const ctx = openCompliance(spec, ledger, entities);
  if (!ctx.ok) throw new Error(ctx.message);
  return { spec, ledger, entities, ctx: ctx.value };
}

let nextAccount = 100;

/** Registers a covered entity (power, covered from 2019 unless told) and opens its ledger account. */
export function entity(w: World, e: Partial<CoveredEntity> & { id: string }): CoveredEntity {
  const full: CoveredEntity = {
    name: `${e.id} Co., Ltd.`,
    sector: 'power',
    marketId: w.spec.id,
    accountId: nextAccount++,
    coveredFrom: 2019,
    coveredUntil: null,
    outputs: {},
    verifiedT: {},
    ...e,
  };
  if (!w.ledger.has(full.accountId)) w.ledger.open(full.accountId, 'entity');
  return must(w.entities.add(full));
}

export function must<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
  return r.value;
}

/** Gives tonnes straight through the ledger (a given, not the rule under test). */
export function give(w: World, e: CoveredEntity, instrumentId: string, qtyT: number, date = '2024-01-02'): void {
  const bad = w.ledger.allocate(tsOf(date, '09:00'), e.accountId, instrumentId, qtyT, 'given');
  if (bad !== null) throw new Error(bad.message);
}

/** A settled allowance sale (counts in net sales), at 90.00 CNY. */
export function sell(
  w: World,
  sellerId: number,
  buyerId: number,
  instrumentId: string,
  qtyT: number,
  date: string,
): void {
  const valueFen = qtyT * 9000;
  const dep = w.ledger.deposit(tsOf(date, '09:00'), buyerId, valueFen, 'given');
  if (dep !== null) throw new Error(dep.message);
  const t: Transfer = {
    tsMs: tsOf(date, '10:00'),
    buyerId,
    sellerId,
    instrumentId,
    qtyT,
    valueFen,
    buyerFeeFen: 0,
    sellerFeeFen: 0,
    buyerReservedUseFen: 0,
    sellerReservedUseT: 0,
    lockDays: 1,
    countFlows: true,
    ref: 'trade',
  };
  const bad = w.ledger.transfer(t);
  if (bad !== null) throw new Error(bad.message);
  w.ledger.rollDay(addDays(date, 1));
}

function snapshot(w: World): string {
  const t = w.ledger.totals();
  return JSON.stringify({
    records: w.ledger.records(),
    cashFen: t.cashFen,
    qtyT: [...t.qtyT].sort(),
    holdings: w.ledger.accountIds().map((id) => [id, w.ledger.holdings(id)]),
  });
}

/** when `act` runs, then it is rejected with `code` and the ledger (totals, records, holdings) is unchanged. */
export function expectRejected<T>(w: World, act: () => Result<T>, code: string): string {
  const before = snapshot(w);
  const r = act();
  expect(r.ok ? 'accepted' : r.code).toBe(code);
  expect(snapshot(w)).toBe(before);
  expect(w.ledger.checkConservation()).toBeNull();
  return r.ok ? '' : r.message;
}
