// Green electricity certificates (GEC, 绿证; 1 certificate = 1 MWh) versus CCER for renewable projects. Each MWh
// of a project's generation may back a GEC or a CCER reduction, never both.
//
// - GECs are kept here as counts per project and month ('YYYY-MM'): issued, traded, cancelled. Their own market
//   (buyers, prices, the certificate registry) is out of scope: sellGec only marks certificates as traded, which
//   is what makes those MWh unusable for CCER. GECs never enter the ledger.
// - chooseCcer is a one-way choice: from that command on, the project's untraded GECs are frozen (cannot be sold).
//   GECs may still be issued for unclaimed MWh afterwards (China issues them for all renewable generation); they
//   are born frozen.
// - registerCcerReductions claims mwh of one month for CCER. Rejected with MKT_ERR_DOUBLE_CLAIM when the month
//   does not have that many MWh left that are neither traded as GEC nor already registered as CCER. Frozen GECs
//   are cancelled first (the MWh that carry certificates are the ones registered), then unclaimed MWh are used.
//   Credits: tonnes = floor(mwh x emission factor g/kWh / 1000) (1 MWh x 1 g/kWh = 1 kg), issued to the owner
//   through ledger.issue; each issuance is kept (issuances()).
// - issueGec for MWh already claimed (by a GEC or by CCER) is a double claim too.
// Every rejection changes nothing, here and in the ledger.

import { ok, type Rejection, type Result, reject } from './errors.ts';
import type { Ledger } from './ledger.ts';

export type ProjectKind = 'wind' | 'solar' | 'solar-thermal' | 'hydro' | 'biomass' | 'other';
const KINDS: readonly string[] = ['wind', 'solar', 'solar-thermal', 'hydro', 'biomass', 'other'];

export interface RegisterProjectCmd {
  readonly projectId: string;
  readonly ownerAccountId: number;
  readonly kind: ProjectKind;
}

export interface PeriodView {
  readonly period: string;
  readonly generatedMwh: number;
  /** All GECs ever issued for this month (traded, untraded and cancelled). */
  readonly gecIssuedMwh: number;
  readonly gecTradedMwh: number;
  readonly gecCancelledMwh: number;
  /** Issued, not traded, not cancelled. Frozen when the project has chosen CCER. */
  readonly gecUntradedMwh: number;
  readonly ccerMwh: number;
  /** Claimed by neither a live GEC nor CCER. */
  readonly unclaimedMwh: number;
}

export interface ProjectView {
  readonly projectId: string;
  readonly ownerAccountId: number;
  readonly kind: ProjectKind;
  /** When the project chose CCER; null while it has not. */
  readonly ccerChosenTs: number | null;
  readonly periods: readonly PeriodView[];
}

export interface CcerIssuance {
  readonly seq: number;
  readonly tsMs: number;
  readonly projectId: string;
  readonly period: string;
  readonly mwh: number;
  readonly efGPerKwh: number;
  readonly instrumentId: string;
  readonly qtyT: number;
  /** Frozen GECs cancelled by this registration. */
  readonly gecCancelledMwh: number;
  /** The ledger record's ref. */
  readonly ref: string;
}

interface Period {
  generatedMwh: number;
  gecIssuedMwh: number;
  gecTradedMwh: number;
  gecCancelledMwh: number;
  ccerMwh: number;
}

interface Project {
  readonly projectId: string;
  readonly ownerAccountId: number;
  readonly kind: ProjectKind;
  ccerChosenTs: number | null;
  readonly periods: Map<string, Period>;
}

const PERIOD_RE = /^\d{4}-(0[1-9]|1[0-2])$/;
const isPos = (v: number): boolean => Number.isSafeInteger(v) && v > 0;
const untraded = (p: Period): number => p.gecIssuedMwh - p.gecTradedMwh - p.gecCancelledMwh;
const unclaimed = (p: Period): number => p.generatedMwh - (p.gecIssuedMwh - p.gecCancelledMwh) - p.ccerMwh;

export class ProjectRegistry {
  private readonly ledger: Ledger;
  private readonly projects = new Map<string, Project>();
  private readonly log: CcerIssuance[] = [];

  constructor(ledger: Ledger) {
    this.ledger = ledger;
  }

