// Running classrooms from the instructor page: the addresses students open (lan.ts), the join screen's QR code, the
// scenarios a classroom may be made from, and (with the admin token) the list of classrooms, reset and delete.
// Creating one is POST /api/classrooms (instructor.ts), then PATCH /api/classrooms/:cid for its seats.
//
// Reset: the same settings (name, scenario, seed, speed, bots, seats) afresh under the same id: its journal,
// snapshots and students are dropped, and it gets a new join code and instructor token. Delete: gone, the default
// classroom excepted (a restart would make it again; reset it instead).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import Type from 'typebox';
import type { LiveDb } from '../../store/live-db.ts';
import { SCENARIO_DIR } from '../../store/scenario-files.ts';
import { fail, HttpError, needInstructor, principalOf, roomOf } from '../http.ts';
import type { Hub } from '../hub.ts';
import { subsetName, subsetProblem, subsetScenario } from '../scenario-subset.ts';
import { ClassroomParams, errors } from '../schemas.ts';
import { cstTime } from '../views.ts';
import type { Streams } from '../ws/streams.ts';
import { shippedScenarios } from './instructor.ts';

export interface AdminOptions {
  /** The base URLs students open, best first. */
  readonly addresses: () => string[];
  readonly db: LiveDb;
  /** The data folder: a classroom on some of a scenario's markets has its scenario file there (scenarios/). */
  readonly dataDir: string;
  /** The seed of a classroom made without one. */
  readonly seed: number;
  /** The default classroom got a new instructor token (a reset): app.ts keeps it in the data folder. */
  readonly defaultTokenChanged: (token: string) => void;
}

export interface ScenarioInfo {
  id: string;
  title: string;
  from: string;
  to: string;
  markets: { id: string; instrument: string }[];
}

/** What the create form lists of each shipped scenario: its title, period and markets. */
export function scenarioInfos(): ScenarioInfo[] {
  return shippedScenarios().map((id) => {
    const s = JSON.parse(readFileSync(join(SCENARIO_DIR, `${id}.json`), 'utf8')) as {
      title?: string;
      period?: { from?: string; to?: string };
      markets?: { id: string; instrument: string }[];
    };
    return {
      id,
      title: s.title ?? id,
      from: s.period?.from ?? '',
      to: s.period?.to ?? '',
      markets: (s.markets ?? []).map((m) => ({ id: m.id, instrument: m.instrument })),
    };
  });
}

/** The join page a QR code opens: the trading page with the code filled in. */
export function joinUrl(base: string, code: string): string {
  return `${base.replace(/\/+$/, '')}/trade?code=${encodeURIComponent(code)}`;
}

function needAdmin(hub: Hub, req: FastifyRequest): void {
  const p = principalOf(hub, req);
  if (p === null) throw new HttpError('UNAUTHORIZED', 'the admin token is needed (Authorization: Bearer <token>)');
  if (p.role !== 'admin') throw new HttpError('FORBIDDEN', 'only the admin token may manage classrooms');
}

const Listed = Type.Object({
  id: Type.String(),
  name: Type.String(),
  scenario: Type.String(),
  seed: Type.Integer(),
  speed: Type.Number(),
  botIntensity: Type.Number(),
  state: Type.String(),
  beforeRounds: Type.Boolean({
    description: 'started before rounds: it trades on by the rules of then (no lobby, no rounds) until it is reset',
  }),
  joinCode: Type.Union([Type.String(), Type.Null()]),
  students: Type.Integer(),
  seatCap: Type.Union([Type.Integer(), Type.Null()]),
  created: Type.String({ description: 'when it was made, China Standard Time' }),
});
const Made = Type.Object({ id: Type.String(), instructorToken: Type.String(), joinCode: Type.String() });
const NewClassroomBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 60 }),
    scenario: Type.String({ pattern: '^[A-Za-z0-9_-]{1,60}$' }),
    markets: Type.Optional(
      Type.Array(Type.String({ pattern: '^[A-Za-z0-9_-]{1,40}$' }), { minItems: 1, maxItems: 20, uniqueItems: true }),
    ),
    speed: Type.Optional(Type.Number({ minimum: 1, maximum: 3_600 })),
    botIntensity: Type.Optional(Type.Number({ minimum: 0, maximum: 10 })),
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 })),
    seats: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 10_000 }), Type.Null()])),
  },
  { additionalProperties: false },
);
type NewClassroomReq = {
  name: string;
  scenario: string;
  markets?: string[];
  speed?: number;
  botIntensity?: number;
  seed?: number;
  seats?: number | null;
};

