// Accounts, holdings and settlement. Cash is an integer of fen, holdings integers of tonnes, per instrument id
// (one instrument per vintage). No short selling and no credit: what a resting order or a pending proposal may
// need is reserved, and only the unreserved part can be used again. Allowances bought are locked for the market's
// resale period (T+1: until the next trading day). Every command checks everything first and then applies it
// whole, so a rejection changes nothing.
//
// Conservation: money and allowances enter or leave the system only through records (deposit, withdrawal,
// allocation, issuance, surrender, cancellation, deduction); fees move cash to the exchange's fee account and are
// recorded too. checkConservation() compares the balances with running sums of the records.
//
// A simulation does not keep the records themselves ({ keepRecords: false }): a year of thousands of entities makes
// hundreds of thousands of them, and holding them all slows every run (more old-generation memory to scan).

import { DOUBLE_HINT } from './double-hint.ts';
import { ok, type Rejection, type Result, reject } from './errors.ts';
import { fenToCny } from './money.ts';
import { cstYear } from './time.ts';

/**
 * 'authority': the competent authority's account (a government reserve). It never trades on the book or in blocks
 * (no market admits it as a participant) but may ask the exchange for a one-way auction of its allowances.
 */
export type AccountKind = 'entity' | 'institution' | 'individual' | 'authority' | 'exchange';
export type RecordKind = 'deposit' | 'withdrawal' | 'allocation' | 'issuance' | 'surrender' | 'cancellation' | 'fee';

export interface LedgerRecord {
  readonly seq: number;
  readonly tsMs: number;
  readonly kind: RecordKind;
  readonly accountId: number;
  /** null for cash-only records. */
  readonly instrumentId: string | null;
  /** Tonnes in (+) or out (-) of the account. */
  readonly qtyT: number;
  /** Fen in (+) or out (-) of the account. */
  readonly cashFen: number;
  /** What caused it: an order, a proposal, a compliance cycle ... */
  readonly ref: string;
}

/** A holding of one instrument. totalT includes reservedT and the locked lots. */
export interface HoldingView {
  readonly totalT: number;
  readonly reservedT: number;
  readonly lockedT: number;
  /** What may be sold or reserved now. */
  readonly availableT: number;
}

export interface AccountView {
  readonly id: number;
  readonly kind: AccountKind;
  readonly cashFen: number;
  readonly reservedFen: number;
  readonly availableFen: number;
}

interface Lot {
  qtyT: number;
  /** Day rolls still to pass before the lot is free. */
  rollsLeft: number;
}

export class Holding {
  totalT = 0;
  reservedT = 0;
  lockedT = 0;
  /**
   * Locked lots, oldest first: lots[0..nLots). The lot objects past nLots are spares, reused by the next lock: a
   * holding locks a lot on most days it buys and frees it at the next roll, and a new lot (and array storage, as an
   * array cut to length 0 drops it) per holding per day was a tenth of a simulation's allocation.
   */
  lots: Lot[] = [];
  nLots = 0;
  /** In the ledger's list of holdings with locked lots. */
  locking = false;
  constructor() {
    this.reservedT = DOUBLE_HINT; // see DOUBLE_HINT
    this.reservedT = 0;
  }
  get availableT(): number {
    return this.totalT - this.reservedT - this.lockedT;
  }
}

export class Account {
  readonly id: number;
  readonly kind: AccountKind;
  cashFen = 0;
  reservedFen = 0;
  readonly holdings = new Map<string, Holding>();
  /** Allowance tonnes bought and sold per calendar year (banking uses net sales). */
  readonly flows = new Map<number, { boughtT: number; soldT: number }>();
  constructor(id: number, kind: AccountKind) {
    this.id = id;
    this.kind = kind;
    this.cashFen = DOUBLE_HINT; // see DOUBLE_HINT
    this.cashFen = 0;
    this.reservedFen = DOUBLE_HINT;
    this.reservedFen = 0;
  }
  holding(instrumentId: string): Holding {
    let h = this.holdings.get(instrumentId);
    if (h === undefined) {
      h = new Holding();
      this.holdings.set(instrumentId, h);
    }
    return h;
  }
  flow(year: number): { boughtT: number; soldT: number } {
    let f = this.flows.get(year);
    if (f === undefined) {
      f = { boughtT: 0, soldT: 0 };
      this.flows.set(year, f);
    }
    return f;
  }
}

