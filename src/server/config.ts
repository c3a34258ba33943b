// Server configuration from flags and environment variables (flags win), validated at start-up: a bad value stops
// the server with a message naming the setting, before anything listens or is written.
import { parseArgs } from 'node:util';

export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  /** Folder for the SQLite file (created when missing). */
  readonly dataDir: string;
  /** Scenario of the default classroom (scenarios/<name>.json). */
  readonly scenario: string;
  readonly seed: number;
  /** Exchange ms per wall ms of the default classroom. */
  readonly speed: number;
  readonly botIntensity: number;
  /** Token that may create classrooms; generated (and printed) when not given. */
  readonly adminToken: string | null;
  /** Instructor token of the default classroom; generated when not given. */
  readonly instructorToken: string | null;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'silent';
  /** Requests per minute per token (or per address without one). */
  readonly rateLimitPerMin: number;
  /** Largest request body, bytes. */
  readonly bodyLimitBytes: number;
  /** Milliseconds between clock ticks. */
  readonly tickMs: number;
  /** Seconds between classroom snapshots (a restart replays the journal after the latest). */
  readonly snapshotEverySec: number;
  /** When a command is acknowledged: once its WAL is fsynced (survives a power cut) or once committed (survives the
   * server being killed; a power cut may take back the last few ms). See src/store/journal.ts. */
  readonly durability: Durability;
}

export type Durability = 'fsync' | 'commit';
const DURABILITIES: readonly Durability[] = ['fsync', 'commit'];

export const DEFAULTS: ServerConfig = {
  host: '127.0.0.1',
  port: 8080,
  dataDir: '.cets-data',
  scenario: 'classroom',
  seed: 1,
  speed: 60,
  botIntensity: 1,
  adminToken: null,
  instructorToken: null,
  logLevel: 'warn',
  rateLimitPerMin: 6_000,
  bodyLimitBytes: 64 * 1024,
  tickMs: 100,
  snapshotEverySec: 60,
  durability: 'fsync',
};

export class ConfigError extends Error {
  readonly code = 'CONFIG_ERR';
}

/** What each setting is called as a flag and as an environment variable. */
export const SETTINGS: readonly { key: keyof ServerConfig; flag: string; env: string; help: string }[] = [
  {
    key: 'host',
    flag: 'host',
    env: 'CETS_HOST',
    help: 'address to listen on (0.0.0.0: every address, for a class on the LAN)',
  },
  { key: 'port', flag: 'port', env: 'CETS_PORT', help: 'port (0 = any free port)' },
  { key: 'dataDir', flag: 'data-dir', env: 'CETS_DATA_DIR', help: 'folder for cets.sqlite' },
  { key: 'scenario', flag: 'scenario', env: 'CETS_SCENARIO', help: 'scenario of the default classroom' },
  { key: 'seed', flag: 'seed', env: 'CETS_SEED', help: 'seed of the default classroom' },
  { key: 'speed', flag: 'speed', env: 'CETS_SPEED', help: 'exchange time per wall time, 1..3600' },
  { key: 'botIntensity', flag: 'bots', env: 'CETS_BOTS', help: 'bot intensity, 0 (none)..10' },
  { key: 'adminToken', flag: 'admin-token', env: 'CETS_ADMIN_TOKEN', help: 'token that may create classrooms' },
  {
    key: 'instructorToken',
    flag: 'instructor-token',
    env: 'CETS_INSTRUCTOR_TOKEN',
    help: 'instructor token of the default classroom',
  },
  { key: 'logLevel', flag: 'log-level', env: 'CETS_LOG_LEVEL', help: 'fatal|error|warn|info|debug|silent' },
  { key: 'rateLimitPerMin', flag: 'rate-limit', env: 'CETS_RATE_LIMIT', help: 'requests per minute per token' },
  { key: 'bodyLimitBytes', flag: 'body-limit', env: 'CETS_BODY_LIMIT', help: 'largest request body, bytes' },
  { key: 'tickMs', flag: 'tick-ms', env: 'CETS_TICK_MS', help: 'clock tick, ms' },
  {
    key: 'snapshotEverySec',
    flag: 'snapshot-every',
    env: 'CETS_SNAPSHOT_EVERY',
    help: 'seconds between snapshots of each classroom (restart replays the journal after the latest)',
  },
  {
    key: 'durability',
    flag: 'durability',
    env: 'CETS_DURABILITY',
    help: 'acknowledge after fsync (survives a power cut) or after commit (survives a crash of the server)',
  },
];

