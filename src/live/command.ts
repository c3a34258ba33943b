// How a slice defines a command: its journal form as a schema (the one definition the command's type is read
// from), and how it applies to a classroom. Each slice keeps its commands beside the code they run
// (orders.ts, students.ts, ...); commands.ts only gathers them, so adding a command touches one file.
import Type from 'typebox';
import type { Classroom } from './classroom.ts';
import type { LiveResult } from './errors.ts';

export interface CommandDef<S extends Type.TObject, R extends LiveResult<unknown>> {
  /** The command as the journal keeps it (fen, tonnes, ids), checked when a journal is read back. */
  readonly schema: S;
  /** Applies it; a refusal changes nothing. Trades it makes reach the slices after it returns (RoomContext.settle). */
  readonly apply: (room: Classroom, cmd: Type.Static<S>) => R;
}

export function command<S extends Type.TObject, R extends LiveResult<unknown>>(
  schema: S,
  apply: (room: Classroom, cmd: Type.Static<S>) => R,
): CommandDef<S, R> {
  return { schema, apply };
}

/** What an accepted command answers (the value of its result). */
export type ValueOf<R> = R extends { readonly ok: true; readonly value: infer V } ? V : never;

/** The journal form's pieces shared by several commands. */
export const J = {
  op: <K extends string>(op: K) => Type.Literal(op),
  id: Type.Number(),
  qty: Type.Number(),
  fen: Type.Number(),
  text: Type.String({ maxLength: 200 }),
  side: Type.Union([Type.Literal('buy'), Type.Literal('sell')]),
};