/** One trade's settlement: both legs and both fees, applied together or not at all. */
export interface Transfer {
  readonly tsMs: number;
  readonly buyerId: number;
  readonly sellerId: number;
  readonly instrumentId: string;
  readonly qtyT: number;
  /** priceFen x qtyT */
  readonly valueFen: number;
  readonly buyerFeeFen: number;
  readonly sellerFeeFen: number;
  /** Part of the buyer's reserved cash this trade consumes (the rest of what it pays comes from available cash). */
  readonly buyerReservedUseFen: number;
  /** Part of the seller's reserved tonnes this trade consumes (the rest from available tonnes). */
  readonly sellerReservedUseT: number;
  /** Trading days the bought tonnes stay locked (the market's resaleLockDays). */
  readonly lockDays: number;
  /** Count the tonnes in buy/sell flows (allowances; banking looks at net sales). */
  readonly countFlows: boolean;
  readonly ref: string;
}

const isQty = (v: number): boolean => Number.isSafeInteger(v) && v > 0;
const isFen = (v: number): boolean => Number.isSafeInteger(v) && v >= 0;

export const FEE_ACCOUNT_ID = 0;

export interface LedgerOptions {
  /** Keep every record for statements (default true); the running sums for conservation are kept either way. */
  readonly keepRecords?: boolean;
}

export class Ledger {
  private readonly accounts = new Map<number, Account>();
  private readonly log: LedgerRecord[] = [];
  private readonly keepRecords: boolean;
  /** Running sums of the records: cash deposited less withdrawn, tonnes in per instrument, fees. */
  private cashInFen = 0;
  private readonly qtyInT = new Map<string, number>();
  private feesFen = 0;
  private seq = 0;
  private lastRolled = '';
  /** Holdings with locked lots (Holding.locking): the daily roll visits these, not every account (thousands in a
   * simulation). An array compacted in place by the roll, not a Set: a set's table was rebuilt every few days. */
  private readonly locking: Holding[] = [];

  constructor(opts: LedgerOptions = {}) {
    this.keepRecords = opts.keepRecords ?? true;
    this.cashInFen = DOUBLE_HINT; // see DOUBLE_HINT
    this.cashInFen = 0;
    this.feesFen = DOUBLE_HINT;
    this.feesFen = 0;
    this.accounts.set(FEE_ACCOUNT_ID, new Account(FEE_ACCOUNT_ID, 'exchange'));
  }

  // ---- accounts -------------------------------------------------------------------------------------------

  open(accountId: number, kind: Exclude<AccountKind, 'exchange'>): Result<AccountView> {
    if (!Number.isSafeInteger(accountId) || accountId <= 0)
      return reject('BadInput', `account id ${accountId} is not a positive whole number`);
    if (this.accounts.has(accountId)) return reject('DuplicateId', `account ${accountId} already exists`);
    const a = new Account(accountId, kind);
    this.accounts.set(accountId, a);
    return ok(this.view(a));
  }

  has(accountId: number): boolean {
    return this.accounts.has(accountId);
  }

  account(accountId: number): AccountView | null {
    const a = this.accounts.get(accountId);
    return a === undefined ? null : this.view(a);
  }

  /** The account's kind, or null when there is no such account (no view built: asked on every order). */
  kindOf(accountId: number): AccountKind | null {
    return this.accounts.get(accountId)?.kind ?? null;
  }

  /** Tonnes of an instrument the account holds (0 without a holding): holding(...).totalT, no view built. */
  totalT(accountId: number, instrumentId: string): number {
    return this.accounts.get(accountId)?.holdings.get(instrumentId)?.totalT ?? 0;
  }

