// Everything that changes a classroom, as data: the registry of commands, gathered from the slices that define
// them (each beside the code it runs: orders.ts, students.ts, timeline.ts, blocks.ts, compliance.ts, auctions.ts,
// rounds.ts, presence.ts, and lifecycle.ts for the classroom as a whole). The server turns each request into a
// LiveCommand and applies it here; an accepted command is what the journal keeps, and replaying the same commands on a classroom built from
// the same settings gives the same state (the classroom is deterministic: time reaches it only as `tick` commands,
// never from a clock). A refused command changes nothing and is not kept.
import type Type from 'typebox';
import Value from 'typebox/value';
import { auctionCommands } from './auctions.ts';
import { blockCommands } from './blocks.ts';
import type { Classroom } from './classroom.ts';
import type { CommandDef, ValueOf } from './command.ts';
import { complianceCommands } from './compliance.ts';
import { LiveCode, type LiveResult, refuse } from './errors.ts';
import { lifecycleCommands } from './lifecycle.ts';
import { orderCommands } from './orders.ts';
import { presenceCommands } from './presence.ts';
import { roundCommands } from './rounds.ts';
import { studentCommands } from './students.ts';
import { timelineCommands } from './timeline.ts';

export const COMMANDS = {
  ...lifecycleCommands,
  ...studentCommands,
  ...orderCommands,
  ...blockCommands,
  ...complianceCommands,
  ...auctionCommands,
  ...timelineCommands,
  ...roundCommands,
  ...presenceCommands,
};

type Registry = typeof COMMANDS;
export type LiveOp = keyof Registry;
type SchemaOf<K extends LiveOp> = Registry[K]['schema'];
type AnswerOf<K extends LiveOp> = ValueOf<ReturnType<Registry[K]['apply']>>;
/** A command as the journal keeps it. */
export type LiveCommand = { [K in LiveOp]: Readonly<Type.Static<SchemaOf<K>>> }[LiveOp];
export type CommandOf<K extends LiveOp> = Extract<LiveCommand, { readonly op: K }>;
export type ResultOf<K extends LiveOp> = LiveResult<AnswerOf<K>>;

const defs = COMMANDS as unknown as Record<string, CommandDef<Type.TObject, LiveResult<unknown>> | undefined>;

/** Applies one command, then settles the trades it made. Refusals change nothing. */
export function applyCommand<K extends LiveOp>(room: Classroom, cmd: CommandOf<K>): ResultOf<K> {
  const op = String((cmd as { op: unknown }).op);
  const def = Object.hasOwn(defs, op) ? defs[op] : undefined;
  if (def === undefined) return refuse(LiveCode.BadInput, `unknown command ${op.slice(0, 20)}`) as ResultOf<K>;
  const r = def.apply(room, cmd as never);
  room.settle();
  return r as ResultOf<K>;
}

/** Why a journaled command is not one this classroom knows, or null (its op and its journal form's schema). */
export function journalProblem(cmd: unknown): string | null {
  const op = (cmd as { op?: unknown } | null)?.op;
  const def = typeof op === 'string' && Object.hasOwn(defs, op) ? defs[op] : undefined;
  if (def === undefined) return `unknown command ${String(op).slice(0, 20)}`;
  if (Value.Check(def.schema, cmd)) return null;
  const first = [...Value.Errors(def.schema, cmd)][0];
  return `${op} ${first?.instancePath || ''}: ${first?.message ?? 'not of its journal form'}`;
}

/**
 * Applies journaled commands in order (from a snapshot's position or from the start) and returns the last sequence
 * number applied. Each must be of its journal form and accepted again, and none may be missing: the journal holds
 * only accepted commands and the classroom is deterministic, so a refusal or a gap means the journal does not
 * belong to this classroom.
 */
export function replayCommands(
  room: Classroom,
  entries: Iterable<{ readonly seq: number; readonly cmd: LiveCommand }>,
  afterSeq = 0,
  uptoSeq = Number.POSITIVE_INFINITY,
): number {
  let seq = afterSeq;
  for (const e of entries) {
    if (e.seq > uptoSeq) break;
    if (e.seq !== seq + 1) throw new Error(`journal of ${room.id}: entry ${seq + 1} is missing (next is ${e.seq})`);
    const bad = journalProblem(e.cmd);
    if (bad !== null) throw new Error(`journal of ${room.id}: entry ${e.seq} is not a command: ${bad}`);
    const r = applyCommand(room, e.cmd);
    if (!r.ok) throw new Error(`journal of ${room.id}: entry ${e.seq} (${e.cmd.op}) refused: ${r.code}: ${r.message}`);
    seq = e.seq;
  }
  return seq;
}
