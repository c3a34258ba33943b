// The live server: fastify with schemas on every route and OpenAPI at /docs, rate limits per token, body limits,
// the WebSocket streams at /ws, the web pages, and the hub of classrooms whose clocks it ticks. buildServer() wires
// it; src/server/main.ts (npm start) reads the configuration, starts it and prints where to go.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { Ajv } from 'ajv';
import Fastify, { type FastifyInstance } from 'fastify';
import type { RunContext } from '../sim/run.ts';
import { Journal, type SyncFile } from '../store/journal.ts';
import { LiveDb } from '../store/live-db.ts';
import { loadRunContext } from '../store/scenario-files.ts';
import type { ServerConfig } from './config.ts';
import { bearer, HttpError } from './http.ts';
import { Hub, newToken } from './hub.ts';
import { auctionRoutes } from './routes/auctions.ts';
import { instructorRoutes } from './routes/instructor.ts';
import { publicRoutes } from './routes/public.ts';
import { studentRoutes } from './routes/student.ts';
import { Streams } from './streams.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const WEB_DIR = join(ROOT, 'web');

export interface Server {
  readonly app: FastifyInstance;
  readonly hub: Hub;
  readonly streams: Streams;
  readonly adminToken: string;
  /** Instructor token of the default classroom when it was created (or rotated) in this start, else null. */
  readonly instructorToken: string | null;
  readonly joinCode: string;
  /** Listens; resolves with the address. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

export interface BuildOptions {
  /** Wall clock (tests pass their own). */
  readonly now?: () => number;
  /** Already loaded catalogue, calendar and registry (tests share one). */
  readonly ctx?: RunContext;
  /** Start the default classroom at once (default true: a newcomer sees a market moving). */
  readonly autoStart?: boolean;
  /** Journal every accepted command (default true). Off only for measuring what the journal costs. */
  readonly journal?: boolean;
  /** Tests only: how the journal flushes its WAL (default fdatasync on the thread pool). */
  readonly journalSync?: SyncFile;
}