  /**
   * The account's live holding of an instrument (made, empty, if it has none), or undefined without the account: for
   * a reader that looks every day (an agent keeps it rather than look it up each time; holdings are never removed, so
   * it stays current). An empty holding changes no total, view or check (they skip or add zero).
   */
  liveHolding(accountId: number, instrumentId: string): { readonly totalT: number } | undefined {
    return this.accounts.get(accountId)?.holding(instrumentId);
  }

  /** Tonnes free to sell or reserve now: holding(...).availableT, no view built (agents ask on every look). */
  availableT(accountId: number, instrumentId: string): number {
    return this.accounts.get(accountId)?.holdings.get(instrumentId)?.availableT ?? 0;
  }

  /** Cash free to use now (0 without the account): account(...).availableFen, no view built. */
  availableFen(accountId: number): number {
    const a = this.accounts.get(accountId);
    return a === undefined ? 0 : a.cashFen - a.reservedFen;
  }

  /** Whether records are kept (a ref string given to a command is only stored then). */
  get keepsRecords(): boolean {
    return this.keepRecords;
  }

  holding(accountId: number, instrumentId: string): HoldingView {
    const h = this.accounts.get(accountId)?.holdings.get(instrumentId);
    if (h === undefined) return { totalT: 0, reservedT: 0, lockedT: 0, availableT: 0 };
    return { totalT: h.totalT, reservedT: h.reservedT, lockedT: h.lockedT, availableT: h.availableT };
  }

  /** Instruments the account holds (totalT > 0), sorted by id. */
  holdings(accountId: number): [string, HoldingView][] {
    const a = this.accounts.get(accountId);
    if (a === undefined) return [];
    return [...a.holdings.keys()]
      .filter((k) => (a.holdings.get(k)?.totalT ?? 0) > 0)
      .sort()
      .map((k) => [k, this.holding(accountId, k)]);
  }

  accountIds(): number[] {
    return [...this.accounts.keys()].sort((a, b) => a - b);
  }

  /** Allowance tonnes sold minus bought over calendar years [fromYear, toYear]. */
  netSalesT(accountId: number, fromYear: number, toYear: number): number {
    const a = this.accounts.get(accountId);
    if (a === undefined) return 0;
    let net = 0;
    for (const [year, f] of a.flows) if (year >= fromYear && year <= toYear) net += f.soldT - f.boughtT;
    return net;
  }

  /** Every record in order. A ledger made with { keepRecords: false } has none to give: that is an error. */
  records(): readonly LedgerRecord[] {
    if (!this.keepRecords) throw new RangeError('this ledger keeps no records (made with keepRecords: false)');
    return this.log;
  }

  // ---- money and allowances entering or leaving ----------------------------------------------------------

  deposit(tsMs: number, accountId: number, fen: number, ref: string): Rejection | null {
    const a = this.get(accountId);
    if (a === null) return this.unknown(accountId);
    if (!isQty(fen)) return reject('BadInput', `deposit ${fen} fen is not a positive whole number`);
    // Money enters only here and is conserved after (trades and fees move it), so bounding the sum of all deposits
    // bounds every balance and every sum of balances: they stay safe integers whatever trades follow.
    if (!Number.isSafeInteger(this.cashInFen + fen))
      return reject('Overflow', 'the deposit would take the money held in all accounts past the largest exact amount');
    a.cashFen += fen;
    this.record(tsMs, 'deposit', accountId, null, 0, fen, ref);
    return null;
  }

  withdraw(tsMs: number, accountId: number, fen: number, ref: string): Rejection | null {
    const a = this.get(accountId);
    if (a === null) return this.unknown(accountId);
    if (!isQty(fen)) return reject('BadInput', `withdrawal ${fen} fen is not a positive whole number`);
    if (a.cashFen - a.reservedFen < fen)
      return reject(
        'InsufficientCash',
        `${fenToCny(fen)} CNY needed, ${fenToCny(a.cashFen - a.reservedFen)} CNY available`,
      );
    a.cashFen -= fen;
    this.record(tsMs, 'withdrawal', accountId, null, 0, -fen, ref);
    return null;
  }

  /** Free allocation by the regulator (or a negative true-up through `deduct`). */
  allocate(tsMs: number, accountId: number, instrumentId: string, qtyT: number, ref: string): Rejection | null {
    return this.mint(tsMs, 'allocation', accountId, instrumentId, qtyT, ref);
  }

