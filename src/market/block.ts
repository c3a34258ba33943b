// Block agreement (大宗协议): negotiated between two parties, outside the book. A party proposes a price and a
// quantity, to a named counterparty or to everyone; the other side accepts, counters (a new proposal back, the old
// one closes) or rejects; the proposer may withdraw. Open proposals expire at the end of the session.
// Checked on every step: the block session, at least the block minimum, tick and lot, the price within the block
// band around the previous close, and funds and allowances. The proposer's side is reserved while the proposal is
// open, so an accepted proposal always settles; the acceptor is checked when it accepts.
// Block trades settle like any trade but never touch the listed book nor the close; they are reported apart.

import { bandEdges } from '../engine/index.ts';
import type { BlockModeSpec } from './catalogue/schema.ts';
import { ok, type Rejection, type Result, reject } from './errors.ts';
import type { Ledger } from './ledger.ts';
import { feeCeilPerTonneFen, feeFen, fenToCny } from './money.ts';
import type { Reservation } from './reservations.ts';
import type { SideName, TradeListener, TradeRecord } from './trade.ts';

export type ProposalStatus = 'open' | 'accepted' | 'countered' | 'rejected' | 'withdrawn' | 'expired';

export interface Proposal {
  readonly proposalId: number;
  readonly tsMs: number;
  readonly proposerId: number;
  /** null: open to every eligible account. */
  readonly counterpartyId: number | null;
  /** The proposer's side. */
  readonly side: SideName;
  readonly instrumentId: string;
  readonly priceFen: number;
  readonly qtyT: number;
  /** The proposal this one counters, or null. */
  readonly parentId: number | null;
  status: ProposalStatus;
  /** Set when accepted. */
  tradeId: number | null;
  /** Buy: fen reserved; sell: tonnes reserved. 0 once closed. */
  reserved: number;
}

export interface ProposeBlock {
  readonly tsMs: number;
  readonly proposerId: number;
  readonly counterpartyId: number | null;
  readonly side: SideName;
  readonly instrumentId: string;
  readonly priceFen: number;
  readonly qtyT: number;
}

export interface BlockDeskOptions {
  readonly marketId: string;
  readonly spec: BlockModeSpec;
  readonly lockDays: number;
  /** Previous close of the instrument (the band centre), or 0 when there is none. */
  readonly previousCloseFen: (instrumentId: string) => number;
  readonly hasInstrument: (instrumentId: string) => boolean;
  readonly nextTradeId: () => number;
  readonly onTrade: TradeListener;
}

const isPos = (v: number): boolean => Number.isSafeInteger(v) && v > 0;

export class BlockDesk {
  private readonly proposals = new Map<number, Proposal>();
  private nextId = 1;
  private readonly ledger: Ledger;
  private opts: BlockDeskOptions;

  constructor(ledger: Ledger, opts: BlockDeskOptions) {
    this.ledger = ledger;
    this.opts = opts;
  }

  /** A rule change (the band): open proposals keep the terms they were made under. */
  setSpec(spec: BlockModeSpec): void {
    this.opts = { ...this.opts, spec };
  }

  get(proposalId: number): Readonly<Proposal> | null {
    return this.proposals.get(proposalId) ?? null;
  }

  /** Proposals an account may see: its own, those addressed to it, and those open to everyone. */
  visibleTo(accountId: number): Readonly<Proposal>[] {
    return [...this.proposals.values()].filter(
      (p) =>
        p.proposerId === accountId ||
        p.counterpartyId === accountId ||
        (p.counterpartyId === null && p.status === 'open'),
    );
  }

  /** What open proposals hold in reserve: buy proposals cash, sell proposals tonnes. */
  *reservations(): Iterable<Reservation> {
    for (const p of this.proposals.values())
      if (p.status === 'open')
        yield { accountId: p.proposerId, instrumentId: p.side === 'buy' ? null : p.instrumentId, amount: p.reserved };
  }

  all(): readonly Readonly<Proposal>[] {
    return [...this.proposals.values()];
  }

