// A classroom rebuilt from nothing but its settings and its whole journal (no snapshot): what the crash test and
// `cets journal` compare a running or restarted server against.
import type { Classroom } from '../live/classroom.ts';
import { replayCommands } from '../live/commands.ts';
import type { RunContext } from '../sim/run.ts';
import { Journal } from '../store/journal.ts';
import { LiveDb } from '../store/live-db.ts';
import { buildClassroom } from './classroom-settings.ts';
import { stateHash } from './hub.ts';

export interface Replayed {
  readonly room: Classroom;
  /** Last journal entry applied. */
  readonly seq: number;
  readonly hash: string;
  /** Why the books do not add up, or null. */
  readonly integrity: string | null;
  readonly snapshots: number;
}

/** Replays classroom `classroomId` of the data folder up to journal entry `uptoSeq` (default: all of it). */
export function replayJournal(ctx: RunContext, dataDir: string, classroomId: string, uptoSeq = Infinity): Replayed {
  const db = new LiveDb(dataDir);
  try {
    const row = db.classrooms().find((r) => r.id === classroomId);
    if (row === undefined) throw new Error(`there is no classroom ${classroomId} in ${dataDir}`);
    const journal = new Journal(db.handle);
    const room = buildClassroom(ctx, row);
    const seq = replayCommands(room, journal.entries(row.id), 0, uptoSeq);
    const snapshots = [...journal.snapshots(row.id)].length;
    return { room, seq, hash: stateHash(room), integrity: room.integrity(), snapshots };
  } finally {
    db.close();
  }
}