  /** Credits issued to a project owner (CCER, carbon-inclusive credits). */
  issue(tsMs: number, accountId: number, instrumentId: string, qtyT: number, ref: string): Rejection | null {
    return this.mint(tsMs, 'issuance', accountId, instrumentId, qtyT, ref);
  }

  /** Surrendered for compliance: leaves the system. Locked (bought today) tonnes may be surrendered. */
  surrender(tsMs: number, accountId: number, instrumentId: string, qtyT: number, ref: string): Rejection | null {
    return this.burn(tsMs, 'surrender', accountId, instrumentId, qtyT, ref);
  }

  /** Cancelled by rule (banking excess, a deduction, a frozen certificate): leaves the system. */
  cancel(tsMs: number, accountId: number, instrumentId: string, qtyT: number, ref: string): Rejection | null {
    return this.burn(tsMs, 'cancellation', accountId, instrumentId, qtyT, ref);
  }

  // ---- reservations ---------------------------------------------------------------------------------------

  reserveCash(accountId: number, fen: number): Rejection | null {
    const a = this.get(accountId);
    if (a === null) return this.unknown(accountId);
    if (!isFen(fen)) return reject('Overflow', `amount ${fen} fen is not a safe whole number`);
    const avail = a.cashFen - a.reservedFen;
    if (avail < fen) return reject('InsufficientCash', `${fenToCny(fen)} CNY needed, ${fenToCny(avail)} CNY available`);
    a.reservedFen += fen;
    return null;
  }

  releaseCash(accountId: number, fen: number): void {
    const a = this.must(accountId);
    if (!isFen(fen) || fen > a.reservedFen) throw new RangeError(`release ${fen} fen > reserved ${a.reservedFen}`);
    a.reservedFen -= fen;
  }

  reserveQty(accountId: number, instrumentId: string, qtyT: number): Rejection | null {
    const a = this.get(accountId);
    if (a === null) return this.unknown(accountId);
    if (!isQty(qtyT)) return reject('BadInput', `quantity ${qtyT} t is not a positive whole number`);
    const h = a.holdings.get(instrumentId);
    const avail = h?.availableT ?? 0;
    if (avail >= qtyT) {
      h!.reservedT += qtyT;
      return null;
    }
    if (h !== undefined && avail + h.lockedT >= qtyT)
      return reject(
        'ResaleLocked',
        `account ${accountId} has ${avail} t of ${instrumentId} free to sell; ${h.lockedT} t bought today can be sold from the next trading day`,
      );
    return reject('InsufficientAllowances', `${qtyT} t needed, ${avail} t available`);
  }

  releaseQty(accountId: number, instrumentId: string, qtyT: number): void {
    const h = this.must(accountId).holdings.get(instrumentId);
    if (h === undefined || !isFen(qtyT) || qtyT > h.reservedT) throw new RangeError(`release ${qtyT} t > reserved`);
    h.reservedT -= qtyT;
  }

  // ---- settlement -----------------------------------------------------------------------------------------

