// Cross-check between what the ledger holds in reserve and what the desks say they reserved. A leak of a single
// fen (reserved and never released) shows here; the conservation property test runs it after every command.

import type { Ledger } from './ledger.ts';

export interface Reservation {
  readonly accountId: number;
  /** null: cash (fen); otherwise tonnes of this instrument. */
  readonly instrumentId: string | null;
  readonly amount: number;
}

export interface Reserver {
  reservations(): Iterable<Reservation>;
}

/** null when, for every account, reserved cash and reserved tonnes equal the sum of the desks' reservations. */
export function checkReservations(ledger: Ledger, desks: readonly Reserver[]): string | null {
  const want = new Map<string, number>();
  for (const d of desks)
    for (const r of d.reservations()) {
      const k = `${r.accountId}|${r.instrumentId ?? ''}`;
      want.set(k, (want.get(k) ?? 0) + r.amount);
    }
  for (const id of ledger.accountIds()) {
    const cash = ledger.account(id)!.reservedFen;
    if (cash !== (want.get(`${id}|`) ?? 0))
      return `account ${id}: ledger reserves ${cash} fen, desks ${want.get(`${id}|`) ?? 0}`;
    for (const [ins, h] of ledger.holdings(id))
      if (h.reservedT !== (want.get(`${id}|${ins}`) ?? 0))
        return `account ${id} ${ins}: ledger reserves ${h.reservedT} t, desks ${want.get(`${id}|${ins}`) ?? 0}`;
  }
  return null;
}
