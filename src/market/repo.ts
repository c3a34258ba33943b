// Hubei allowance repo (配额回购): the holder sells allowances now and agrees to buy the same quantity back at an
// agreed price on a future date.
//
// - open: first leg settles at once through the ledger (holder -> counterparty tonnes, counterparty -> holder cash
//   at startPriceFen, no resale lock), and the counterparty's received tonnes are reserved so they are there for
//   the buy-back (it cannot sell, reserve or surrender them while the contract runs).
// - settle: on or after the buy-back date (China Standard Time date of tsMs), the reservation is consumed by the
//   second leg: counterparty -> holder tonnes, holder -> counterparty cash at buybackPriceFen, no resale lock.
//   If the holder lacks the cash, the settle is rejected and nothing changes: the contract stays open.
// - default: on or after the buy-back date, while open, the contract is marked defaulted and the counterparty's
//   tonnes are released to it (it keeps the allowances and the holder keeps the first-leg cash). Declaring the
//   default is the operator's decision (after a failed settle, or when the holder declines to buy back).
// Fees: options.feeBps on each side of each leg (default 0), rounded half up. Both legs count in the allowance
// buy/sell flows (options.countFlows, default true), so a settled repo nets to zero sales for banking.

import { MarketError, ok, type Result, reject } from './errors.ts';
import type { Ledger, Transfer } from './ledger.ts';
import { feeFen } from './money.ts';
import type { Reservation } from './reservations.ts';
import { cstDate, isDate } from './time.ts';

export type RepoStatus = 'open' | 'settled' | 'defaulted';

export interface RepoOptions {
  /** Fee per side of each leg, basis points of the leg's value. Default 0. */
  readonly feeBps?: number;
  /** Count both legs in the allowance flows (banking). Default true. */
  readonly countFlows?: boolean;
}

export interface OpenRepoCmd {
  readonly repoId: string;
  readonly tsMs: number;
  /** Sells now, buys back later. */
  readonly holderId: number;
  readonly counterpartyId: number;
  readonly instrumentId: string;
  readonly qtyT: number;
  readonly startPriceFen: number;
  readonly buybackPriceFen: number;
  /** 'YYYY-MM-DD', after the start date. */
  readonly buybackDate: string;
}

export interface RepoView {
  readonly repoId: string;
  readonly holderId: number;
  readonly counterpartyId: number;
  readonly instrumentId: string;
  readonly qtyT: number;
  readonly startPriceFen: number;
  readonly buybackPriceFen: number;
  readonly startDate: string;
  readonly buybackDate: string;
  readonly openedTs: number;
  readonly status: RepoStatus;
  /** When it was settled or defaulted. */
  readonly closedTs: number | null;
}

interface Repo {
  view: RepoView;
  readonly seq: number;
}

const isPos = (v: number): boolean => Number.isSafeInteger(v) && v > 0;

export class RepoDesk {
  private readonly ledger: Ledger;
  private readonly feeBps: number;
  private readonly countFlows: boolean;
  private readonly repos = new Map<string, Repo>();
  private seq = 0;

  constructor(ledger: Ledger, options: RepoOptions = {}) {
    const feeBps = options.feeBps ?? 0;
    if (!Number.isSafeInteger(feeBps) || feeBps < 0 || feeBps > 10_000)
      throw new MarketError('MKT_ERR_BAD_INPUT', `feeBps ${feeBps} is not a whole number in 0..10000`);
    this.ledger = ledger;
    this.feeBps = feeBps;
    this.countFlows = options.countFlows ?? true;
  }

  open(cmd: OpenRepoCmd): Result<RepoView> {
    if (typeof cmd.repoId !== 'string' || cmd.repoId === '') return reject('BadInput', 'repo id is empty');
    if (this.repos.has(cmd.repoId)) return reject('DuplicateId', `repo ${cmd.repoId} already exists`);
    if (!Number.isSafeInteger(cmd.tsMs)) return reject('BadInput', `time ${cmd.tsMs} is not a whole number`);
    for (const id of [cmd.holderId, cmd.counterpartyId])
      if (!this.ledger.has(id)) return reject('UnknownAccount', `there is no account ${id}`);
    if (cmd.holderId === cmd.counterpartyId)
      return reject('SelfDeal', `account ${cmd.holderId} cannot enter a repo with itself`);
    if (!isPos(cmd.qtyT)) return reject('BadInput', `quantity ${cmd.qtyT} t is not a positive whole number`);
    if (!isPos(cmd.startPriceFen) || !isPos(cmd.buybackPriceFen))
      return reject('BadInput', 'start and buy-back prices must be positive whole numbers of fen');
    const startDate = cstDate(cmd.tsMs);
    if (!isDate(cmd.buybackDate)) return reject('BadInput', `buy-back date ${cmd.buybackDate} is not YYYY-MM-DD`);
    if (cmd.buybackDate <= startDate)
      return reject('BadInput', `buy-back date ${cmd.buybackDate} is not after the start date ${startDate}`);
    const leg1 = this.leg(
      cmd.tsMs,
      cmd.counterpartyId,
      cmd.holderId,
      cmd,
      cmd.startPriceFen,
      0,
      `repo:${cmd.repoId}:open`,
    );
    if (leg1 === null) return reject('Overflow', 'the repo value overflows');
    const leg2 = this.leg(cmd.tsMs, cmd.holderId, cmd.counterpartyId, cmd, cmd.buybackPriceFen, 0, '');
    if (leg2 === null) return reject('Overflow', 'the buy-back value overflows');
    const no = this.ledger.transfer(leg1);
    if (no !== null) return no;
    // The counterparty has just received qtyT free tonnes (no lock), so this reservation cannot fail.
    const held = this.ledger.reserveQty(cmd.counterpartyId, cmd.instrumentId, cmd.qtyT);
    if (held !== null)
      throw new MarketError(held.code, `repo ${cmd.repoId}: reserving the first leg broke: ${held.message}`);
    const view: RepoView = {
      repoId: cmd.repoId,
      holderId: cmd.holderId,
      counterpartyId: cmd.counterpartyId,
      instrumentId: cmd.instrumentId,
      qtyT: cmd.qtyT,
      startPriceFen: cmd.startPriceFen,
      buybackPriceFen: cmd.buybackPriceFen,
      startDate,
      buybackDate: cmd.buybackDate,
      openedTs: cmd.tsMs,
      status: 'open',
      closedTs: null,
    };
    this.repos.set(cmd.repoId, { view, seq: ++this.seq });
    return ok(view);
  }