  /** Checks a transfer without applying it: null when it would settle. */
  checkTransfer(t: Transfer): Rejection | null {
    const buyer = this.get(t.buyerId);
    const seller = this.get(t.sellerId);
    if (buyer === null) return this.unknown(t.buyerId);
    if (seller === null) return this.unknown(t.sellerId);
    if (t.buyerId === t.sellerId) return reject('SelfDeal', `account ${t.buyerId} cannot trade with itself`);
    if (!isQty(t.qtyT) || !isFen(t.valueFen) || !isFen(t.buyerFeeFen) || !isFen(t.sellerFeeFen))
      return reject('BadInput', 'trade quantity, value and fees must be safe whole numbers');
    if (t.sellerFeeFen > t.valueFen) return reject('BadInput', 'the seller fee exceeds the trade value');
    const pay = t.valueFen + t.buyerFeeFen;
    if (!Number.isSafeInteger(pay)) return reject('Overflow', 'the trade value overflows');
    if (t.buyerReservedUseFen < 0 || t.buyerReservedUseFen > buyer.reservedFen)
      return reject('BadInput', 'the buyer reservation to use exceeds what is reserved');
    if (buyer.cashFen - buyer.reservedFen < pay - Math.min(pay, t.buyerReservedUseFen))
      return reject('InsufficientCash', `buyer ${t.buyerId} cannot pay ${pay} fen (no credit)`);
    const h = seller.holdings.get(t.instrumentId);
    const reservedT = h?.reservedT ?? 0;
    if (t.sellerReservedUseT < 0 || t.sellerReservedUseT > reservedT || t.sellerReservedUseT > t.qtyT)
      return reject('BadInput', 'the seller reservation to use exceeds what is reserved');
    const fromFree = t.qtyT - t.sellerReservedUseT;
    const avail = h?.availableT ?? 0;
    if (avail < fromFree) {
      if (h !== undefined && avail + h.lockedT >= fromFree)
        return reject(
          'ResaleLocked',
          `seller ${t.sellerId} holds ${h.lockedT} t of ${t.instrumentId} bought today, sellable from the next trading day`,
        );
      return reject('InsufficientAllowances', `${fromFree} t needed, ${avail} t available`);
    }
    return null;
  }

  /**
   * Settles both legs at once. The buyer pays value + fee, consuming up to buyerReservedUseFen of its reservation
   * (a reservation left over is the caller's to release); the seller delivers qtyT and receives value - fee.
   */
  transfer(t: Transfer): Rejection | null {
    const bad = this.checkTransfer(t);
    if (bad !== null) return bad;
    const buyer = this.must(t.buyerId);
    const seller = this.must(t.sellerId);
    const pay = t.valueFen + t.buyerFeeFen;
    buyer.reservedFen -= Math.min(pay, t.buyerReservedUseFen);
    buyer.cashFen -= pay;
    seller.cashFen += t.valueFen - t.sellerFeeFen;
    const sh = seller.holding(t.instrumentId);
    sh.reservedT -= t.sellerReservedUseT;
    sh.totalT -= t.qtyT;
    const bh = buyer.holding(t.instrumentId);
    bh.totalT += t.qtyT;
    if (t.lockDays > 0) {
      bh.lockedT += t.qtyT;
      // Lots with the same rolls left free together and are taken alike (burn): today's buys share one lot.
      const last = bh.nLots === 0 ? undefined : bh.lots[bh.nLots - 1]!;
      if (last !== undefined && last.rollsLeft === t.lockDays) last.qtyT += t.qtyT;
      else {
        const spare = bh.nLots < bh.lots.length ? bh.lots[bh.nLots]! : undefined;
        if (spare === undefined) bh.lots.push({ qtyT: t.qtyT, rollsLeft: t.lockDays });
        else {
          spare.qtyT = t.qtyT;
          spare.rollsLeft = t.lockDays;
        }
        bh.nLots++;
        if (!bh.locking) {
          bh.locking = true;
          this.locking.push(bh);
        }
      }
    }
    if (t.countFlows) {
      const year = cstYear(t.tsMs);
      buyer.flow(year).boughtT += t.qtyT;
      seller.flow(year).soldT += t.qtyT;
    }
    const fees = this.must(FEE_ACCOUNT_ID);
    if (t.buyerFeeFen > 0) {
      fees.cashFen += t.buyerFeeFen;
      this.recordFee(t, true);
    }
    if (t.sellerFeeFen > 0) {
      fees.cashFen += t.sellerFeeFen;
      this.recordFee(t, false);
    }
    return null;
  }

  /**
   * record(t.tsMs, 'fee', payer, null, 0, -fee, t.ref) for one side's fee of a transfer, taking the amounts from the
   * transfer itself: a time and a fee handed to record as numbers were boxed, two heap numbers per fee of every trade.
   */
  private recordFee(t: Transfer, buyer: boolean): void {
    const fee = buyer ? t.buyerFeeFen : t.sellerFeeFen;
    this.feesFen += fee;
    ++this.seq;
    if (this.keepRecords)
      this.log.push({
        seq: this.seq,
        tsMs: t.tsMs,
        kind: 'fee',
        accountId: buyer ? t.buyerId : t.sellerId,
        instrumentId: null,
        qtyT: 0,
        cashFen: -fee,
        ref: t.ref,
      });
  }

