// The live server: fastify with schemas on every route and OpenAPI at /docs, rate limits per token, body limits,
// the WebSocket streams at /ws, the web pages, and the hub of classrooms whose clocks it ticks. buildServer() wires
// it; src/server/main.ts (npm start) reads the configuration, starts it and prints where to go.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';
import type { RunContext } from '../sim/run.ts';
import { Journal, type SyncFile } from '../store/journal.ts';
import { LiveDb } from '../store/live-db.ts';
import { loadRunContext } from '../store/scenario-files.ts';
import type { ServerConfig } from './config.ts';
import { codeOfStatus, errorBody, HttpError, principalOf, sendError, statusOf } from './http.ts';
import { Hub, newToken } from './hub.ts';
import { lanAddresses } from './lan.ts';
import { DEFAULT_LIMITS, identityKey, type LimitSettings, Limits, sharedStore } from './limits.ts';
import { adminRoutes } from './routes/admin.ts';
import { auctionRoutes } from './routes/auctions.ts';
import { instructorRoutes } from './routes/instructor.ts';
import { publicRoutes } from './routes/public.ts';
import { resultsRoutes } from './routes/results.ts';
import { roundRoutes } from './routes/rounds.ts';
import { studentRoutes } from './routes/student.ts';
import { bodyAjv, textAjv } from './validation.ts';
import { Streams } from './ws/streams.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const WEB_DIR = join(ROOT, 'web');
/** The admin token, kept in the data folder beside the default instructor token. */
export const ADMIN_TOKEN_FILE = 'admin-token';

export interface Server {
  readonly app: FastifyInstance;
  readonly hub: Hub;
  readonly streams: Streams;
  readonly adminToken: string;
  /** Instructor token of the default classroom when it was created (or rotated) in this start, else null. */
  readonly instructorToken: string | null;
  readonly joinCode: string;
  /** The addresses students open (lan.ts), once listening; before, the configured host's. */
  addresses(): string[];
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
  /** Tests only: time between WebSocket heartbeats, ms (default 10 s). */
  readonly heartbeatMs?: number;
  /** Limits other than the request rate (which is cfg.rateLimitPerMin); default DEFAULT_LIMITS. */
  readonly limits?: Partial<Omit<LimitSettings, 'requestsPerMin'>>;
  /** Where the log goes (default stdout); tests read it. */
  readonly logStream?: { write(line: string): void };
}

/** The headers helmet sets with these options (its middleware run once, on a response that only records them). */
export function helmetHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader(name: string, value: unknown) {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  helmet(options)({} as IncomingMessage, res as unknown as ServerResponse, (err?: unknown) => {
    if (err !== undefined && err !== null) throw err;
  });
  return headers;
}

