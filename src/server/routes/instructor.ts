// The instructor's controls: create a classroom (admin token), issue students, start / pause / resume / end, speed,
// bot intensity, seats, the class's automatic surrender and the leaderboard's visibility, fire the scenario's shocks,
// move the deadline, and the final report. Rounds: routes/rounds.ts.
import { readdirSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { Classroom } from '../../live/classroom.ts';
import { LiveCode, refuse } from '../../live/errors.ts';
import { fenToCny } from '../../market/money.ts';
import { SCENARIO_DIR } from '../../store/scenario-files.ts';
import { fail, HttpError, needInstructor, principalOf } from '../http.ts';
import type { Hub } from '../hub.ts';
import {
  ClassroomOut,
  ClassroomParams,
  CreateClassroomBody,
  DeadlineBody,
  errors,
  NewsOut,
  ReportOut,
  SettingsBody,
  ShockBody,
  StudentParams,
  StudentsBody,
  TimelineOut,
} from '../schemas.ts';
import { classroomView, leaderboardView, newsView } from '../views.ts';
import type { Streams } from '../ws/streams.ts';

type P = { Params: { cid: string } };
type Settings = {
  speed?: number;
  botIntensity?: number;
  seats?: number | null;
  autoSurrender?: boolean;
  leaderboardVisible?: boolean;
};

export function reportView(room: Classroom) {
  const home = room.homeMarket();
  const tape = room.trades(home.marketId);
  return {
    classroom: classroomView(room),
    leaderboard: leaderboardView(room),
    compliance: room.studentList().map((s) => {
      const c = room.complianceOf(s.studentId);
      return {
        name: s.name,
        firm: s.firmName,
        obligationT: c?.obligationT ?? 0,
        surrenderedT: c?.surrenderedT ?? 0,
        shortT: c === null ? 0 : Math.max(c.shortfallT, c.remainingT),
        fineCny: fenToCny(c?.fineFen ?? 0),
        status: c?.status ?? 'open',
      };
    }),
    market: {
      trades: tape.length,
      volumeT: tape.reduce((s, t) => s + t.qtyT, 0),
      lastCny: fenToCny(room.lastPriceFen(home.marketId, home.instrumentId)),
    },
  };
}

/** The scenarios shipped in scenarios/ (by name): the only ones a classroom created over HTTP may use. */
export function shippedScenarios(): string[] {
  return readdirSync(SCENARIO_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

export function instructorRoutes(
  app: FastifyInstance,
  hub: Hub,
  streams: Streams,
  defaults: { scenario: string; seed: number },
): void {
  const scenarios = new Set(shippedScenarios());
  const tags = ['instructor'];
  const security = [{ bearer: [] }];
  const schema = (extra: object, out: object = ClassroomOut) => ({
    schema: { tags, security, params: ClassroomParams, ...extra, response: { 200: out, ...errors } },
  });

  app.post<{ Body: { name: string; scenario?: string; speed?: number; botIntensity?: number; seed?: number } }>(
    '/api/classrooms',
    {
      schema: {
        tags,
        security,
        body: CreateClassroomBody,
        response: {
          200: Type.Object({ id: Type.String(), instructorToken: Type.String(), joinCode: Type.String() }),
          ...errors,
        },
      },
    },
    async (req) => {
      const p = principalOf(hub, req);
      if (p === null) throw new HttpError('UNAUTHORIZED', 'the admin token is needed to create a classroom');
      if (p.role !== 'admin') throw new HttpError('FORBIDDEN', 'only the admin token may create classrooms');
      const b = req.body;
      if (b.scenario !== undefined && !scenarios.has(b.scenario))
        fail(
          refuse(
            LiveCode.BadInput,
            `there is no scenario "${b.scenario}"; the shipped ones are ${[...scenarios].join(', ')}`,
          ),
        );
      const r = hub.create({
        name: b.name,
        scenario: b.scenario ?? defaults.scenario,
        seed: b.seed ?? defaults.seed,
        speed: b.speed ?? 60,
        botIntensity: b.botIntensity ?? 1,
      });
      if (!r.ok) fail({ ...r, code: r.code === 'SIM_ERR_SCENARIO' ? 'LIVE_ERR_BAD_INPUT' : r.code });
      return { id: r.value.room.id, instructorToken: r.value.instructorToken, joinCode: r.value.joinCode };
    },
  );

  app.get<P>(
    '/api/classrooms/:cid/admin',
    schema(
      {},
      Type.Object({
        classroom: ClassroomOut,
        joinCode: Type.Union([Type.String(), Type.Null()]),
        seats: Type.Integer({ description: 'how many students the classroom takes in all' }),
        seatCap: Type.Union([Type.Integer(), Type.Null()], { description: "the instructor's cap, or null" }),
        students: Type.Array(
          Type.Object({
            studentId: Type.Integer(),
            name: Type.String(),
            firm: Type.String(),
            accountId: Type.Integer(),
            revoked: Type.Boolean(),
          }),
        ),
        timeline: Type.Array(TimelineOut),
      }),
    ),
    async (req) => {
      const room = needInstructor(hub, req, req.params.cid);
      return {
        classroom: classroomView(room),
        joinCode: hub.joinCode(room.id),
        seats: room.seats(),
        seatCap: room.seatCap,
        students: room.studentList().map((s) => ({
          studentId: s.studentId,
          name: s.name,
          firm: s.firmName,
          accountId: s.accountId,
          revoked: room.isRevoked(s.studentId),
        })),
        timeline: room.timelineView(),
      };
    },
  );

  app.post<P & { Body: { names: string[] } }>(
    '/api/classrooms/:cid/students',
    schema(
      { body: StudentsBody },
      Type.Object({
        students: Type.Array(Type.Object({ studentId: Type.Integer(), name: Type.String(), token: Type.String() })),
      }),
    ),
    async (req) => {
      const room = needInstructor(hub, req, req.params.cid);
      // The whole list is checked before anyone is added: a bad or taken name, or too many names, adds nobody.
      const names = room.admitNames(req.body.names);
      if (!names.ok) fail(names);
      const out = [];
      for (const n of names.value) {
        const r = hub.addStudent(room, n);
        if (!r.ok) fail(r);
        out.push({ studentId: r.value.studentId, name: r.value.name, token: r.value.token });
      }
      const d = await hub.durable();
      if (!d.ok) fail(d);
      return { students: out };
    },
  );

  app.post<{ Params: { cid: string; studentId: number } }>(
    '/api/classrooms/:cid/students/:studentId/revoke',
    {
      schema: {
        tags,
        security,
        params: StudentParams,
        description:
          "Revokes a student's token at once: its requests are refused (401) and its WebSocket connections closed. " +
          'The firm, its holdings and its resting orders stay.',
        response: { 200: Type.Object({ studentId: Type.Integer(), revoked: Type.Boolean() }), ...errors },
      },
    },
    async (req) => {
      const room = needInstructor(hub, req, req.params.cid);
      const r = await hub.exec(room, { op: 'revoke', studentId: req.params.studentId });
      if (!r.ok) fail(r);
      streams.closeStudent(room, r.value);
      return { studentId: r.value, revoked: true };
    },
  );

  for (const action of ['start', 'pause', 'resume', 'end'] as const)
    app.post<P>(`/api/classrooms/:cid/${action}`, schema({}), async (req) => {
      const room = needInstructor(hub, req, req.params.cid);
      const r = await hub.control(room, action);
      if (!r.ok) fail(r);
      return classroomView(room);
    });

  app.patch<P & { Body: Settings }>('/api/classrooms/:cid', schema({ body: SettingsBody }), async (req) => {
    const room = needInstructor(hub, req, req.params.cid);
    const bad = room.settingsProblem(req.body);
    if (bad !== null) fail(bad);
    const { seats, autoSurrender, leaderboardVisible } = req.body;
    if (req.body.speed !== undefined) hub.apply(room, { op: 'speed', speed: req.body.speed });
    if (req.body.botIntensity !== undefined) hub.apply(room, { op: 'bots', intensity: req.body.botIntensity });
    if (seats !== undefined) hub.apply(room, { op: 'seats', seats });
    if (autoSurrender !== undefined) hub.apply(room, { op: 'auto-surrender', studentId: null, enabled: autoSurrender });
    if (leaderboardVisible !== undefined) hub.apply(room, { op: 'leaderboard', visible: leaderboardVisible });
    const d = await hub.durable();
    if (!d.ok) fail(d);
    return classroomView(room);
  });

  app.post<P & { Body: { index: number } }>(
    '/api/classrooms/:cid/shocks',
    schema({ body: ShockBody }, NewsOut),
    async (req) => {
      const room = needInstructor(hub, req, req.params.cid);
      const r = await hub.exec(room, { op: 'fire', index: req.body.index });
      if (!r.ok) fail(r);
      return newsView(r.value);
    },
  );

  app.post<P & { Body: { date: string } }>(
    '/api/classrooms/:cid/deadline',
    schema({ body: DeadlineBody }),
    async (req) => {
      const room = needInstructor(hub, req, req.params.cid);
      const r = await hub.exec(room, { op: 'deadline', date: req.body.date });
      if (!r.ok) fail(r);
      return classroomView(room);
    },
  );

  app.get<P>(
    '/api/classrooms/:cid/state',
    {
      schema: {
        tags,
        security,
        params: ClassroomParams,
        description:
          "The classroom's journal position and the sha256 of its whole state (books, accounts, compliance, bots, " +
          'students) at that position, with the books checked: after a restart, the same position gives the same hash.',
        response: {
          200: Type.Object({
            classroomId: Type.String(),
            seq: Type.Integer(),
            hash: Type.String(),
            date: Type.String(),
            integrity: Type.String(),
          }),
          ...errors,
        },
      },
    },
    async (req) => {
      const room = needInstructor(hub, req, req.params.cid);
      const { seq, hash } = hub.state(room);
      return { classroomId: room.id, seq, hash, date: room.date, integrity: room.integrity() ?? 'ok' };
    },
  );

  app.get<P>('/api/classrooms/:cid/report', schema({}, ReportOut), async (req) =>
    reportView(needInstructor(hub, req, req.params.cid)),
  );
}
