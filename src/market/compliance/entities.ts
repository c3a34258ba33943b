// Covered entities (重点排放单位): the firms a market obliges to surrender allowances. Each has one ledger account in
// its market, a sector (its benchmark and first compliance year come from the allocation plan), the years it is
// covered, and per year its output (in the sector's unit: MWh, t clinker, t crude steel ...) and its verified
// emissions in tonnes CO2e. Entities are frozen; recording a new year's output or verification replaces the
// entity with a new frozen value.

import { ok, type Result, reject } from '../errors.ts';

export interface CoveredEntity {
  /** Stable id, e.g. 'power-0001'. */
  readonly id: string;
  readonly name: string;
  /** 'power', 'cement', 'steel', 'aluminium', ... (keys of the allocation plan). */
  readonly sector: string;
  readonly marketId: string;
  /** The entity's ledger account in its market. */
  readonly accountId: number;
  /** First emission year the entity is covered for. */
  readonly coveredFrom: number;
  /** Last emission year it is covered for (null: still covered), e.g. when it moves from a pilot to the national market. */
  readonly coveredUntil: number | null;
  /** Output per year, whole units of the sector's output. */
  readonly outputs: Readonly<Record<number, number>>;
  /** Verified emissions per year, whole tonnes CO2e. */
  readonly verifiedT: Readonly<Record<number, number>>;
}

const MIN_YEAR = 2005;
const MAX_YEAR = 2100;
const isYear = (y: number): boolean => Number.isInteger(y) && y >= MIN_YEAR && y <= MAX_YEAR;
const isWhole = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isText = (v: unknown): v is string => typeof v === 'string' && v.trim().length > 0;

/** Is the entity covered in this emission year? */
export function coveredIn(e: CoveredEntity, year: number): boolean {
  return year >= e.coveredFrom && (e.coveredUntil === null || year <= e.coveredUntil);
}

function checkYearly(e: CoveredEntity, field: 'outputs' | 'verifiedT', unit: string): string | null {
  const rec: unknown = e[field];
  if (rec === null || typeof rec !== 'object') return `${field} must be an object of year -> ${unit}`;
  // Own enumerable keys in Object.entries' order, without its array per entry (a run registers thousands).
  for (const y in rec) {
    if (!Object.hasOwn(rec, y)) continue;
    const v: unknown = (rec as Record<string, unknown>)[y];
    if (!isYear(Number(y))) return `${field}: '${y}' is not a year ${MIN_YEAR}-${MAX_YEAR}`;
    if (!isWhole(v)) return `${field}[${y}] = ${String(v)} is not a whole, non-negative number of ${unit}`;
  }
  return null;
}

function checkEntity(e: CoveredEntity): string | null {
  if (!isText(e.id)) return 'the entity id must be a non-empty string';
  if (!isText(e.name)) return `entity ${e.id}: name must be a non-empty string`;
  if (!isText(e.sector)) return `entity ${e.id}: sector must be a non-empty string`;
  if (!isText(e.marketId)) return `entity ${e.id}: marketId must be a non-empty string`;
  if (!Number.isSafeInteger(e.accountId) || e.accountId <= 0)
    return `entity ${e.id}: accountId ${e.accountId} is not a positive whole number`;
  if (!isYear(e.coveredFrom)) return `entity ${e.id}: coveredFrom ${e.coveredFrom} is not a year`;
  if (e.coveredUntil !== null && (!isYear(e.coveredUntil) || e.coveredUntil < e.coveredFrom))
    return `entity ${e.id}: coveredUntil ${e.coveredUntil} must be a year not before coveredFrom ${e.coveredFrom}`;
  const bad = checkYearly(e, 'outputs', 'output units') ?? checkYearly(e, 'verifiedT', 'tonnes');
  return bad === null ? null : `entity ${e.id}: ${bad}`;
}

/** A yearly record the entity can keep: the record itself when frozen already (it cannot change), else a frozen copy. */
function frozenRecord(rec: Readonly<Record<number, number>>): Readonly<Record<number, number>> {
  return Object.isFrozen(rec) ? rec : Object.freeze({ ...rec });
}

function freeze(e: CoveredEntity): CoveredEntity {
  return Object.freeze({ ...e, outputs: frozenRecord(e.outputs), verifiedT: frozenRecord(e.verifiedT) });
}

/** All covered entities, of every market; ids are unique, and an account serves one entity per market. */
export class EntityRegistry {
  private readonly byId = new Map<string, CoveredEntity>();
  private readonly byAccount = new Map<string, string>();

  add(entity: CoveredEntity): Result<CoveredEntity> {
    const bad = checkEntity(entity);
    if (bad !== null) return reject('BadInput', bad);
    if (this.byId.has(entity.id)) return reject('DuplicateId', `entity ${entity.id} is already registered`);
    const acc = `${entity.marketId}/${entity.accountId}`;
    const other = this.byAccount.get(acc);
    if (other !== undefined)
      return reject(
        'DuplicateId',
        `account ${entity.accountId} in market ${entity.marketId} already belongs to entity ${other} (one account per entity)`,
      );
    const e = freeze(entity);
    this.byId.set(e.id, e);
    this.byAccount.set(acc, e.id);
    return ok(e);
  }

  get(entityId: string): CoveredEntity | null {
    return this.byId.get(entityId) ?? null;
  }

  find(entityId: string): Result<CoveredEntity> {
    const e = this.byId.get(entityId);
    return e === undefined ? reject('UnknownEntity', `there is no covered entity ${entityId}`) : ok(e);
  }

  ofAccount(marketId: string, accountId: number): CoveredEntity | null {
    const id = this.byAccount.get(`${marketId}/${accountId}`);
    return id === undefined ? null : (this.byId.get(id) ?? null);
  }

  /** Entities sorted by id, optionally of one market. */
  list(marketId?: string): CoveredEntity[] {
    return [...this.byId.values()]
      .filter((e) => marketId === undefined || e.marketId === marketId)
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Records a year's output. A year already recorded is refused (figures are corrected by the regulator, not here). */
  recordOutput(entityId: string, year: number, units: number): Result<CoveredEntity> {
    return this.recordYearly(entityId, 'outputs', year, units, 'output units');
  }

  /** Records a year's verified emissions (about 30 June of the next year). A year already verified is refused. */
  recordVerified(entityId: string, year: number, tonnes: number): Result<CoveredEntity> {
    return this.recordYearly(entityId, 'verifiedT', year, tonnes, 'tonnes');
  }

  private recordYearly(
    entityId: string,
    field: 'outputs' | 'verifiedT',
    year: number,
    value: number,
    unit: string,
  ): Result<CoveredEntity> {
    const e = this.byId.get(entityId);
    if (e === undefined) return reject('UnknownEntity', `there is no covered entity ${entityId}`);
    if (!isYear(year)) return reject('BadInput', `${year} is not a year ${MIN_YEAR}-${MAX_YEAR}`);
    if (!isWhole(value)) return reject('BadInput', `${value} is not a whole, non-negative number of ${unit}`);
    if (e[field][year] !== undefined)
      return reject('DuplicateId', `entity ${entityId}: ${field} for ${year} is already recorded (${e[field][year]})`);
    const next = freeze({ ...e, [field]: { ...e[field], [year]: value } });
    this.byId.set(entityId, next);
    return ok(next);
  }
}