  /**
   * A new trading day `date` begins: locked lots move one day closer to free. Idempotent per date, so every market
   * sharing this ledger may call it when it opens the day.
   */
  rollDay(date: string): void {
    if (date <= this.lastRolled) return;
    this.lastRolled = date;
    const locking = this.locking;
    let kept = 0;
    for (let k = 0; k < locking.length; k++) {
      const h = locking[k]!;
      // Compacted in place, order kept; a freed lot object swaps places with the next live one, to be reused.
      const lots = h.lots;
      let n = 0;
      for (let i = 0; i < h.nLots; i++) {
        const lot = lots[i]!;
        lot.rollsLeft--;
        if (lot.rollsLeft <= 0) h.lockedT -= lot.qtyT;
        else {
          lots[i] = lots[n]!;
          lots[n++] = lot;
        }
      }
      for (let i = n; i < h.nLots; i++) lots[i]!.qtyT = 0;
      h.nLots = n;
      if (n > 0) locking[kept++] = h;
      else h.locking = false;
    }
    locking.length = kept;
  }

  // ---- totals and checks ----------------------------------------------------------------------------------

  /** Cash in all accounts (fee account included) and tonnes per instrument. */
  /** Tonnes of an instrument in all accounts: minted less burned (what conservation checks totals against), O(1). */
  outstandingT(instrumentId: string): number {
    return this.qtyInT.get(instrumentId) ?? 0;
  }

  totals(): { cashFen: number; qtyT: Map<string, number> } {
    let cashFen = 0;
    const qtyT = new Map<string, number>();
    for (const a of this.accounts.values()) {
      cashFen += a.cashFen;
      for (const [id, h] of a.holdings) qtyT.set(id, (qtyT.get(id) ?? 0) + h.totalT);
    }
    return { cashFen, qtyT };
  }

  /**
   * null when totals equal what the records say entered and left, and no balance is negative or past the safe
   * range. The totals are added up exactly (BigInt), so a balance that was ever rounded shows.
   */
  checkConservation(): string | null {
    let cash = 0n;
    const qty = new Map<string, bigint>();
    for (const a of this.accounts.values()) {
      if (!Number.isSafeInteger(a.cashFen)) return `account ${a.id}: cash ${a.cashFen} fen is not a safe integer`;
      cash += BigInt(a.cashFen);
      for (const [id, h] of a.holdings) {
        if (!Number.isSafeInteger(h.totalT)) return `account ${a.id} ${id}: ${h.totalT} t is not a safe integer`;
        qty.set(id, (qty.get(id) ?? 0n) + BigInt(h.totalT));
      }
    }
    if (cash !== BigInt(this.cashInFen)) return `cash ${cash} fen in accounts, records say ${this.cashInFen}`;
    for (const [id, q] of qty)
      if (q !== BigInt(this.qtyInT.get(id) ?? 0))
        return `${id}: ${q} t in accounts, records say ${this.qtyInT.get(id) ?? 0}`;
    const t = this.totals();
    const cashIn = this.cashInFen;
    if (t.cashFen !== cashIn) return `cash ${t.cashFen} fen in accounts, records say ${cashIn}`;
    const ids = new Set([...this.qtyInT.keys(), ...t.qtyT.keys()]);
    for (const id of ids)
      if ((t.qtyT.get(id) ?? 0) !== (this.qtyInT.get(id) ?? 0))
        return `${id}: ${t.qtyT.get(id) ?? 0} t in accounts, records say ${this.qtyInT.get(id) ?? 0}`;
    const fees = this.feesFen;
    if (this.must(FEE_ACCOUNT_ID).cashFen !== fees)
      return `fee account holds ${this.must(FEE_ACCOUNT_ID).cashFen}, fee records say ${fees}`;
    for (const a of this.accounts.values()) {
      if (a.cashFen < 0 || a.reservedFen < 0 || a.reservedFen > a.cashFen)
        return `account ${a.id}: cash ${a.cashFen}, reserved ${a.reservedFen}`;
      for (const [id, h] of a.holdings) {
        let lots = 0;
        for (let i = 0; i < h.nLots; i++) lots += h.lots[i]!.qtyT;
        if (h.totalT < 0 || h.reservedT < 0 || h.lockedT !== lots || h.availableT < 0)
          return `account ${a.id} ${id}: total ${h.totalT}, reserved ${h.reservedT}, locked ${h.lockedT} (lots ${lots})`;
      }
    }
    return null;
  }

