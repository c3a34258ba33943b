// Rounds of a class (src/live/rounds.ts): the instructor starts the next round (a practice round, or the next that
// counts, roles kept or redrawn) and reads every round's results; a student reads the rounds too (their own rows
// only while the leaderboard is hidden) and switches their own automatic surrender on the deadline day.
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { Classroom } from '../../live/classroom.ts';
import type { RoundResult, RoundView } from '../../live/rounds.ts';
import { fenToCny } from '../../market/money.ts';
import { fail, needInstructor, needStudent, principalOf, roomOf } from '../http.ts';
import type { Hub } from '../hub.ts';
import { ClassroomParams, errors } from '../schemas.ts';
import { cstTime } from '../views.ts';

const Phase = Type.Union([Type.Literal('lobby'), Type.Literal('trading'), Type.Literal('over')]);
const Roles = Type.Union([Type.Literal('fixed'), Type.Literal('redraw')], {
  description: 'fixed: every student keeps their firm; redraw: the firms are shuffled among the students (seeded)',
});
const Out = (props: Parameters<typeof Type.Object>[0]) => Type.Object(props, { additionalProperties: false });

export const RoundOut = Out({
  number: Type.Integer({ description: '1, 2, 3 ... for the rounds that count; 0 for a practice round' }),
  practice: Type.Boolean(),
  phase: Phase,
  roles: Roles,
  deadline: Type.String({ description: "the round's compliance deadline, YYYY-MM-DD" }),
});

const RoundResultOut = Out({
  number: Type.Integer(),
  practice: Type.Boolean(),
  roles: Roles,
  deadline: Type.String(),
  endedTsMs: Type.Number(),
  ended: Type.String({ description: 'when the round ended, exchange time (China Standard Time)' }),
  students: Type.Array(
    Out({
      studentId: Type.Integer(),
      name: Type.String(),
      firmName: Type.String(),
      profitCny: Type.String({ description: 'CNY, may be negative' }),
      complianceCostCny: Type.String({ description: 'CNY, may be negative' }),
      fineCny: Type.String(),
      status: Type.Union([Type.Literal('open'), Type.Literal('met'), Type.Literal('short')]),
    }),
  ),
});

export const RoundBody = Type.Object(
  {
    practice: Type.Optional(Type.Boolean({ description: 'a practice round (number 0, flagged in the results)' })),
    roles: Type.Optional(Roles),
  },
  { additionalProperties: false },
);

const AutoSurrenderBody = Type.Object({ enabled: Type.Boolean() }, { additionalProperties: false });

export function roundView(r: RoundView) {
  return { number: r.number, practice: r.practice, phase: r.phase, roles: r.roles, deadline: r.deadline };
}

/** A round's results, every student's or only one's. */
export function roundResultView(r: RoundResult, onlyStudentId: number | null = null) {
  return {
    number: r.number,
    practice: r.practice,
    roles: r.roles,
    deadline: r.deadline,
    endedTsMs: r.endedTsMs,
    ended: cstTime(r.endedTsMs),
    students: r.students
      .filter((s) => onlyStudentId === null || s.studentId === onlyStudentId)
      .map((s) => ({
        studentId: s.studentId,
        name: s.name,
        firmName: s.firmName,
        profitCny: fenToCny(s.profitFen),
        complianceCostCny: fenToCny(s.complianceCostFen),
        fineCny: fenToCny(s.fineFen),
        status: s.status,
      })),
  };
}

/** The classroom and, for a student of it, their id (their own rows only while the leaderboard is hidden). */
function reader(
  hub: Hub,
  req: Parameters<typeof principalOf>[1],
  cid: string,
): { room: Classroom; only: number | null } {
  const p = principalOf(hub, req);
  if (p?.role === 'student' && p.classroomId === cid) {
    const room = roomOf(hub, cid);
    return { room, only: room.leaderboardVisible ? null : p.studentId };
  }
  return { room: needInstructor(hub, req, cid), only: null };
}

export function roundRoutes(app: FastifyInstance, hub: Hub): void {
  const tags = ['rounds'];
  const security = [{ bearer: [] }];

  app.post<{ Params: { cid: string }; Body: { practice?: boolean; roles?: 'fixed' | 'redraw' } }>(
    '/api/classrooms/:cid/rounds',
    {
      schema: {
        tags,
        security,
        params: ClassroomParams,
        body: RoundBody,
        description:
          'Starts the next round: from the lobby, in the world the students joined; otherwise a fresh world from the ' +
          "scenario's start with every student admitted again (a round still trading is ended first, its results " +
          'kept). practice: a practice round (number 0); roles: fixed (default) or redraw.',
        response: { 200: Out({ round: RoundOut }), ...errors },
      },
    },
    async (req) => {
      const room = needInstructor(hub, req, req.params.cid);
      const { practice = false, roles = 'fixed' } = req.body ?? {};
      const r = await hub.exec(room, { op: 'round', practice, roles });
      if (!r.ok) fail(r);
      return { round: roundView(r.value) };
    },
  );

  app.get<{ Params: { cid: string } }>(
    '/api/classrooms/:cid/rounds',
    {
      schema: {
        tags,
        security,
        params: ClassroomParams,
        description:
          "The round now and every finished round's results (the instructor's token, or a student's of the class: " +
          'their own rows only while the leaderboard is hidden).',
        response: { 200: Out({ current: RoundOut, results: Type.Array(RoundResultOut) }), ...errors },
      },
    },
    async (req) => {
      const { room, only } = reader(hub, req, req.params.cid);
      return { current: roundView(room.round()), results: room.roundResults().map((r) => roundResultView(r, only)) };
    },
  );

  app.put<{ Body: { enabled: boolean } }>(
    '/api/me/auto-surrender',
    {
      schema: {
        tags,
        security,
        body: AutoSurrenderBody,
        description:
          'Your own automatic surrender on the deadline day (on by default): the classroom surrenders what you hold, ' +
          'up to what you owe, before the market settles the cycle.',
        response: { 200: Out({ enabled: Type.Boolean() }), ...errors },
      },
    },
    async (req) => {
      const { room, studentId } = needStudent(hub, req);
      const r = await hub.exec(room, { op: 'auto-surrender', studentId, enabled: req.body.enabled });
      if (!r.ok) fail(r);
      return { enabled: r.value };
    },
  );
}
