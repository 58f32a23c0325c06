/**
 * The one place that reads the environment (README.md#configuration). `loadConfig(env)` is pure so tests can
 * feed it any environment; `loadConfigFromProcess()` is what the entry points call.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { SIMULATOR_DEFAULTS } from './simulator-defaults';

export { SIMULATOR_DEFAULTS };

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Variables whose values must never be printed, not even in an error message. */
export const SECRET_VARIABLES = [
  'WECOM_AGENT_SECRET',
  'WECOM_CONTACT_SECRET',
  'WECOM_EXTERNAL_SECRET',
  'WECOM_CALLBACK_TOKEN',
  'WECOM_CALLBACK_AES_KEY',
  'SESSION_SECRET',
  'DATABASE_URL',
  'DATABASE_READ_URLS',
] as const;

/** An environment variable holding a whole number in [min, max]. */
function integerText(min: number, max: number) {
  const message = `must be an integer between ${min} and ${max}`;
  return z
    .string()
    .trim()
    .regex(/^\d+$/, message)
    .transform(Number)
    .refine((n) => n >= min && n <= max, message);
}

const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const envSchema = z.object({
  PORT: integerText(1, 65535).optional(),
  DATABASE_URL: z
    .string()
    .trim()
    .refine((v) => /^sqlite:.+/.test(v) || /^mysql:\/\/[^/]+\/[^/?]+/.test(v), 'must be sqlite:PATH, sqlite::memory: or mysql://user:pass@host:3306/db')
    .optional(),
  DATABASE_READ_URLS: z
    .string()
    .trim()
    .refine(
      (v) => v.split(',').every((u) => /^mysql:\/\/[^/]+\/[^/?]+/.test(u.trim())),
      'must be comma-separated mysql://user:pass@host:3306/db URLs of read replicas',
    )
    .optional(),
  DATABASE_FALLBACK_HOSTS: z
    .string()
    .trim()
    .refine(
      (v) => v.split(',').every((h) => /^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(h.trim())),
      'must be comma-separated host:port of the other Galera nodes (same user, password and database as DATABASE_URL)',
    )
    .optional(),
  WECOM_MODE: z.enum(['simulator', 'live']).optional(),
  WECOM_API_BASE: z.url({ message: 'must be an absolute http(s) URL' }).optional(),
  WECOM_CORP_ID: optionalText,
  WECOM_AGENT_ID: z.string().trim().regex(/^\d+$/, 'must be the numeric AgentId of the self-built app').optional(),
  WECOM_AGENT_SECRET: optionalText,
  WECOM_CONTACT_SECRET: optionalText,
  WECOM_EXTERNAL_SECRET: optionalText,
  WECOM_CALLBACK_TOKEN: optionalText,
  WECOM_CALLBACK_AES_KEY: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9+/]{43}$/, 'must be the 43-character EncodingAESKey')
    .optional(),
  WECOM_ADMIN_USERIDS: optionalText,
  PUBLIC_URL: z.url({ message: 'must be an absolute http(s) URL' }).optional(),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS).optional(),
  EVENT_WORKER: z.enum(['on', 'off']).optional(),
  DEMO_DATA: z.enum(['on', 'off']).optional(),
  EVENT_RECLAIM_SECONDS: integerText(1, 86_400).optional(),
  EVENT_MAX_ATTEMPTS: integerText(1, 100).optional(),
  IMPORT_MAX_MB: integerText(1, 200).optional(),
  IMPORT_BATCH_SIZE: integerText(1, 10_000).optional(),
  IMPORT_STALE_SECONDS: integerText(1, 86_400).optional(),
  TRUST_PROXY: z
    .string()
    .trim()
    .regex(/^(on|off|[0-9])$/, 'must be off, on (one proxy) or the number of proxies in front of the server (0-9)')
    .transform((v) => (v === 'on' ? 1 : v === 'off' ? 0 : Number(v)))
    .optional(),
  SESSION_IDLE_MINUTES: integerText(5, 7 * 24 * 60).optional(),
  WECOM_OAUTH_SCOPE: z.enum(['snsapi_base', 'snsapi_privateinfo']).optional(),
  WECOM_SIMULATOR_RULES: z.enum(['current', 'legacy']).optional(),
  WECOM_SIMULATOR_APP: z.enum(['self_built', 'third_party']).optional(),
  WECOM_SIMULATOR_UNIONID: z.enum(['bound', 'unbound']).optional(),
  WECOM_SIMULATOR_WELCOME: z.enum(['api', 'console']).optional(),
  WECOM_SIMULATOR_TRANSFER_SECONDS: integerText(0, 86_400).optional(),
  SESSION_MAX_DAYS: integerText(1, 90).optional(),
});

export type DatabaseConfig =
  | { dialect: 'sqlite'; storage: string; url: string }
  /**
   * `readUrls`: asynchronous replicas of `url` for read-only work (server/db/replicas.ts);
   * `fallbackNodes`: the other Galera nodes, used when `url`'s node is lost (server/db/failover.ts).
   */
  | { dialect: 'mysql'; url: string; readUrls?: readonly string[]; fallbackNodes?: readonly DatabaseNode[] };