  /** Second leg: the holder buys the tonnes back at the buy-back price. */
  settle(repoId: string, tsMs: number): Result<RepoView> {
    const r = this.due(repoId, tsMs);
    if (!r.ok) return r;
    const v = r.value.view;
    const leg2 = this.leg(tsMs, v.holderId, v.counterpartyId, v, v.buybackPriceFen, v.qtyT, `repo:${repoId}:settle`);
    if (leg2 === null) return reject('Overflow', 'the buy-back value overflows');
    const no = this.ledger.transfer(leg2);
    if (no !== null) {
      if (no.code === 'MKT_ERR_INSUFFICIENT_CASH')
        return reject(
          'InsufficientCash',
          `holder ${v.holderId} cannot pay the buy-back of repo ${repoId} (${leg2.valueFen + leg2.buyerFeeFen} fen); the contract stays open`,
        );
      return no;
    }
    r.value.view = { ...v, status: 'settled', closedTs: tsMs };
    return ok(r.value.view);
  }

  /** The holder did not buy back: the counterparty keeps the tonnes (released to it); the contract is defaulted. */
  default(repoId: string, tsMs: number): Result<RepoView> {
    const r = this.due(repoId, tsMs);
    if (!r.ok) return r;
    const v = r.value.view;
    this.ledger.releaseQty(v.counterpartyId, v.instrumentId, v.qtyT);
    r.value.view = { ...v, status: 'defaulted', closedTs: tsMs };
    return ok(r.value.view);
  }

  repo(repoId: string): RepoView | null {
    return this.repos.get(repoId)?.view ?? null;
  }

  /** Repos where the account is holder or counterparty, in the order they were opened. */
  reposOf(accountId: number): RepoView[] {
    return [...this.repos.values()]
      .filter((r) => r.view.holderId === accountId || r.view.counterpartyId === accountId)
      .sort((a, b) => a.seq - b.seq)
      .map((r) => r.view);
  }

  // ---- internals ------------------------------------------------------------------------------------------

  /** Open repos keep the counterparty's tonnes reserved for the buy-back. */
  *reservations(): Iterable<Reservation> {
    for (const r of this.repos.values())
      if (r.view.status === 'open')
        yield { accountId: r.view.counterpartyId, instrumentId: r.view.instrumentId, amount: r.view.qtyT };
  }

  private due(repoId: string, tsMs: number): Result<Repo> {
    const r = this.repos.get(repoId);
    if (r === undefined) return reject('UnknownRepo', `there is no repo ${repoId}`);
    if (r.view.status !== 'open') return reject('RepoClosed', `repo ${repoId} is already ${r.view.status}`);
    if (!Number.isSafeInteger(tsMs)) return reject('BadInput', `time ${tsMs} is not a whole number`);
    if (cstDate(tsMs) < r.view.buybackDate)
      return reject('RepoNotDue', `repo ${repoId} is due on ${r.view.buybackDate}, not ${cstDate(tsMs)}`);
    return ok(r);
  }

  /** A leg at a price; null when its value overflows. */
  private leg(
    tsMs: number,
    buyerId: number,
    sellerId: number,
    c: { instrumentId: string; qtyT: number },
    priceFen: number,
    sellerReservedUseT: number,
    ref: string,
  ): Transfer | null {
    const valueFen = priceFen * c.qtyT;
    if (!Number.isSafeInteger(valueFen)) return null;
    const fee = feeFen(valueFen, this.feeBps);
    if (!Number.isSafeInteger(valueFen + fee)) return null;
    return {
      tsMs,
      buyerId,
      sellerId,
      instrumentId: c.instrumentId,
      qtyT: c.qtyT,
      valueFen,
      buyerFeeFen: fee,
      sellerFeeFen: fee,
      buyerReservedUseFen: 0,
      sellerReservedUseT,
      lockDays: 0,
      countFlows: this.countFlows,
      ref,
    };
  }
}
