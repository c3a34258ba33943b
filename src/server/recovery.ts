// Bringing a classroom back from the store: the newest snapshot that restores and hashes to what was stored, then
// (the hub) the journal after it. Snapshots of another layout (an older version of the classroom) do not restore
// and are skipped like damaged ones: the journal then replays from the start.
import { createHash } from 'node:crypto';
import type { Classroom } from '../live/classroom.ts';
import { encodeClassroom, restoreClassroom } from '../live/classroom-state.ts';
import type { Journal } from '../store/journal.ts';

/**
 * A classroom built by `build` with the newest of its snapshots that restores and hashes to what was stored (a
 * damaged one is skipped for the one before; with none, a fresh one to replay the whole journal into).
 */
export function newestGoodSnapshot(
  journal: Journal | null,
  classroomId: string,
  build: () => Classroom,
): { room: Classroom; from: number; skipped: number } {
  let skipped = 0;
  const last = journal?.lastSeq(classroomId) ?? 0;
  for (const snap of journal?.snapshots(classroomId) ?? []) {
    // A snapshot ahead of its journal (written by a version that snapshotted refused commands) holds commands
    // the journal does not: the one before it is used.
    if (snap.seq > last) {
      skipped++;
      continue;
    }
    const room = build();
    try {
      if (snap.state !== null) {
        restoreClassroom(room, snap.state);
        if (stateHash(room) === snap.hash) return { room, from: snap.seq, skipped };
      }
    } catch {
      // Falls through to the snapshot before (the half-restored classroom is dropped).
    }
    skipped++;
  }
  return { room: build(), from: 0, skipped };
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The hash of everything a classroom holds (books, accounts, compliance, bots, students): equal states, equal hashes. */
export function stateHash(room: Classroom): string {
  return sha256(encodeClassroom(room));
}
