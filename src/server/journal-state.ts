// Whether the server can record changes, as the hub tells the WebSocket layer and the logs, and the words for a
// change that could not be recorded.
import type { JournalError } from '../store/journal.ts';

/** Whether changes can be recorded: what the WebSocket layer and the logs are told when it changes. */
export type JournalState =
  | { readonly writable: true }
  | {
      readonly writable: false;
      /** False: the server writes again by itself once the disk has room; true: only a restart brings it back. */
      readonly needsRestart: boolean;
      /** Why, in words (the disk is full, an fsync failed). */
      readonly reason: string;
      /** Wall time it stopped writing, ms. */
      readonly sinceMs: number;
    };

/** How often, in wall ms, a server whose disk was full tries to write again (from its clock ticks). */
export const RESUME_EVERY_MS = 1_000;

/** Why an applied command is not acknowledged: its commit failed (not recorded) or its fsync did (not known). */
export function notRecorded(e: unknown): string {
  const err = e as Partial<JournalError> | null;
  const why = err?.message?.replace(/^the journal could not be written: /, '') ?? 'its journal failed';
  return err?.retryable === true
    ? `the server could not record this change (${why}); nothing was done`
    : `the server could not confirm that this change reached its disk (${why}); it is not acknowledged, and may or may not be there after the server restarts`;
}

/** A wall time as the operator reads it (local time of day). */
export function clockText(ms: number): string {
  return new Date(ms).toLocaleTimeString('en-GB', { hour12: false });
}

/** Why a change is refused while the journal does not write (`p`: why it does not, or null if it just broke). */
export function refusalText(p: Exclude<JournalState, { writable: true }> | null): string {
  if (p === null || !p.needsRestart)
    return `the server cannot record changes right now (${p?.reason ?? 'its journal failed'}); nothing was done. Reading works; changes are taken again once its disk has room`;
  return `the server cannot record changes (${p.reason}) and needs a restart; nothing was done, and nothing acknowledged is lost`;
}