/** A URL as logged: the value of any token parameter (student links are /trade?token=...) replaced. */
export function redactUrl(url: string): string {
  return url.replace(/([?&](?:token|access_token)=)[^&#]*/gi, '$1[redacted]');
}

export async function buildServer(cfg: ServerConfig, opts: BuildOptions = {}): Promise<Server> {
  const now = opts.now ?? Date.now;
  const ctx = opts.ctx ?? loadRunContext();
  const db = new LiveDb(cfg.dataDir);
  // The admin token is kept in the data folder (readable only by its owner) like the default instructor token: a
  // restart keeps it, and an explicit --admin-token wins (and is kept from then on).
  const adminFile = join(cfg.dataDir, ADMIN_TOKEN_FILE);
  const keptAdmin = existsSync(adminFile) ? readFileSync(adminFile, 'utf8').trim() : '';
  const adminToken = cfg.adminToken ?? (/^[A-Za-z0-9_-]{16,128}$/.test(keptAdmin) ? keptAdmin : newToken());
  if (adminToken !== keptAdmin) writeFileSync(adminFile, `${adminToken}\n`, { mode: 0o600 });
  const journal =
    (opts.journal ?? true)
      ? new Journal(db.handle, {
          ack: cfg.durability,
          ...(opts.journalSync === undefined ? {} : { sync: opts.journalSync }),
        })
      : null;
  const hub = new Hub(ctx, db, adminToken, now, journal);
  // Rate limits count real seconds whatever clock drives the classrooms (a test's hand-moved one included): the wall
  // clock, read here, the composition root, as everywhere in the server.
  const limits = new Limits({ ...DEFAULT_LIMITS, ...opts.limits, requestsPerMin: cfg.rateLimitPerMin }, Date.now);
  const streams = new Streams(hub, {
    limits,
    now,
    // The server's logger (pino), once it exists: a failed flush hook or a command's unexpected failure.
    onError: (err) => app.log.error({ err }, 'websocket'),
    ...(opts.heartbeatMs === undefined ? {} : { heartbeatMs: opts.heartbeatMs }),
  });
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

  // The standalone chart library, served to the trading page; the content security policy allows the one <style>
  // it adds (its attribution logo's) by the hash of its text.
  // The package's exports name no standalone build (a page without a bundler needs one): read it from its folder.
  const lwc = join(ROOT, 'node_modules', 'lightweight-charts', 'dist', 'lightweight-charts.standalone.production.js');
  const lwcText = readFileSync(lwc, 'utf8');
  const lwcStyle = /createElement\("style"\),this\.\w+\.innerText="([^"\\]*)"/.exec(lwcText)?.[1];
  const lwcStyleHash =
    lwcStyle === undefined ? [] : [`'sha256-${createHash('sha256').update(lwcStyle).digest('base64')}'`];

  const app = Fastify({
    // Tokens are never logged: a request is logged with its method, its URL with any token parameter redacted and
    // its address (no headers); the Authorization header is redacted should anything log it.
    logger:
      cfg.logLevel === 'silent'
        ? false
        : {
            level: cfg.logLevel,
            ...(opts.logStream === undefined ? {} : { stream: opts.logStream }),
            serializers: {
              req: (req: { method: string; url: string; ip?: string; socket?: { remoteAddress?: string } }) => ({
                method: req.method,
                url: redactUrl(req.url),
                remoteAddress: req.ip ?? req.socket?.remoteAddress,
              }),
            },
            redact: { paths: ['req.headers.authorization', 'headers.authorization'], censor: '[redacted]' },
          },
    bodyLimit: cfg.bodyLimitBytes,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
    // Errors fastify raises before a route runs (a URL that does not decode) get the same body as every other.
    frameworkErrors: (err, req, reply) => {
      const bad = (err as { code?: string }).code === 'FST_ERR_BAD_URL';
      req.log.info({ code: (err as { code?: string }).code }, 'refused before routing');
      return sendError(
        reply,
        'BAD_REQUEST',
        bad ? 'the URL is not valid: a % must start an escape such as %20' : 'the request could not be routed',
      );
    },
    // What Node's HTTP parser refuses itself (not HTTP, headers too large, an unknown method) never reaches fastify's
    // routes: it is answered here, on the socket, in the same shape.
    clientErrorHandler: (err, socket) => {
      const e = err as Error & { code?: string };
      if (e.code === 'ECONNRESET' || !socket.writable) {
        socket.destroy();
        return;
      }
      const [code, message] =
        e.code === 'HPE_HEADER_OVERFLOW'
          ? ['HEADERS_TOO_LARGE', 'the request headers are larger than the server accepts (16 KiB)']
          : e.code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? ['REQUEST_TIMEOUT', 'the request took too long to arrive']
            : ['BAD_REQUEST', 'the request is not valid HTTP/1.1'];
      const status = statusOf(code);
      const body = JSON.stringify(errorBody(code, message));
      socket.end(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    },
  });
  // Security headers on every answer, as helmet makes them: a content security policy that lets the pages load
  // their own scripts, styles and connections and nothing else, nosniff, no framing, no referrer (a student link
  // carries a token). Plain HTTP: no HSTS and no upgrade-insecure-requests (a class on a LAN address would lose its
  // scripts). The headers are fixed, so helmet runs once here, not per request (@fastify/helmet builds helmet's
  // middleware again for each request: 11% of order entry in the profile of bench:http).
  const directives = {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", ...lwcStyleHash],
    imgSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    fontSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  };
  const secure = (styleSrc: string[]) =>
    helmetHeaders({
      contentSecurityPolicy: { useDefaults: false, directives: { ...directives, styleSrc } },
      frameguard: { action: 'deny' },
      strictTransportSecurity: false,
      referrerPolicy: { policy: 'no-referrer' },
    });
  const pageHeaders = secure(directives.styleSrc);
  // Answers of the API are never stored by a browser or a proxy: most are private, the rest change every tick.
  const apiHeaders = { ...pageHeaders, 'cache-control': 'no-store' };
  // The API docs (swagger-ui) set styles inline.
  const docsHeaders = secure(["'self'", "'unsafe-inline'"]);
  app.addHook('onRequest', (req, reply, done) => {
    const url = req.url;
    reply.headers(url.startsWith('/api/') ? apiHeaders : url.startsWith('/docs') ? docsHeaders : pageHeaders);
    done();
  });

  // Bodies are JSON or nothing: fastify's text/plain parser would hand a route a string, refused by its schema as
  // "body must be object"; without it, any other media type is 415.
  app.removeContentTypeParser('text/plain');

  // One validator for bodies (as sent) and for text parts (coerced): validation.ts.
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? bodyAjv : textAjv).compile(schema));

  app.setErrorHandler((err, req, reply) => {
    const e = err as Error & { statusCode?: number; code?: string; validation?: unknown };
    if (e instanceof HttpError) return reply.code(e.statusCode).send(errorBody(e.code, e.message));
    if (e.validation !== undefined) return sendError(reply, 'BAD_REQUEST', e.message);
    const status = e.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const code = codeOfStatus(status);
      return reply.code(status === statusOf(code) ? status : 400).send(errorBody(code, frameworkMessage(e, req)));
    }
    req.log.error(err);
    // Never a stack trace to a client.
    return sendError(reply, 'INTERNAL', 'something went wrong on the server; it is logged');
  });
  app.setNotFoundHandler((req, reply) =>
    sendError(reply, 'NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`),
  );

  /** A sentence for a person for an error fastify or a plugin raised with only a status. */
  function frameworkMessage(e: Error & { code?: string; statusCode?: number }, req: FastifyRequest): string {
    switch (e.statusCode) {
      case 413:
        return `the body is larger than ${cfg.bodyLimitBytes} bytes`;
      case 415:
        return `the body must be JSON (Content-Type: application/json), not ${String(req.headers['content-type'] ?? 'none').slice(0, 60)}`;
      case 403:
        return 'that path is not one the server serves';
      default:
        return e.message;
    }
  }

  // Requests are counted per identity: a valid token's principal, else the address (a made-up Bearer string counts
  // against the address). The counter is shared with WebSocket upgrades and order entry (limits.ts).
  await app.register(rateLimit, {
    max: cfg.rateLimitPerMin,
    timeWindow: 60_000,
    store: sharedStore(limits.requests),
    keyGenerator: (req) => identityKey(principalOf(hub, req), req.ip),
    errorResponseBuilder: (_req, ctx) =>
      new HttpError('RATE_LIMITED', `at most ${ctx.max} requests a minute; try again in ${ctx.after}`),
  });
  await app.register(swagger, {
    openapi: {
      info: { title: 'cets live classroom', version: '0.1.0', description: 'Carbon allowance trading for classrooms.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  publicRoutes(app, hub, streams);
  studentRoutes(app, hub, limits);
  instructorRoutes(app, hub, streams, { scenario: cfg.scenario, seed: cfg.seed });
  auctionRoutes(app, hub);
  resultsRoutes(app, hub);
  roundRoutes(app, hub);
  const addresses = (): string[] => {
    const a = app.server.address();
    return lanAddresses(cfg.host, typeof a === 'object' && a !== null ? a.port : cfg.port);
  };
  adminRoutes(app, hub, streams, {
    addresses,
    db,
    dataDir: cfg.dataDir,
    seed: cfg.seed,
    defaultTokenChanged: (token) => writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 }),
  });

  // Pages and their scripts.
  if (existsSync(WEB_DIR)) {
    await app.register(fastifyStatic, { root: WEB_DIR, prefix: '/web/', decorateReply: true });
    app.get('/trade', { schema: { hide: true } }, (_req, reply) => reply.sendFile('trade.html'));
    app.get('/instructor', { schema: { hide: true } }, (_req, reply) => reply.sendFile('instructor.html'));
    app.get('/debrief', { schema: { hide: true } }, (_req, reply) => reply.sendFile('debrief.html'));
  }
  app.get('/vendor/lightweight-charts.js', { schema: { hide: true } }, (_req, reply) =>
    reply.type('text/javascript').header('cache-control', 'public, max-age=86400').send(lwcText),
  );
  // i18next's ES module build, imported by web/i18n.js (the pages' Chinese and English).
  const i18nextText = readFileSync(join(ROOT, 'node_modules', 'i18next', 'dist', 'esm', 'i18next.js'), 'utf8');
  app.get('/vendor/i18next.js', { schema: { hide: true } }, (_req, reply) =>
    reply.type('text/javascript').header('cache-control', 'public, max-age=86400').send(i18nextText),
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
    addresses,
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
