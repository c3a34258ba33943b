// Whether a student is at their desk, as the server sees it: their pages' WebSocket connections. When a student's
// last connection has been closed for the grace period (wall time, AWAY_AFTER_MS unless set), the hub journals
// `away` (a bot runs their firm: src/live/presence.ts); when one of their pages connects again, `back`. A page
// reloaded or a network blip within the grace period changes nothing. The WebSocket layer reports connections
// (ws/streams.ts); the hub's clock tick sweeps (hub.ts).
import type { Classroom } from '../live/classroom.ts';
import type { Hub } from './hub.ts';

/** How long a student's pages must all have been closed before a bot takes over their firm. */
export const AWAY_AFTER_MS = 30_000;

export class PresenceWatch {
  private readonly hub: Hub;
  graceMs = AWAY_AFTER_MS;
  /** Open connections per student ("classroom/student"). */
  private readonly open = new Map<string, number>();
  /** When each student's last connection closed (wall ms), until they are away or back. */
  private readonly closedAt = new Map<string, { room: Classroom; studentId: number; atMs: number }>();

  constructor(hub: Hub) {
    this.hub = hub;
  }

  /** How many pages of the student's are connected now. */
  pagesOpen(room: Classroom, studentId: number): number {
    return this.open.get(`${room.id}/${studentId}`) ?? 0;
  }

  /** A page of the student's connected: they are back if they were away. */
  opened(room: Classroom, studentId: number): void {
    const key = `${room.id}/${studentId}`;
    this.open.set(key, (this.open.get(key) ?? 0) + 1);
    this.closedAt.delete(key);
    if (room.isAway(studentId)) this.hub.apply(room, { op: 'back', studentId });
  }

  /** A page of the student's disconnected: the grace period starts when it was their last. */
  closed(room: Classroom, studentId: number, nowMs: number): void {
    const key = `${room.id}/${studentId}`;
    const n = (this.open.get(key) ?? 1) - 1;
    if (n > 0) {
      this.open.set(key, n);
      return;
    }
    this.open.delete(key);
    this.closedAt.set(key, { room, studentId, atMs: nowMs });
  }

  /** Students whose pages have all been closed for the grace period are away (the hub's tick calls this). */
  sweep(nowMs: number): void {
    for (const [key, c] of this.closedAt) {
      if (nowMs - c.atMs < this.graceMs) continue;
      const gone = this.hub.rooms.get(c.room.id) !== c.room || c.room.state === 'ended';
      // Tried again at the next tick when the journal refuses it (a full disk).
      if (gone || c.room.isAway(c.studentId) || this.hub.apply(c.room, { op: 'away', studentId: c.studentId }).ok)
        this.closedAt.delete(key);
    }
  }
}
