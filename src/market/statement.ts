// Account statements: what a person reads. Amounts become decimal strings in CNY here, at the boundary, through
// money.ts (its decimal arithmetic); everything upstream stays integer fen and tonnes.

import type { Ledger, RecordKind } from './ledger.ts';
import { fenToCny } from './money.ts';

export interface Statement {
  readonly accountId: number;
  readonly cashCny: string;
  readonly reservedCny: string;
  readonly availableCny: string;
  readonly holdings: readonly {
    readonly instrumentId: string;
    readonly totalT: number;
    readonly reservedT: number;
    /** Bought and not yet sellable (T+1). */
    readonly lockedT: number;
    readonly availableT: number;
  }[];
  /** Money and allowances that entered or left this account by record (trades are on the trade tape). */
  readonly entries: readonly {
    readonly seq: number;
    readonly tsMs: number;
    readonly kind: RecordKind;
    readonly instrumentId: string | null;
    readonly qtyT: number;
    readonly cashCny: string;
    readonly ref: string;
  }[];
}

export function statement(ledger: Ledger, accountId: number): Statement | null {
  const a = ledger.account(accountId);
  if (a === null) return null;
  return {
    accountId,
    cashCny: fenToCny(a.cashFen),
    reservedCny: fenToCny(a.reservedFen),
    availableCny: fenToCny(a.availableFen),
    holdings: ledger.holdings(accountId).map(([instrumentId, h]) => ({ instrumentId, ...h })),
    entries: ledger
      .records()
      .filter((r) => r.accountId === accountId)
      .map((r) => ({
        seq: r.seq,
        tsMs: r.tsMs,
        kind: r.kind,
        instrumentId: r.instrumentId,
        qtyT: r.qtyT,
        cashCny: fenToCny(r.cashFen),
        ref: r.ref,
      })),
  };
}