function int(name: string, v: string, min: number, max: number): number {
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max)
    throw new ConfigError(`${name}: "${v}" is not a whole number from ${min} to ${max}`);
  return Number(v);
}

function num(name: string, v: string, min: number, max: number): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < min || n > max)
    throw new ConfigError(`${name}: "${v}" is not a number from ${min} to ${max}`);
  return n;
}

/** Flags (argv) over environment over defaults. Throws ConfigError naming the setting. */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv): ServerConfig {
  const options = Object.fromEntries(SETTINGS.map((s) => [s.flag, { type: 'string' as const }]));
  let values: Record<string, string | undefined>;
  try {
    values = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values as Record<
      string,
      string | undefined
    >;
  } catch (e) {
    throw new ConfigError(e instanceof Error ? e.message : String(e));
  }
  const raw = (key: keyof ServerConfig): [string, string] | null => {
    const s = SETTINGS.find((x) => x.key === key)!;
    const v = values[s.flag] ?? env[s.env];
    return v === undefined ? null : [`--${s.flag} / ${s.env}`, v];
  };
  const pick = <T>(key: keyof ServerConfig, parse: (name: string, v: string) => T): T => {
    const r = raw(key);
    return r === null ? (DEFAULTS[key] as T) : parse(r[0], r[1]);
  };
  const token = (name: string, v: string): string => {
    if (!/^[A-Za-z0-9_-]{16,128}$/.test(v))
      throw new ConfigError(`${name}: a token is 16 to 128 letters, digits, '-' or '_'`);
    return v;
  };
  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'silent'] as const;
  return {
    host: pick('host', (n, v) => {
      if (!/^[A-Za-z0-9.:-]{1,253}$/.test(v)) throw new ConfigError(`${n}: "${v}" is not a host name or address`);
      return v;
    }),
    port: pick('port', (n, v) => int(n, v, 0, 65_535)),
    dataDir: pick('dataDir', (n, v) => {
      if (v.trim() === '') throw new ConfigError(`${n}: empty`);
      return v;
    }),
    scenario: pick('scenario', (n, v) => {
      if (!/^[A-Za-z0-9_./-]{1,200}$/.test(v)) throw new ConfigError(`${n}: "${v}" is not a scenario name or path`);
      return v;
    }),
    seed: pick('seed', (n, v) => int(n, v, 0, 2 ** 31 - 1)),
    speed: pick('speed', (n, v) => num(n, v, 1, 3_600)),
    botIntensity: pick('botIntensity', (n, v) => num(n, v, 0, 10)),
    adminToken: pick('adminToken', token),
    instructorToken: pick('instructorToken', token),
    logLevel: pick('logLevel', (n, v) => {
      if (!(levels as readonly string[]).includes(v))
        throw new ConfigError(`${n}: "${v}" is not one of ${levels.join(', ')}`);
      return v as ServerConfig['logLevel'];
    }),
    rateLimitPerMin: pick('rateLimitPerMin', (n, v) => int(n, v, 1, 10_000_000)),
    bodyLimitBytes: pick('bodyLimitBytes', (n, v) => int(n, v, 1_024, 16 * 1024 * 1024)),
    tickMs: pick('tickMs', (n, v) => int(n, v, 5, 10_000)),
    snapshotEverySec: pick('snapshotEverySec', (n, v) => int(n, v, 1, 86_400)),
    durability: pick('durability', (n, v) => {
      if (!(DURABILITIES as readonly string[]).includes(v))
        throw new ConfigError(`${n}: "${v}" is not one of ${DURABILITIES.join(', ')}`);
      return v as Durability;
    }),
  };
}