  propose(cmd: ProposeBlock): Result<Readonly<Proposal>> {
    const bad = this.checkTerms(cmd.instrumentId, cmd.side, cmd.priceFen, cmd.qtyT);
    if (bad !== null) return bad;
    if (cmd.counterpartyId !== null) {
      if (cmd.counterpartyId === cmd.proposerId)
        return reject('SelfDeal', 'a block proposal cannot name its own account');
      if (!this.ledger.has(cmd.counterpartyId))
        return reject('UnknownAccount', `there is no account ${cmd.counterpartyId}`);
    }
    const reserved = this.reserve(cmd.proposerId, cmd.side, cmd.instrumentId, cmd.priceFen, cmd.qtyT);
    if (!reserved.ok) return reserved;
    const p: Proposal = {
      proposalId: this.nextId++,
      tsMs: cmd.tsMs,
      proposerId: cmd.proposerId,
      counterpartyId: cmd.counterpartyId,
      side: cmd.side,
      instrumentId: cmd.instrumentId,
      priceFen: cmd.priceFen,
      qtyT: cmd.qtyT,
      parentId: null,
      status: 'open',
      tradeId: null,
      reserved: reserved.value,
    };
    this.proposals.set(p.proposalId, p);
    return ok(p);
  }

  /** The counterparty (or anyone, for an open proposal) accepts: the trade settles at once. */
  accept(tsMs: number, proposalId: number, accountId: number): Result<TradeRecord> {
    const p = this.openFor(proposalId, accountId);
    if (!p.ok) return p;
    const prop = p.value;
    // The band may have moved since the proposal (a new day): check the terms again at acceptance.
    const terms = this.checkTerms(prop.instrumentId, prop.side, prop.priceFen, prop.qtyT);
    if (terms !== null) return terms;
    const proposerBuys = prop.side === 'buy';
    const buyerId = proposerBuys ? prop.proposerId : accountId;
    const sellerId = proposerBuys ? accountId : prop.proposerId;
    const valueFen = prop.priceFen * prop.qtyT;
    const fee = feeFen(valueFen, this.opts.spec.feeBps);
    const transfer = {
      tsMs,
      buyerId,
      sellerId,
      instrumentId: prop.instrumentId,
      qtyT: prop.qtyT,
      valueFen,
      buyerFeeFen: fee,
      sellerFeeFen: fee,
      buyerReservedUseFen: proposerBuys ? prop.reserved : 0,
      sellerReservedUseT: proposerBuys ? 0 : prop.reserved,
      lockDays: this.opts.lockDays,
      countFlows: true,
      ref: `block:${this.opts.marketId}:${prop.proposalId}`,
    };
    const bad = this.ledger.transfer(transfer);
    if (bad !== null) return bad;
    // A buying proposer reserved a fee ceiling per tonne; what it did not pay goes back.
    if (proposerBuys && prop.reserved > valueFen + fee)
      this.ledger.releaseCash(buyerId, prop.reserved - valueFen - fee);
    prop.reserved = 0;
    prop.status = 'accepted';
    const trade: TradeRecord = {
      tradeId: this.opts.nextTradeId(),
      tsMs,
      marketId: this.opts.marketId,
      instrumentId: prop.instrumentId,
      mode: 'block',
      buyerId,
      sellerId,
      priceFen: prop.priceFen,
      qtyT: prop.qtyT,
      buyerFeeFen: fee,
      sellerFeeFen: fee,
      makerRef: prop.proposalId,
      takerRef: 0,
      aggressor: proposerBuys ? 'sell' : 'buy',
      ref: `proposal ${prop.proposalId}`,
    };
    prop.tradeId = trade.tradeId;
    this.opts.onTrade(trade);
    return ok(trade);
  }

  /** The other side answers with new terms: a new proposal back to the proposer; this one closes. */
  counter(
    tsMs: number,
    proposalId: number,
    accountId: number,
    priceFen: number,
    qtyT: number,
  ): Result<Readonly<Proposal>> {
    const p = this.openFor(proposalId, accountId);
    if (!p.ok) return p;
    const old = p.value;
    const side: SideName = old.side === 'buy' ? 'sell' : 'buy';
    const bad = this.checkTerms(old.instrumentId, side, priceFen, qtyT);
    if (bad !== null) return bad;
    const reserved = this.reserve(accountId, side, old.instrumentId, priceFen, qtyT);
    if (!reserved.ok) return reserved;
    this.close(old, 'countered');
    const next: Proposal = {
      proposalId: this.nextId++,
      tsMs,
      proposerId: accountId,
      counterpartyId: old.proposerId,
      side,
      instrumentId: old.instrumentId,
      priceFen,
      qtyT,
      parentId: old.proposalId,
      status: 'open',
      tradeId: null,
      reserved: reserved.value,
    };
    this.proposals.set(next.proposalId, next);
    return ok(next);
  }

  /** The named counterparty declines. */
  rejectProposal(proposalId: number, accountId: number): Result<Readonly<Proposal>> {
    const p = this.proposals.get(proposalId);
    if (p === undefined) return reject('UnknownProposal', `there is no block proposal ${proposalId}`);
    if (p.status !== 'open') return reject('ProposalClosed', `block proposal ${proposalId} is already ${p.status}`);
    if (p.counterpartyId !== accountId)
      return reject('NotOwner', `only the named counterparty may reject block proposal ${proposalId}`);
    this.close(p, 'rejected');
    return ok(p);
  }