  // ---- internals ------------------------------------------------------------------------------------------

  private mint(
    tsMs: number,
    kind: RecordKind,
    accountId: number,
    instrumentId: string,
    qtyT: number,
    ref: string,
  ): Rejection | null {
    const a = this.get(accountId);
    if (a === null) return this.unknown(accountId);
    if (!isQty(qtyT)) return reject('BadInput', `quantity ${qtyT} t is not a positive whole number`);
    // Tonnes enter only here and are conserved after: bounding each instrument's total bounds every holding.
    if (!Number.isSafeInteger((this.qtyInT.get(instrumentId) ?? 0) + qtyT))
      return reject('Overflow', `the tonnes of ${instrumentId} in all accounts would pass the largest exact amount`);
    const h = a.holding(instrumentId);
    h.totalT += qtyT;
    this.record(tsMs, kind, accountId, instrumentId, qtyT, 0, ref);
    return null;
  }

  private burn(
    tsMs: number,
    kind: RecordKind,
    accountId: number,
    instrumentId: string,
    qtyT: number,
    ref: string,
  ): Rejection | null {
    const a = this.get(accountId);
    if (a === null) return this.unknown(accountId);
    if (!isQty(qtyT)) return reject('BadInput', `quantity ${qtyT} t is not a positive whole number`);
    const h = a.holdings.get(instrumentId);
    // Locked lots count: the lock is on resale, not on compliance use.
    const usable = h === undefined ? 0 : h.totalT - h.reservedT;
    if (usable < qtyT) return reject('InsufficientAllowances', `${qtyT} t needed, ${usable} t available`);
    h!.totalT -= qtyT;
    // Take from locked lots only what the free part cannot cover, newest last.
    let fromLocked = qtyT - Math.max(0, h!.totalT + qtyT - h!.reservedT - h!.lockedT);
    while (fromLocked > 0 && h!.nLots > 0) {
      const lot = h!.lots[h!.nLots - 1]!;
      const take = Math.min(lot.qtyT, fromLocked);
      lot.qtyT -= take;
      h!.lockedT -= take;
      fromLocked -= take;
      if (lot.qtyT === 0) h!.nLots--;
    }
    this.record(tsMs, kind, accountId, instrumentId, -qtyT, 0, ref);
    return null;
  }

  private record(
    tsMs: number,
    kind: RecordKind,
    accountId: number,
    instrumentId: string | null,
    qtyT: number,
    cashFen: number,
    ref: string,
  ): void {
    if (kind === 'deposit' || kind === 'withdrawal') this.cashInFen += cashFen;
    if (kind === 'fee') this.feesFen -= cashFen;
    if (instrumentId !== null) this.qtyInT.set(instrumentId, (this.qtyInT.get(instrumentId) ?? 0) + qtyT);
    ++this.seq;
    if (this.keepRecords) this.log.push({ seq: this.seq, tsMs, kind, accountId, instrumentId, qtyT, cashFen, ref });
  }

  private get(accountId: number): Account | null {
    return this.accounts.get(accountId) ?? null;
  }

  private must(accountId: number): Account {
    const a = this.accounts.get(accountId);
    if (a === undefined) throw new RangeError(`no account ${accountId}`);
    return a;
  }

  private unknown(accountId: number): Rejection {
    return reject('UnknownAccount', `there is no account ${accountId}`);
  }

  private view(a: Account): AccountView {
    return {
      id: a.id,
      kind: a.kind,
      cashFen: a.cashFen,
      reservedFen: a.reservedFen,
      availableFen: a.cashFen - a.reservedFen,
    };
  }
}