  registerProject(cmd: RegisterProjectCmd): Result<ProjectView> {
    if (typeof cmd.projectId !== 'string' || cmd.projectId === '') return reject('BadInput', 'project id is empty');
    if (this.projects.has(cmd.projectId)) return reject('DuplicateId', `project ${cmd.projectId} already exists`);
    if (!this.ledger.has(cmd.ownerAccountId))
      return reject('UnknownAccount', `there is no account ${cmd.ownerAccountId}`);
    if (!KINDS.includes(cmd.kind)) return reject('BadInput', `project kind ${String(cmd.kind)} is not one of ${KINDS}`);
    const p: Project = {
      projectId: cmd.projectId,
      ownerAccountId: cmd.ownerAccountId,
      kind: cmd.kind,
      ccerChosenTs: null,
      periods: new Map(),
    };
    this.projects.set(p.projectId, p);
    return ok(this.view(p));
  }

  project(projectId: string): ProjectView | null {
    const p = this.projects.get(projectId);
    return p === undefined ? null : this.view(p);
  }

  /** Metered generation of a month, in MWh; repeated calls add up. */
  recordGeneration(projectId: string, period: string, mwh: number): Result<PeriodView> {
    const p = this.projects.get(projectId);
    if (p === undefined) return this.unknown(projectId);
    const bad = this.checkPeriodMwh(period, mwh);
    if (bad !== null) return bad;
    const cur = p.periods.get(period);
    if (!Number.isSafeInteger((cur?.generatedMwh ?? 0) + mwh)) return reject('Overflow', 'generation overflows');
    const per = cur ?? this.newPeriod(p, period);
    per.generatedMwh += mwh;
    return ok(this.periodView(period, per));
  }

  /** Issues GECs for MWh of a month that no GEC or CCER claims yet. */
  issueGec(projectId: string, period: string, mwh: number): Result<PeriodView> {
    const p = this.projects.get(projectId);
    if (p === undefined) return this.unknown(projectId);
    const bad = this.checkPeriodMwh(period, mwh);
    if (bad !== null) return bad;
    const per = p.periods.get(period);
    const generated = per?.generatedMwh ?? 0;
    if (per === undefined || mwh > generated)
      return reject('BadInput', `${projectId} generated ${generated} MWh in ${period}, fewer than ${mwh}`);
    if (mwh > unclaimed(per))
      return reject(
        'DoubleClaim',
        `${projectId} ${period}: only ${unclaimed(per)} MWh are unclaimed (${per.gecIssuedMwh - per.gecCancelledMwh} MWh carry GECs, ${per.ccerMwh} MWh are registered as CCER)`,
      );
    per.gecIssuedMwh += mwh;
    return ok(this.periodView(period, per));
  }

  /** Marks untraded GECs as traded (sold on the certificate market, which is not modelled). */
  sellGec(projectId: string, period: string, mwh: number): Result<PeriodView> {
    const p = this.projects.get(projectId);
    if (p === undefined) return this.unknown(projectId);
    const bad = this.checkPeriodMwh(period, mwh);
    if (bad !== null) return bad;
    if (p.ccerChosenTs !== null)
      return reject('DoubleClaim', `${projectId} chose CCER at ${p.ccerChosenTs}: its untraded GECs are frozen`);
    const per = p.periods.get(period);
    const have = per === undefined ? 0 : untraded(per);
    if (per === undefined || mwh > have)
      return reject('BadInput', `${projectId} has ${have} untraded GECs for ${period}, fewer than ${mwh}`);
    per.gecTradedMwh += mwh;
    return ok(this.periodView(period, per));
  }

  /** The project chooses CCER: its untraded GECs are frozen from now on. Choosing again changes nothing. */
  chooseCcer(projectId: string, tsMs: number): Result<ProjectView> {
    const p = this.projects.get(projectId);
    if (p === undefined) return this.unknown(projectId);
    if (!Number.isSafeInteger(tsMs)) return reject('BadInput', `time ${tsMs} is not a whole number`);
    if (p.ccerChosenTs === null) p.ccerChosenTs = tsMs;
    return ok(this.view(p));
  }

