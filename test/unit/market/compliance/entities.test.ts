import { describe, expect, it } from 'vitest';
import { type CoveredEntity, coveredIn, EntityRegistry } from '../../../../src/market/compliance/index.ts';

const base: CoveredEntity = {
  id: 'power-0001',
  name: 'Huaneng Example Power',
  sector: 'power',
  marketId: 'national',
  accountId: 101,
  coveredFrom: 2019,
  coveredUntil: null,
  outputs: { 2023: 1_000_000 },
  verifiedT: { 2023: 850_000 },
};

const codeOf = (r: { ok: boolean; code?: string }): string => (r.ok ? 'accepted' : (r.code ?? ''));

describe('entity registry', () => {
  it('given an empty registry, when an entity is added, then it is found by id and by account, frozen', () => {
    const reg = new EntityRegistry();
    const r = reg.add(base);
    expect(r.ok).toBe(true);
    expect(reg.get('power-0001')?.name).toBe('Huaneng Example Power');
    expect(reg.ofAccount('national', 101)?.id).toBe('power-0001');
    expect(Object.isFrozen(reg.get('power-0001'))).toBe(true);
    expect(Object.isFrozen(reg.get('power-0001')?.verifiedT)).toBe(true);
    expect(reg.list('national').map((e) => e.id)).toEqual(['power-0001']);
    expect(reg.list('shanghai')).toEqual([]);
  });

  it('given a registered id, when the same id is added again, then MKT_ERR_DUPLICATE_ID', () => {
    const reg = new EntityRegistry();
    reg.add(base);
    expect(codeOf(reg.add({ ...base, accountId: 102 }))).toBe('MKT_ERR_DUPLICATE_ID');
  });

  it('given an account serving an entity, when another entity of the same market claims it, then MKT_ERR_DUPLICATE_ID; another market may use the number', () => {
    const reg = new EntityRegistry();
    reg.add(base);
    expect(codeOf(reg.add({ ...base, id: 'power-0002' }))).toBe('MKT_ERR_DUPLICATE_ID');
    expect(codeOf(reg.add({ ...base, id: 'sh-0001', marketId: 'shanghai' }))).toBe('accepted');
  });

  it.each([
    ['an empty id', { id: '' }],
    ['an empty sector', { sector: ' ' }],
    ['account 0', { accountId: 0 }],
    ['a fractional account', { accountId: 1.5 }],
    ['a year out of range', { coveredFrom: 1999 }],
    ['coveredUntil before coveredFrom', { coveredUntil: 2018 }],
    ['negative verified emissions', { verifiedT: { 2023: -1 } }],
    ['fractional output', { outputs: { 2023: 10.5 } }],
    ['a non-year key', { verifiedT: { 99: 5 } }],
  ])('given %s, when added, then MKT_ERR_BAD_INPUT and nothing registered', (_what, patch) => {
    const reg = new EntityRegistry();
    expect(codeOf(reg.add({ ...base, ...patch }))).toBe('MKT_ERR_BAD_INPUT');
    expect(reg.list()).toEqual([]);
  });

  it('given no such entity, when it is looked up or updated, then MKT_ERR_UNKNOWN_ENTITY', () => {
    const reg = new EntityRegistry();
    expect(codeOf(reg.find('nobody'))).toBe('MKT_ERR_UNKNOWN_ENTITY');
    expect(codeOf(reg.recordVerified('nobody', 2024, 1))).toBe('MKT_ERR_UNKNOWN_ENTITY');
    expect(reg.get('nobody')).toBeNull();
  });

  it('given an entity, when 2024 output and verification are recorded, then it is replaced; a second verification of a year is refused', () => {
    const reg = new EntityRegistry();
    reg.add(base);
    expect(codeOf(reg.recordOutput('power-0001', 2024, 1_100_000))).toBe('accepted');
    expect(codeOf(reg.recordVerified('power-0001', 2024, 900_000))).toBe('accepted');
    expect(reg.get('power-0001')?.verifiedT[2024]).toBe(900_000);
    expect(reg.get('power-0001')?.outputs[2024]).toBe(1_100_000);
    expect(codeOf(reg.recordVerified('power-0001', 2024, 1))).toBe('MKT_ERR_DUPLICATE_ID');
    expect(codeOf(reg.recordVerified('power-0001', 2024.5, 1))).toBe('MKT_ERR_BAD_INPUT');
    expect(codeOf(reg.recordOutput('power-0001', 2025, -3))).toBe('MKT_ERR_BAD_INPUT');
    expect(reg.get('power-0001')?.verifiedT[2024]).toBe(900_000);
  });

  it('given coverage 2019-2023, then 2023 is covered and 2024 is not', () => {
    const e = { ...base, coveredUntil: 2023 };
    expect(coveredIn(e, 2019)).toBe(true);
    expect(coveredIn(e, 2023)).toBe(true);
    expect(coveredIn(e, 2024)).toBe(false);
    expect(coveredIn(e, 2018)).toBe(false);
  });
});