  /** The proposer takes its proposal back. */
  withdraw(proposalId: number, accountId: number): Result<Readonly<Proposal>> {
    const p = this.proposals.get(proposalId);
    if (p === undefined) return reject('UnknownProposal', `there is no block proposal ${proposalId}`);
    if (p.status !== 'open') return reject('ProposalClosed', `block proposal ${proposalId} is already ${p.status}`);
    if (p.proposerId !== accountId) return reject('NotOwner', `block proposal ${proposalId} is another account's`);
    this.close(p, 'withdrawn');
    return ok(p);
  }

  /** Session end: every open proposal expires and its reservation is released. Returns how many expired. */
  expireAll(): number {
    let n = 0;
    for (const p of this.proposals.values()) {
      if (p.status === 'open') {
        this.close(p, 'expired');
        n++;
      }
    }
    return n;
  }

  private openFor(proposalId: number, accountId: number): Result<Proposal> {
    const p = this.proposals.get(proposalId);
    if (p === undefined) return reject('UnknownProposal', `there is no block proposal ${proposalId}`);
    if (p.status !== 'open') return reject('ProposalClosed', `block proposal ${proposalId} is already ${p.status}`);
    if (p.proposerId === accountId) return reject('SelfDeal', `block proposal ${proposalId} is your own`);
    if (p.counterpartyId !== null && p.counterpartyId !== accountId)
      return reject('NotOwner', `block proposal ${proposalId} is addressed to another account`);
    if (!this.ledger.has(accountId)) return reject('UnknownAccount', `there is no account ${accountId}`);
    return ok(p);
  }

  private checkTerms(instrumentId: string, side: SideName, priceFen: number, qtyT: number): Rejection | null {
    const s = this.opts.spec;
    if (!this.opts.hasInstrument(instrumentId))
      return reject('UnknownInstrument', `instrument ${instrumentId} is not traded here`);
    if (side !== 'buy' && side !== 'sell') return reject('BadInput', 'side must be "buy" or "sell"');
    if (!isPos(priceFen)) return reject('BadInput', `the price ${priceFen} fen is not a positive whole number of fen`);
    if (!isPos(qtyT)) return reject('BadInput', `the quantity ${qtyT} t is not a positive whole number of tonnes`);
    if (qtyT < s.minQtyT) return reject('BelowBlockMinimum', `a block trade is at least ${s.minQtyT} t`);
    if (priceFen % s.tickFen !== 0)
      return reject('BadInput', `the price ${fenToCny(priceFen)} CNY is not on the tick (${fenToCny(s.tickFen)} CNY)`);
    if (qtyT % s.lotT !== 0)
      return reject('BadInput', `the quantity ${qtyT} t is not a multiple of the lot, ${s.lotT} t`);
    if (!Number.isSafeInteger(priceFen * qtyT)) return reject('Overflow', 'price times quantity is too large');
    const ref = this.opts.previousCloseFen(instrumentId);
    if (ref <= 0) return reject('NoReferencePrice', `${instrumentId} has no previous close to set the block band`);
    const [lowFen, highFen] = bandEdges(ref, s.bandBps, s.tickFen);
    if (priceFen < lowFen || priceFen > highFen)
      return reject(
        'PriceOutsideBand',
        `${fenToCny(priceFen)} CNY is outside the band (${fenToCny(lowFen)}-${fenToCny(highFen)} CNY)`,
      );
    return null;
  }

  private reserve(
    accountId: number,
    side: SideName,
    instrumentId: string,
    priceFen: number,
    qtyT: number,
  ): Result<number> {
    if (side === 'buy') {
      const fen = (priceFen + feeCeilPerTonneFen(priceFen, this.opts.spec.feeBps)) * qtyT;
      const r = this.ledger.reserveCash(accountId, fen);
      return r === null ? ok(fen) : r;
    }
    const r = this.ledger.reserveQty(accountId, instrumentId, qtyT);
    return r === null ? ok(qtyT) : r;
  }

  private close(p: Proposal, status: ProposalStatus): void {
    if (p.reserved > 0) {
      if (p.side === 'buy') this.ledger.releaseCash(p.proposerId, p.reserved);
      else this.ledger.releaseQty(p.proposerId, p.instrumentId, p.reserved);
    }
    p.reserved = 0;
    p.status = status;
  }
}