export interface DatabaseNode {
  readonly host: string;
  readonly port: number;
}

export interface Config {
  readonly port: number;
  readonly publicUrl: string;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  readonly sessionSecret: string;
  readonly sessions: {
    /** A session unused this long is over (the next request must log in again). */
    readonly idleMs: number;
    /** A session is over this long after login, however busy. */
    readonly maxAgeMs: number;
  };
  /** Proxies in front of the server whose `X-Forwarded-*` headers are believed (0: none). */
  readonly trustProxy: number;
  readonly database: DatabaseConfig;
  /** Simulator mode: on a first start, sync the simulator's corp and seed the demo CRM. */
  readonly demoData: boolean;
  readonly events: {
    /** Run the callback event worker in this process. */
    readonly worker: boolean;
    /** Attempts before an event is `dead`. */
    readonly maxAttempts: number;
    /** A row `processing` longer than this belongs to a crashed worker and is taken back. */
    readonly reclaimAfterMs: number;
  };
  readonly imports: {
    /** Largest .xlsx accepted (413 above). */
    readonly maxBytes: number;
    /** Rows written per transaction: a failing batch is rolled back whole. */
    readonly batchSize: number;
    /** A running import whose heartbeat is older than this was cut off (a crash) and may be resumed. */
    readonly staleAfterMs: number;
  };
  /** Simulator mode: which WeCom the built-in simulator plays (ignored in live mode). */
  readonly simulator: {
    readonly era: 'current' | 'legacy';
    readonly appKind: 'self_built' | 'third_party';
    readonly unionidBound: boolean;
    readonly consoleWelcome: boolean;
    /** 客户继承: the customer's 24 h objection window, compressed (WeCom: 86,400 s). */
    readonly transferDelayMs: number;
  };
  readonly wecom: {
    readonly mode: 'simulator' | 'live';
    /**
     * In-app OAuth scope. `snsapi_privateinfo` asks the employee's consent for mobile, avatar and
     * e-mail (the only way a self-built app created after 2022-06-20 gets them), filled at login.
     */
    readonly oauthScope: 'snsapi_base' | 'snsapi_privateinfo';
    /** Server API base, without the trailing `/cgi-bin`. */
    readonly apiBase: string;
    /** Where the browser is sent for in-app OAuth (open.weixin.qq.com in live mode). */
    readonly oauthBase: string;
    /** Where the browser is sent for desktop QR/SSO login. */
    readonly ssoBase: string;
    readonly corpId: string;
    readonly agentId: string;
    readonly agentSecret: string;
    readonly contactSecret: string;
    readonly externalSecret: string;
    readonly callbackToken: string;
    readonly callbackAesKey: string;
    readonly adminUserIds: readonly string[];
  };
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly problem: string,
  ) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env): Config {
  // Operators read these messages in English, whatever locale the product's own schemas use.
  const parsed = envSchema.safeParse(pickKnown(env), { error: z.locales.en().localeError });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    throw new ConfigError(variable, describeIssue(variable, issue.message, env[variable]));
  }
  const e = parsed.data;
  const port = e.PORT ?? 3000;
  const publicUrl = stripTrailingSlash(e.PUBLIC_URL ?? `http://localhost:${port}`);
  const mode = e.WECOM_MODE ?? (e.WECOM_CORP_ID ? 'live' : 'simulator');

  if (mode === 'live') {
    for (const name of ['WECOM_CORP_ID', 'WECOM_AGENT_ID', 'WECOM_AGENT_SECRET', 'WECOM_CALLBACK_TOKEN', 'WECOM_CALLBACK_AES_KEY', 'SESSION_SECRET'] as const) {
      if (!e[name]) throw new ConfigError(name, 'is required when WECOM_MODE=live');
    }
    // WeCom only opens https pages, and session cookies are Secure in live mode.
    if (!publicUrl.startsWith('https://')) throw new ConfigError('PUBLIC_URL', `must be an https:// URL when WECOM_MODE=live (got "${publicUrl}")`);
  }

  const sim = SIMULATOR_DEFAULTS;
  const agentSecret = e.WECOM_AGENT_SECRET ?? (mode === 'simulator' ? sim.agentSecret : '');
  const simulatorBase = `http://127.0.0.1:${port}/__wecom`;

  return deepFreeze({
    port,
    publicUrl,
    logLevel: e.LOG_LEVEL ?? 'info',
    sessionSecret: e.SESSION_SECRET ?? randomBytes(32).toString('hex'),
    sessions: {
      idleMs: (e.SESSION_IDLE_MINUTES ?? 8 * 60) * 60_000,
      maxAgeMs: (e.SESSION_MAX_DAYS ?? 7) * 86_400_000,
    },
    trustProxy: e.TRUST_PROXY ?? 0,
    simulator: {
      era: e.WECOM_SIMULATOR_RULES ?? 'current',
      appKind: e.WECOM_SIMULATOR_APP ?? 'self_built',
      unionidBound: (e.WECOM_SIMULATOR_UNIONID ?? 'bound') === 'bound',
      consoleWelcome: e.WECOM_SIMULATOR_WELCOME === 'console',
      transferDelayMs: (e.WECOM_SIMULATOR_TRANSFER_SECONDS ?? 5) * 1000,
    },
    database: parseDatabaseUrl(e.DATABASE_URL ?? 'sqlite:data/wecom-crm.sqlite', e.DATABASE_READ_URLS, e.DATABASE_FALLBACK_HOSTS),
    demoData: mode === 'simulator' && (e.DEMO_DATA ?? 'on') === 'on',
    events: {
      worker: (e.EVENT_WORKER ?? 'on') === 'on',
      maxAttempts: e.EVENT_MAX_ATTEMPTS ?? 8,
      reclaimAfterMs: (e.EVENT_RECLAIM_SECONDS ?? 300) * 1000,
    },
    imports: {
      maxBytes: (e.IMPORT_MAX_MB ?? 10) * 1024 * 1024,
      batchSize: e.IMPORT_BATCH_SIZE ?? 500,
      staleAfterMs: (e.IMPORT_STALE_SECONDS ?? 30) * 1000,
    },
    wecom: {
      mode,
      oauthScope: e.WECOM_OAUTH_SCOPE ?? 'snsapi_base',
      apiBase: stripTrailingSlash(e.WECOM_API_BASE ?? (mode === 'simulator' ? simulatorBase : 'https://qyapi.weixin.qq.com')),
      oauthBase: mode === 'simulator' ? `${publicUrl}/__wecom` : 'https://open.weixin.qq.com',
      ssoBase: mode === 'simulator' ? `${publicUrl}/__wecom` : 'https://login.work.weixin.qq.com',
      corpId: e.WECOM_CORP_ID ?? sim.corpId,
      agentId: e.WECOM_AGENT_ID ?? sim.agentId,
      agentSecret,
      contactSecret: e.WECOM_CONTACT_SECRET ?? (mode === 'simulator' ? sim.contactSecret : agentSecret),
      // Since 2023-12-01 new corps call 客户联系 APIs with the self-built app's secret (the app listed
      // under 客户联系 → 可调用接口的应用), not the 客户联系 system-app secret.
      externalSecret: e.WECOM_EXTERNAL_SECRET ?? agentSecret,
      callbackToken: e.WECOM_CALLBACK_TOKEN ?? sim.callbackToken,
      callbackAesKey: e.WECOM_CALLBACK_AES_KEY ?? sim.callbackAesKey,
      adminUserIds: (e.WECOM_ADMIN_USERIDS ?? (mode === 'simulator' ? 'admin' : ''))
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    },
  });
}

