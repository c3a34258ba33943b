// The classroom's exchange clock. A class meets at any hour, so exchange time is not wall time: it runs at `speed`
// exchange milliseconds per wall millisecond (1 = real time, 60 = a minute a second) and only through the day's
// trading windows. It jumps gaps (the lunch break) and, at the end of the last window, the day closes and the next
// trading day starts at its first window. Pure: the wall time comes in with every call.

import { minuteOfDay, tsOf } from '../market/time.ts';

/** A window of the trading day in minutes after midnight, [start, end). */
export type Window = readonly [number, number];

/** Union of session windows ("09:30"-"11:30" ...), merged and sorted. */
export function mergeWindows(sessions: readonly (readonly [string, string])[]): Window[] {
  const ws = sessions.map(([a, b]) => [minuteOfDay(a), minuteOfDay(b)] as [number, number]).sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const w of ws) {
    const last = out[out.length - 1];
    if (last !== undefined && w[0] <= last[1]) last[1] = Math.max(last[1], w[1]);
    else out.push([w[0], w[1]]);
  }
  return out;
}

export interface ClockStep {
  /** Exchange time to run to within the current day (never past the end of its last window). */
  readonly toTsMs: number;
  /** True when the day's last window has ended: close it and start the next day. */
  readonly dayOver: boolean;
}

/**
 * Where exchange time goes from `tsMs` on `date` after `exchangeMs` more of it: through the windows, skipping gaps;
 * stops at the end of the day (a day's leftover does not carry into the next: the next day starts at its open).
 */
export function stepClock(date: string, windows: readonly Window[], tsMs: number, exchangeMs: number): ClockStep {
  const day0 = tsOf(date, '00:00');
  let ts = tsMs;
  let left = Math.max(0, exchangeMs);
  for (const [a, b] of windows) {
    const start = day0 + a * 60_000;
    const end = day0 + b * 60_000;
    if (ts >= end) continue;
    if (ts < start) ts = start;
    if (ts + left < end) return { toTsMs: ts + left, dayOver: false };
    left -= end - ts;
    ts = end;
  }
  return { toTsMs: ts, dayOver: true };
}

/** The first instant of the day's first window. */
export function dayOpenTs(date: string, windows: readonly Window[]): number {
  return tsOf(date, '00:00') + (windows[0]?.[0] ?? 0) * 60_000;
}

/** Which modes' windows contain this minute, for display: "listed", "block", "listed+block" or "closed". */
export function sessionName(
  minute: number,
  listed: readonly (readonly [string, string])[],
  block: readonly (readonly [string, string])[] | null,
): string {
  const inside = (ss: readonly (readonly [string, string])[]): boolean =>
    ss.some(([a, b]) => minute >= minuteOfDay(a) && minute < minuteOfDay(b));
  const l = inside(listed);
  const k = block !== null && inside(block);
  return l && k ? 'listed+block' : l ? 'listed' : k ? 'block' : 'closed';
}