/** What a classroom's stored scenario is called on the page: the shipped name, or name-on-markets. */
function scenarioLabel(stored: string): string {
  return stored.includes('/') ? basename(stored, '.json') : stored;
}

export function adminRoutes(app: FastifyInstance, hub: Hub, streams: Streams, opts: AdminOptions): void {
  const tags = ['admin'];
  const security = [{ bearer: [] }];

  app.get(
    '/api/server/addresses',
    {
      schema: {
        tags,
        description:
          'The addresses students open, best first: with --host 0.0.0.0, the IPv4 addresses other machines reach.',
        response: { 200: Type.Object({ addresses: Type.Array(Type.String()) }), ...errors },
      },
    },
    async () => ({ addresses: opts.addresses() }),
  );

  app.get(
    '/api/whoami',
    {
      schema: {
        tags,
        security,
        description: "The token's role: admin, instructor (of classroomId) or student (of classroomId).",
        response: {
          200: Type.Object({
            role: Type.Union([Type.Literal('admin'), Type.Literal('instructor'), Type.Literal('student')]),
            classroomId: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errors,
        },
      },
    },
    async (req) => {
      const p = principalOf(hub, req);
      if (p === null) throw new HttpError('UNAUTHORIZED', 'a token is needed (Authorization: Bearer <token>)');
      return { role: p.role, classroomId: p.role === 'admin' ? null : p.classroomId };
    },
  );

  app.get<{ Params: { cid: string }; Querystring: { base?: string } }>(
    '/api/classrooms/:cid/join',
    {
      schema: {
        tags,
        security,
        params: ClassroomParams,
        querystring: Type.Object({ base: Type.Optional(Type.String({ maxLength: 200 })) }),
        description:
          'The join screen: the join code, the address students open (base, default the first of the addresses) ' +
          'with the code filled in, and its QR code as SVG markup.',
        response: {
          200: Type.Object({
            joinCode: Type.String(),
            url: Type.String(),
            addresses: Type.Array(Type.String()),
            qrSvg: Type.String(),
          }),
          ...errors,
        },
      },
    },
    async (req) => {
      const room = needInstructor(hub, req, req.params.cid);
      const addresses = opts.addresses();
      const base = req.query.base ?? addresses[0]!;
      if (!/^https?:\/\/[A-Za-z0-9.:[\]_-]+(\/[\w./-]*)?$/.test(base))
        throw new HttpError('ADMIN_ERR_BAD_BASE', `${base.slice(0, 80)} is not an http:// or https:// address`);
      const joinCode = hub.joinCode(room.id) ?? '';
      const url = joinUrl(base, joinCode);
      const qrSvg = await QRCode.toString(url, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
      return { joinCode, url, addresses, qrSvg };
    },
  );

  app.get(
    '/api/scenarios',
    {
      schema: {
        tags,
        security,
        description: 'The shipped scenarios a classroom may be made from, with their period and markets.',
        response: {
          200: Type.Object({
            scenarios: Type.Array(
              Type.Object({
                id: Type.String(),
                title: Type.String(),
                from: Type.String(),
                to: Type.String(),
                markets: Type.Array(Type.Object({ id: Type.String(), instrument: Type.String() })),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (req) => {
      if (principalOf(hub, req) === null) throw new HttpError('UNAUTHORIZED', 'a token is needed');
      return { scenarios: scenarioInfos() };
    },
  );

  app.get(
    '/api/classrooms',
    {
      schema: {
        tags,
        security,
        description: 'Every classroom on this server (admin token).',
        response: { 200: Type.Object({ classrooms: Type.Array(Listed) }), ...errors },
      },
    },
    async (req) => {
      needAdmin(hub, req);
      const classrooms = [];
      for (const row of opts.db.classrooms()) {
        const room = hub.rooms.get(row.id);
        if (room === undefined) continue;
        classrooms.push({
          id: row.id,
          name: room.name,
          scenario: scenarioLabel(row.scenario),
          seed: row.seed,
          speed: room.speed,
          botIntensity: room.botIntensity,
          state: room.state,
          beforeRounds: room.beforeRounds,
          joinCode: hub.joinCode(row.id),
          students: room.studentList().length,
          seatCap: room.seatCap,
          created: cstTime(row.createdMs),
        });
      }
      return { classrooms };
    },
  );

  app.post<{ Body: NewClassroomReq }>(
    '/api/admin/classrooms',
    {
      schema: {
        tags,
        security,
        body: NewClassroomBody,
        description:
          'Creates a classroom (admin token) from a shipped scenario, on all its markets or some of them (the home ' +
          'market, the first, always), with its speed, bots and seats; it starts in the lobby. The instructor token ' +
          'is shown once.',
        response: { 200: Made, ...errors },
      },
    },
    async (req) => {
      needAdmin(hub, req);
      const b = req.body;
      const info = scenarioInfos().find((x) => x.id === b.scenario);
      if (info === undefined)
        throw new HttpError(
          'LIVE_ERR_BAD_INPUT',
          `there is no scenario "${b.scenario}"; the shipped ones are ${scenarioInfos()
            .map((x) => x.id)
            .join(', ')}`,
        );
      const all = info.markets.map((m) => m.id);
      const keep = b.markets ?? all;
      const bad = subsetProblem(all, keep);
      if (bad !== null) throw new HttpError('LIVE_ERR_BAD_INPUT', `markets: ${bad}`);
      let scenario = b.scenario;
      if (keep.length < all.length) {
        // The scenario on these markets, kept in the data folder: a restart and a reset read the same file.
        const name = subsetName(
          b.scenario,
          all.filter((m) => keep.includes(m)),
        );
        const dir = join(opts.dataDir, 'scenarios');
        scenario = join(dir, `${name}.json`);
        if (!existsSync(scenario)) {
          const json = JSON.parse(readFileSync(join(SCENARIO_DIR, `${b.scenario}.json`), 'utf8'));
          mkdirSync(dir, { recursive: true });
          writeFileSync(scenario, `${JSON.stringify(subsetScenario(json, keep), null, 2)}\n`);
        }
      }
      const r = hub.create({
        id: `c${randomBytes(4).toString('hex')}`,
        name: b.name,
        scenario,
        seed: b.seed ?? opts.seed,
        speed: b.speed ?? 60,
        botIntensity: b.botIntensity ?? 1,
      });
      if (!r.ok) fail({ ...r, code: r.code.startsWith('SIM_ERR') ? 'LIVE_ERR_BAD_INPUT' : r.code });
      const room = r.value.room;
      if (b.seats !== undefined && b.seats !== null) {
        const problem = room.settingsProblem({ seats: b.seats });
        if (problem !== null) {
          hub.remove(room.id); // nothing made: the refusal changes nothing
          fail(problem);
        }
        hub.apply(room, { op: 'seats', seats: b.seats });
      }
      const d = await hub.durable();
      if (!d.ok) fail(d);
      return { id: room.id, instructorToken: r.value.instructorToken, joinCode: r.value.joinCode };
    },
  );

  app.post<{ Params: { cid: string } }>(
    '/api/classrooms/:cid/reset',
    {
      schema: {
        tags,
        security,
        params: ClassroomParams,
        description:
          'The same settings afresh (admin token): a new journal, no students, back in the lobby; a new join code ' +
          'and instructor token (shown once).',
        response: { 200: Made, ...errors },
      },
    },
    async (req) => {
      needAdmin(hub, req);
      const room = roomOf(hub, req.params.cid);
      const row = opts.db.classrooms().find((r) => r.id === room.id);
      if (row === undefined) throw new HttpError('NOT_FOUND', `there is no classroom ${room.id}`);
      const seats = room.seatCap;
      const settings = { speed: room.speed, botIntensity: room.botIntensity };
      for (const s of room.studentList()) streams.closeStudent(room, s.studentId);
      hub.remove(room.id);
      const r = hub.create({ id: row.id, name: room.name, scenario: row.scenario, seed: row.seed, ...settings });
      if (!r.ok) fail(r);
      if (seats !== null) hub.apply(r.value.room, { op: 'seats', seats });
      const d = await hub.durable();
      if (!d.ok) fail(d);
      if (row.id === 'default') opts.defaultTokenChanged(r.value.instructorToken);
      return { id: row.id, instructorToken: r.value.instructorToken, joinCode: r.value.joinCode };
    },
  );

  app.delete<{ Params: { cid: string } }>(
    '/api/classrooms/:cid',
    {
      schema: {
        tags,
        security,
        params: ClassroomParams,
        description: 'Deletes a classroom, its journal and its students (admin token). The default one is kept.',
        response: { 200: Type.Object({ id: Type.String(), deleted: Type.Boolean() }), ...errors },
      },
    },
    async (req) => {
      needAdmin(hub, req);
      const room = roomOf(hub, req.params.cid);
      if (room.id === 'default')
        throw new HttpError('ADMIN_ERR_DEFAULT_KEPT', 'the default classroom can be reset, not deleted');
      for (const s of room.studentList()) streams.closeStudent(room, s.studentId);
      hub.remove(room.id);
      return { id: room.id, deleted: true };
    },
  );
}