export function loadConfigFromProcess(): Config {
  return loadConfig(process.env);
}

/** A loggable view of the configuration: secrets masked, database credentials removed. */
export function describeConfig(config: Config): Record<string, unknown> {
  return {
    port: config.port,
    publicUrl: config.publicUrl,
    database: redactUrl(config.database.url),
    wecomMode: config.wecom.mode,
    wecomApiBase: config.wecom.apiBase,
    corpId: config.wecom.corpId,
    agentId: config.wecom.agentId,
    logLevel: config.logLevel,
  };
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

function parseDatabaseUrl(url: string, readUrls: string | undefined, fallbackHosts: string | undefined): DatabaseConfig {
  if (url.startsWith('sqlite:')) {
    if (readUrls) throw new ConfigError('DATABASE_READ_URLS', 'needs a MySQL DATABASE_URL (replicas of it)');
    if (fallbackHosts) throw new ConfigError('DATABASE_FALLBACK_HOSTS', 'needs a MySQL DATABASE_URL (the Galera node it names first)');
    const storage = url.slice('sqlite:'.length);
    return { dialect: 'sqlite', storage, url };
  }
  const replicas = readUrls
    ?.split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  const fallbackNodes = fallbackHosts
    ?.split(',')
    .map((h) => h.trim())
    .filter(Boolean)
    .map((h) => {
      const [host, port] = h.split(':');
      return { host: host!, port: Number(port ?? 3306) };
    });
  if (replicas?.length && fallbackNodes?.length)
    throw new ConfigError(
      'DATABASE_FALLBACK_HOSTS',
      'cannot be combined with DATABASE_READ_URLS (Galera nodes all take writes: list them here, not as replicas)',
    );
  return {
    dialect: 'mysql',
    url,
    ...(replicas?.length ? { readUrls: replicas } : {}),
    ...(fallbackNodes?.length ? { fallbackNodes } : {}),
  };
}

function describeIssue(variable: string, message: string, raw: string | undefined): string {
  const secret = (SECRET_VARIABLES as readonly string[]).includes(variable);
  const shown = raw === undefined || secret ? '' : ` (got ${JSON.stringify(raw)})`;
  return `${message}${shown}`;
}

function pickKnown(env: Env): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = env[key];
    // An empty variable (`PORT=`) means "not set", as shells and .env files usually intend.
    if (value !== undefined && value !== '') out[key] = value;
  }
  return out;
}

function stripTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