export async function buildServer(cfg: ServerConfig, opts: BuildOptions = {}): Promise<Server> {
  const now = opts.now ?? Date.now;
  const ctx = opts.ctx ?? loadRunContext();
  const db = new LiveDb(cfg.dataDir);
  const adminToken = cfg.adminToken ?? newToken();
  const journal =
    (opts.journal ?? true)
      ? new Journal(db.handle, {
          ack: cfg.durability,
          ...(opts.journalSync === undefined ? {} : { sync: opts.journalSync }),
        })
      : null;
  const hub = new Hub(ctx, db, adminToken, now, journal);
  const streams = new Streams(hub);
  // Market data goes out only once what it shows is in the journal: a crash never leaves a client having seen a
  // trade the restarted server does not have.
  if (journal !== null)
    streams.setBeforeFlush(() => {
      journal.flush();
      return journal.durable(); // rejects if the journal broke (commit or fsync)
    });
  hub.restore();

  // The default classroom: created on first start; its instructor token is kept in the data folder (readable only
  // by its owner) so that every start can print it again.
  const tokenFile = join(cfg.dataDir, 'default-instructor-token');
  let instructorToken: string | null = null;
  if (!hub.rooms.has('default')) {
    const r = hub.create({
      id: 'default',
      name: 'Default classroom',
      scenario: cfg.scenario,
      seed: cfg.seed,
      speed: cfg.speed,
      botIntensity: cfg.botIntensity,
      instructorToken: cfg.instructorToken,
    });
    if (!r.ok) throw new Error(`default classroom: ${r.code}: ${r.message}`);
    instructorToken = r.value.instructorToken;
  } else if (cfg.instructorToken !== null) instructorToken = hub.rotateInstructorToken('default', cfg.instructorToken);
  else if (existsSync(tokenFile)) instructorToken = readFileSync(tokenFile, 'utf8').trim();
  if (instructorToken !== null) writeFileSync(tokenFile, `${instructorToken}\n`, { mode: 0o600 });
  const room = hub.rooms.get('default')!;
  if ((opts.autoStart ?? true) && room.state === 'setup') await hub.control(room, 'start');

  const app = Fastify({
    logger: cfg.logLevel === 'silent' ? false : { level: cfg.logLevel },
    bodyLimit: cfg.bodyLimitBytes,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  });

  // Bodies are JSON and must have the right types as sent: "qtyT": "0x10" is a string, not 16. Only the query
  // string and path parameters, which are text by nature, are coerced to the numbers their schemas ask for.
  const ajvOptions = { removeAdditional: false, useDefaults: true, allErrors: false, strict: false } as const;
  const strictAjv = new Ajv({ ...ajvOptions, coerceTypes: false });
  const textAjv = new Ajv({ ...ajvOptions, coerceTypes: 'array' });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? strictAjv : textAjv).compile(schema));

  app.setErrorHandler((err, req, reply) => {
    const e = err as Error & { statusCode?: number; code?: string; validation?: unknown };
    if (e instanceof HttpError) return reply.code(e.statusCode).send({ error: { code: e.code, message: e.message } });
    if (e.validation !== undefined) return reply.code(400).send({ error: { code: 'BAD_REQUEST', message: e.message } });
    const status = e.statusCode ?? 500;
    if (status === 413)
      return reply
        .code(413)
        .send({ error: { code: 'PAYLOAD_TOO_LARGE', message: `the body is larger than ${cfg.bodyLimitBytes} bytes` } });
    if (status === 429) return reply.code(429).send({ error: { code: 'RATE_LIMITED', message: e.message } });
    if (status >= 400 && status < 500)
      return reply.code(status).send({ error: { code: 'BAD_REQUEST', message: e.message } });
    req.log.error(err);
    // Never a stack trace to a client.
    return reply
      .code(500)
      .send({ error: { code: 'INTERNAL', message: 'something went wrong on the server; it is logged' } });
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` } }),
  );

  await app.register(rateLimit, {
    max: cfg.rateLimitPerMin,
    timeWindow: 60_000,
    keyGenerator: (req) => bearer(req) ?? req.ip,
    errorResponseBuilder: (_req, ctx) =>
      new HttpError(429, 'RATE_LIMITED', `at most ${ctx.max} requests a minute; try again in ${ctx.after}`),
  });
  await app.register(swagger, {
    openapi: {
      info: { title: 'cets live classroom', version: '0.1.0', description: 'Carbon allowance trading for classrooms.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  publicRoutes(app, hub, streams);
  studentRoutes(app, hub);
  instructorRoutes(app, hub, { scenario: cfg.scenario, seed: cfg.seed });
  auctionRoutes(app, hub);

  // Pages and their scripts.
  if (existsSync(WEB_DIR)) {
    await app.register(fastifyStatic, { root: WEB_DIR, prefix: '/web/', decorateReply: true });
    app.get('/trade', { schema: { hide: true } }, (_req, reply) => reply.sendFile('trade.html'));
    app.get('/instructor', { schema: { hide: true } }, (_req, reply) => reply.sendFile('instructor.html'));
  }
  // The package's exports name no standalone build (a page without a bundler needs one): read it from its folder.
  const lwc = join(ROOT, 'node_modules', 'lightweight-charts', 'dist', 'lightweight-charts.standalone.production.js');
  const lwcText = readFileSync(lwc, 'utf8');
  app.get('/vendor/lightweight-charts.js', { schema: { hide: true } }, (_req, reply) =>
    reply.type('text/javascript').header('cache-control', 'public, max-age=86400').send(lwcText),
  );
  app.get('/', { schema: { hide: true } }, (_req, reply) => reply.redirect('/trade'));

  app.server.on('upgrade', (req, socket, head) => streams.upgrade(req, socket, head));
  const ticker = setInterval(() => hub.tick(), cfg.tickMs);
  ticker.unref();
  const snapshots = setInterval(() => hub.snapshotAll(), cfg.snapshotEverySec * 1_000);
  snapshots.unref();
  await app.ready();

  return {
    app,
    hub,
    streams,
    adminToken,
    instructorToken,
    joinCode: hub.joinCode('default')!,
    async listen() {
      return app.listen({ host: cfg.host, port: cfg.port });
    },
    async close() {
      clearInterval(ticker);
      clearInterval(snapshots);
      streams.close();
      await app.close();
      // A clean stop leaves a snapshot at the end, so the next start replays nothing.
      hub.snapshotAll();
      journal?.close();
      db.close();
    },
  };
}