  /**
   * Registers mwh of a month as CCER reductions: cancels frozen GECs of those MWh and issues
   * floor(mwh x efGPerKwh / 1000) t of ccerInstrumentId to the owner.
   */
  registerCcerReductions(
    projectId: string,
    period: string,
    mwh: number,
    efGPerKwh: number,
    tsMs: number,
    ccerInstrumentId: string,
  ): Result<CcerIssuance> {
    const p = this.projects.get(projectId);
    if (p === undefined) return this.unknown(projectId);
    const bad = this.checkPeriodMwh(period, mwh);
    if (bad !== null) return bad;
    if (!isPos(efGPerKwh))
      return reject('BadInput', `emission factor ${efGPerKwh} g/kWh is not a positive whole number`);
    if (typeof ccerInstrumentId !== 'string' || ccerInstrumentId === '')
      return reject('BadInput', 'CCER instrument id is empty');
    if (p.ccerChosenTs === null)
      return reject('NotEligible', `${projectId} has not chosen CCER; call chooseCcer first`);
    const per = p.periods.get(period);
    const generated = per?.generatedMwh ?? 0;
    if (per === undefined || mwh > generated)
      return reject('BadInput', `${projectId} generated ${generated} MWh in ${period}, fewer than ${mwh}`);
    const eligible = per.generatedMwh - per.gecTradedMwh - per.ccerMwh;
    if (mwh > eligible)
      return reject(
        'DoubleClaim',
        `${projectId} ${period}: only ${eligible} MWh can be registered (${per.gecTradedMwh} MWh had GECs traded, ${per.ccerMwh} MWh are already CCER)`,
      );
    const product = mwh * efGPerKwh;
    if (!Number.isSafeInteger(product)) return reject('Overflow', 'the reductions overflow');
    const qtyT = Math.floor(product / 1000);
    if (qtyT === 0)
      return reject('BadInput', `${mwh} MWh at ${efGPerKwh} g/kWh is less than one whole tonne (${product} kg)`);
    const seq = this.log.length + 1;
    const ref = `ccer:${projectId}:${period}:${seq}`;
    const no = this.ledger.issue(tsMs, p.ownerAccountId, ccerInstrumentId, qtyT, ref);
    if (no !== null) return no;
    const cancelled = Math.min(mwh, untraded(per));
    per.gecCancelledMwh += cancelled;
    per.ccerMwh += mwh;
    const rec: CcerIssuance = {
      seq,
      tsMs,
      projectId,
      period,
      mwh,
      efGPerKwh,
      instrumentId: ccerInstrumentId,
      qtyT,
      gecCancelledMwh: cancelled,
      ref,
    };
    this.log.push(rec);
    return ok(rec);
  }

  /** CCER issuances, in order; of one project when projectId is given. */
  issuances(projectId?: string): CcerIssuance[] {
    return this.log.filter((r) => projectId === undefined || r.projectId === projectId);
  }

  // ---- internals ------------------------------------------------------------------------------------------

  private checkPeriodMwh(period: string, mwh: number): Rejection | null {
    if (typeof period !== 'string' || !PERIOD_RE.test(period))
      return reject('BadInput', `period ${String(period)} is not YYYY-MM`);
    if (!isPos(mwh)) return reject('BadInput', `${mwh} MWh is not a positive whole number`);
    return null;
  }

  private newPeriod(p: Project, period: string): Period {
    const per: Period = { generatedMwh: 0, gecIssuedMwh: 0, gecTradedMwh: 0, gecCancelledMwh: 0, ccerMwh: 0 };
    p.periods.set(period, per);
    return per;
  }

  private unknown(projectId: string): Rejection {
    return reject('UnknownProject', `there is no project ${projectId}`);
  }

  private periodView(period: string, p: Period): PeriodView {
    return {
      period,
      generatedMwh: p.generatedMwh,
      gecIssuedMwh: p.gecIssuedMwh,
      gecTradedMwh: p.gecTradedMwh,
      gecCancelledMwh: p.gecCancelledMwh,
      gecUntradedMwh: untraded(p),
      ccerMwh: p.ccerMwh,
      unclaimedMwh: unclaimed(p),
    };
  }

  private view(p: Project): ProjectView {
    return {
      projectId: p.projectId,
      ownerAccountId: p.ownerAccountId,
      kind: p.kind,
      ccerChosenTs: p.ccerChosenTs,
      periods: [...p.periods.keys()].sort().map((k) => this.periodView(k, p.periods.get(k)!)),
    };
  }
}
