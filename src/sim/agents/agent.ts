// What every agent is to the simulator: a name (its random stream's key), the venue it trades, its account, how
// often it wants to look at the market today, and what it does when it looks. Agents are small policies; each file
// in this folder documents one.

import type { Venue } from './venue.ts';

export interface Agent {
  readonly name: string;
  readonly venue: Venue;
  readonly accountId: number;
  /**
   * Expected number of looks today, before the venue's activity multiplier; fixed times come from fixedWakes.
   * Implementations return a value the compiler can see is a number (`+this.p.wakesPerDay`, not a parameter read
   * as is): the daily draw inlines them all, and one result it cannot type made it box a compliance agent's
   * computed rate, a heap number per agent per day.
   */
  wakesToday(date: string): number;
  /** Session minutes (0 = the first minute of the listed sessions) at which the agent always wakes, or null. */
  fixedWakes?(): readonly number[] | null;
  /** One look at the market at tsMs; inBlockSession: the block window is open. */
  act(tsMs: number, inBlockSession: boolean): void;
}
