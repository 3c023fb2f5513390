// The one place that reads the environment. Every bad variable is reported at once, and
// production refuses the development defaults for secrets.
import { z } from 'zod';
import { RedisUrlError, hasHashTag, parseRedisUrl, type RedisTarget } from '../../queues/redis-url.js';

const DEV_SECRET = 'dev-secret-key-do-not-use-in-production';
const DEV_SUPPRESSION_KEY = 'dev-suppression-key-do-not-use-in-production';
const DEV_OPS_PASSWORD = 'ops-dev-password';
/** Ops passwords are typed by people and guessed by anyone who finds /ops: long ones in production. */
const MIN_OPS_PASSWORD_LENGTH = 16;
/** Euros per segment by destination prefix (SMS_PRICES is merged over these). */
const DEFAULT_SMS_PRICES: Readonly<Record<string, string>> = { '+31': '0.0750', '+32': '0.0900', '+49': '0.0900', default: '0.1200' };

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v === '' ? undefined : v));

const url = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL with scheme ${protocols.map((p) => p.replace(':', '')).join(' or ')}` },
  );

/** data_coding values for GSM-7 text that submit-params.ts encodes for: 0 (GSM-7), 1 (IA5/ASCII), 3 (Latin-1). */
export const GSM_DATA_CODINGS: readonly number[] = [0, 1, 3];

function redisMode(redisUrl: string): RedisTarget['mode'] | undefined {
  try {
    return parseRedisUrl(redisUrl).mode;
  } catch {
    return undefined;
  }
}

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    DATABASE_URL: url(['postgres:', 'postgresql:']).default('postgres://postgres@127.0.0.1:5432/tgg'),
    // One server, redis+cluster://seed,seed or redis+sentinel://sentinel,sentinel/master (queues/redis-url.ts).
    REDIS_URL: z
      .string()
      .default('redis://127.0.0.1:6379')
      .superRefine((v, ctx) => {
        try {
          parseRedisUrl(v);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: error instanceof RedisUrlError ? error.message : 'unreadable' });
        }
      }),
    QUEUE_PREFIX: z
      .string()
      .regex(/^[{}\w-]+$/, 'letters, digits, -, _ and {} only')
      .default('tgg'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    // Unset: this machine on PORT (a laptop); production requires an https one (below).
    PUBLIC_URL: url(['http:', 'https:']).optional(),
    TRUST_PROXY: z
      .union([z.literal(''), z.coerce.number().int().min(0).max(10)])
      .optional()
      .transform((v) => (v === '' || v === undefined ? 0 : v)),
    CORS_ORIGINS: optionalString,
    OPS_USER: z.string().min(1).default('ops'),
    OPS_PASSWORD: z.string().min(1).default(DEV_OPS_PASSWORD),
    OPS_READONLY_USER: optionalString,
    OPS_READONLY_PASSWORD: optionalString,
    SECRET_KEY: z.string().min(32, 'at least 32 characters').default(DEV_SECRET),
    SECRET_KEY_PREVIOUS: optionalString.pipe(
      z
        .string()
        .transform((v) => v.split(',').map((k) => k.trim()).filter((k) => k !== ''))
        .pipe(z.array(z.string().min(32, 'each at least 32 characters')))
        .optional(),
    ),
    SUPPRESSION_KEY: z.string().min(32, 'at least 32 characters').default(DEV_SUPPRESSION_KEY),
    PRIVACY_STATEMENT_VERSION: z.string().trim().min(1).max(100).default('31 July 2018'),
    // No default here: production must name it (below); elsewhere it falls back to the outbox.
    SMS_PROVIDER: z.preprocess((v) => (v === '' ? undefined : v), z.enum(['outbox', 'smpp', 'http']).optional()),
    SMPP_URL: optionalString.pipe(url(['smpp:', 'ssmpp:']).optional()),
    SMS_RATE: z.coerce.number().positive().optional(),
    SMS_HTTP_URL: optionalString.pipe(url(['http:', 'https:']).optional()),
    SMS_HTTP_TOKEN: optionalString,
    SMS_HTTP_SECRET: optionalString.pipe(z.string().min(32, 'at least 32 characters').optional()),
    SMPP_WINDOW: positiveInt(10),
    SMPP_SESSIONS: z.coerce.number().int().min(1).max(32).default(1),
    SMS_VALIDATION_THREADS: z.coerce.number().int().min(1).max(16).optional(),
    SMPP_SESSION_RATE: z.coerce.number().positive().optional(),
    SMPP_RESPONSE_TIMEOUT_MS: positiveInt(10_000),
    SMPP_GSM_DATA_CODING: z.coerce
      .number()
      .int()
      .refine((v) => GSM_DATA_CODINGS.includes(v), { message: `one of ${GSM_DATA_CODINGS.join(', ')} (the labels this platform encodes for)` })
      .default(0),
    SMPP_ENQUIRE_LINK_S: positiveInt(30),
    SMPP_SYSTEM_TYPE: optionalString.pipe(z.string().max(12, 'at most 12 characters').optional()),
    SMPP_ADDRESS_RANGE: optionalString.pipe(z.string().max(40, 'at most 40 characters').optional()),
    SMS_VALIDITY_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(48),
    SMS_PRICES: optionalString.pipe(
      z
        .string()
        .transform((v, ctx) => {
          try {
            return JSON.parse(v) as unknown;
          } catch {
            ctx.addIssue({ code: 'custom', message: 'must be JSON' });
            return z.NEVER;
          }
        })
        .pipe(z.record(z.string().regex(/^(\+\d{1,6}|default)$/), z.string().regex(/^\d+(\.\d{1,4})?$/)))
        .optional(),
    ),
    SMTP_URL: optionalString.pipe(url(['smtp:', 'smtps:']).optional()),
    MAIL_FROM: z.string().min(3).default('TGG <noreply@localhost>'),
    // Newsletter campaigns: the VERP domain (default: MAIL_FROM's), the SMTP pool, DKIM.
    BOUNCE_DOMAIN: optionalString.pipe(z.string().regex(/^[a-z0-9.-]+\.[a-z]{2,}$|^localhost$/i, 'a domain name').optional()),
    MAIL_POOL_SIZE: positiveInt(5),
    MAIL_MESSAGES_PER_CONNECTION: positiveInt(1_000),
    MAIL_RATE: z.coerce.number().positive().optional(),
    MAIL_RETRY_BASE_MS: positiveInt(60_000),
    MAIL_PAUSE_FAILURE_RATIO: z.coerce.number().gt(0).max(1).default(0.5),
    DKIM_DOMAIN: optionalString,
    DKIM_SELECTOR: optionalString,
    DKIM_PRIVATE_KEY: optionalString,
    // Bounces: the shared secret of POST /hooks/mail/bounces, and the mailbox VERP bounces land in.
    MAIL_HOOK_SECRET: optionalString.pipe(z.string().min(32, 'at least 32 characters').optional()),
    BOUNCE_IMAP_URL: optionalString.pipe(url(['imap:', 'imaps:']).optional()),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    JSON_BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/, 'a size such as 1mb').default('1mb'),
    BULK_JSON_BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/, 'a size such as 64mb').default('64mb'),
    RECONCILE_INTERVAL_MS: positiveInt(15_000),
    SHUTDOWN_TIMEOUT_MS: positiveInt(25_000),
    WORKER_CONCURRENCY: positiveInt(4),
    CALLBACK_ALLOW_PRIVATE: z.enum(['true', 'false']).optional(),
    JOB_LOCK_MS: positiveInt(30_000),
    PURGE_BATCH_SIZE: positiveInt(10_000),
    RELATIONSHIP_GRACE_DAYS: z.coerce.number().int().min(0).default(90),
    // Telecom Expense Management
    TEM_MAX_BAD_ROWS: z.coerce.number().min(0).max(100).default(1),
    TEM_ROAMING_THRESHOLD: z.string().regex(/^\d{1,9}(\.\d{1,2})?$/, 'a euro amount such as 50 or 49.95').default('50'),
    TEM_KEEP_RAW: z.enum(['true', 'false']).default('false'),
    TEM_RECONCILE_TOLERANCE: z.string().regex(/^\d{1,2}(\.\d{1,2})?$|^100$/, 'a percentage such as 1 or 0.5').default('1'),
    TEM_MAX_UPLOAD_BYTES: positiveInt(200 * 1024 * 1024),
    // Privacy requests
    PRIVACY_OPS_EMAIL: z.string().min(3).default('privacy@localhost'),
    PRIVACY_SMS_SENDER: z.string().min(1).max(11).default('TGG'),
    PRIVACY_SMS_PER_NUMBER_PER_DAY: positiveInt(3),
    PRIVACY_SMS_PER_PREFIX_PER_DAY: positiveInt(50),
    PRIVACY_PROOF_YEARS: z.coerce.number().int().min(1).max(30).default(5),
    SESSION_TTL_MINUTES: positiveInt(720),
    API_RATE_LIMIT: positiveInt(6_000),
    PUBLIC_RATE_LIMIT: positiveInt(300),
    LOGIN_ATTEMPTS: positiveInt(10),
    HTTP_HEADERS_TIMEOUT_MS: positiveInt(20_000),
    HTTP_REQUEST_TIMEOUT_MS: positiveInt(120_000),
    HTTP_BODY_MIN_RATE: positiveInt(1_000),
    HTTP_BODY_IDLE_TIMEOUT_MS: positiveInt(30_000),
    DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(5_000),
    DB_LONG_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(600_000),
    DB_CONNECT_TIMEOUT_MS: positiveInt(5_000),
    REDIS_COMMAND_TIMEOUT_MS: positiveInt(5_000),
    REDIS_LONG_COMMAND_TIMEOUT_MS: positiveInt(120_000),
    METRICS_PORT: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(0).max(65535).optional()),
    DEMO_ORGANIZATION: z.enum(['true', 'false']).optional(),
  })
  .superRefine((env, ctx) => {
    if (env.OPS_READONLY_USER !== undefined && env.OPS_READONLY_PASSWORD === undefined) {
      ctx.addIssue({ code: 'custom', path: ['OPS_READONLY_PASSWORD'], message: 'required when OPS_READONLY_USER is set' });
    }
    if (env.OPS_READONLY_USER !== undefined && env.OPS_READONLY_USER === env.OPS_USER) {
      ctx.addIssue({ code: 'custom', path: ['OPS_READONLY_USER'], message: 'must differ from OPS_USER' });
    }
    if (env.SMS_PROVIDER === 'smpp' && env.SMPP_URL === undefined) {
      ctx.addIssue({ code: 'custom', path: ['SMPP_URL'], message: 'required when SMS_PROVIDER is smpp' });
    }
    for (const name of ['SMS_HTTP_URL', 'SMS_HTTP_SECRET'] as const) {
      if (env.SMS_PROVIDER === 'http' && env[name] === undefined) {
        ctx.addIssue({ code: 'custom', path: [name], message: 'required when SMS_PROVIDER is http' });
      }
    }
    if (redisMode(env.REDIS_URL) === 'cluster' && !hasHashTag(env.QUEUE_PREFIX)) {
      // BullMQ's scripts touch several keys of a queue at once: on a cluster they must share a slot.
      ctx.addIssue({ code: 'custom', path: ['QUEUE_PREFIX'], message: 'must hold a hash tag on Redis Cluster, e.g. {tgg}' });
    }
    const dkim = [env.DKIM_DOMAIN, env.DKIM_SELECTOR, env.DKIM_PRIVATE_KEY];
    if (dkim.some((v) => v !== undefined) && dkim.some((v) => v === undefined)) {
      for (const name of ['DKIM_DOMAIN', 'DKIM_SELECTOR', 'DKIM_PRIVATE_KEY'] as const) {
        if (env[name] === undefined) ctx.addIssue({ code: 'custom', path: [name], message: 'required when any DKIM_ variable is set' });
      }
    }
    if (env.NODE_ENV !== 'production') return;
    const devDefaults: Array<[keyof typeof env, string]> = [
      ['SECRET_KEY', DEV_SECRET],
      ['SUPPRESSION_KEY', DEV_SUPPRESSION_KEY],
      ['OPS_PASSWORD', DEV_OPS_PASSWORD],
    ];
    for (const [name, devValue] of devDefaults) {
      if (env[name] === devValue) {
        ctx.addIssue({ code: 'custom', path: [name], message: 'must be set in production (the development default is refused)' });
      }
    }
    if (env.SMS_PROVIDER === undefined) {
      // The outbox sends nothing: a production platform without a gateway would report texts sent.
      ctx.addIssue({ code: 'custom', path: ['SMS_PROVIDER'], message: 'must be set in production (outbox, smpp or http; the outbox sends nothing)' });
    }
    for (const name of ['OPS_PASSWORD', 'OPS_READONLY_PASSWORD'] as const) {
      const value = env[name];
      if (value !== undefined && value.length < MIN_OPS_PASSWORD_LENGTH) {
        ctx.addIssue({ code: 'custom', path: [name], message: `at least ${MIN_OPS_PASSWORD_LENGTH} characters in production` });
      }
    }
    if (env.SMTP_URL === undefined) {
      // The outbox keeps mail (and reset links) on the platform: fine on a laptop, not in production.
      ctx.addIssue({ code: 'custom', path: ['SMTP_URL'], message: 'must be set in production (mail would stay in the local outbox)' });
    }
    if (env.SECRET_KEY === env.SUPPRESSION_KEY) {
      ctx.addIssue({ code: 'custom', path: ['SUPPRESSION_KEY'], message: 'must differ from SECRET_KEY' });
    }
    if (!env.PUBLIC_URL?.startsWith('https:')) {
      ctx.addIssue({ code: 'custom', path: ['PUBLIC_URL'], message: 'must be https in production' });
    }
  });

export interface Config {
  readonly env: 'development' | 'test' | 'production';
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly queuePrefix: string;
  readonly port: number;
  readonly publicUrl: string;
  readonly trustProxy: number;
  readonly corsOrigins: readonly string[];
  readonly ops: {
    readonly user: string;
    readonly password: string;
    readonly readonlyUser: string | undefined;
    readonly readonlyPassword: string | undefined;
  };
  readonly secretKey: string;
  /** SECRET_KEY, then SECRET_KEY_PREVIOUS: the first signs links and return paths, each still verifies them. */
  readonly secretKeys: readonly string[];
  readonly suppressionKey: string;
  /** The privacy statement in force, recorded with every newsletter consent (P15). */
  readonly privacyStatementVersion: string;
  readonly sms: {
    readonly provider: 'outbox' | 'smpp' | 'http';
    readonly smppUrl: string | undefined;
    readonly rate: number | undefined;
    /** The JSON gateway of SMS_PROVIDER=http: where windows are posted, our Bearer token, the hook's HMAC secret. */
    readonly httpUrl: string | undefined;
    readonly httpToken: string | undefined;
    readonly httpSecret: string | undefined;
    /** Euros per segment by destination prefix, as decimal strings. */
    readonly prices: Readonly<Record<string, string>>;
    /** submit_sm in flight per SMPP session. */
    readonly smppWindow: number;
    /** Transceiver sessions bound per worker-sms process. */
    readonly smppSessions: number;
    /** submit_sm per second on each session, as the SMSC caps a bind (SMS_RATE caps them all). */
    readonly smppSessionRate: number | undefined;
    readonly smppResponseTimeoutMs: number;
    /** data_coding for GSM-7 text: 0 ("SMSC default alphabet"), 1 (IA5/ASCII) or 3 (Latin-1), encoded for the label. */
    readonly smppGsmDataCoding: number;
    /** enquire_link interval: a session that leaves one unanswered is dropped and bound again. */
    readonly smppEnquireLinkMs: number;
    /** bind_transceiver's system_type and address_range ('' unless the SMSC asks for them). */
    readonly smppSystemType: string;
    readonly smppAddressRange: string;
    readonly validityHours: number;
    /** Validation threads of a web process (validation-pool.ts); by default sized for the machine. */
    readonly validationThreads: number | undefined;
  };
  readonly mail: {
    readonly smtpUrl: string | undefined;
    readonly from: string;
    /** Where VERP return paths point (bounces+<id>.<tag>@bounceDomain). */
    readonly bounceDomain: string;
    /** The pooled SMTP transport: connections, messages per connection, mails per second (undefined: as fast as the relay takes them). */
    readonly poolSize: number;
    readonly messagesPerConnection: number;
    readonly rate: number | undefined;
    /** The first backoff after a 4xx answer; it doubles with each attempt. */
    readonly retryBaseMs: number;
    /** The share of a window's mails refused or lost at which a campaign pauses for ops. */
    readonly pauseFailureRatio: number;
    readonly dkim: { readonly domainName: string; readonly keySelector: string; readonly privateKey: string } | undefined;
    /** The shared secret bounce webhooks send; unset: POST /hooks/mail/bounces refuses every post. */
    readonly hookSecret: string | undefined;
    /** imap(s)://user:password@host:port/MAILBOX the bounce reader reads; unset: it does nothing. */
    readonly bounceImapUrl: string | undefined;
  };
  readonly logLevel: string;
  readonly jsonBodyLimit: string;
  readonly bulkJsonBodyLimit: string;
  readonly reconcileIntervalMs: number;
  readonly shutdownTimeoutMs: number;
  /** Jobs each worker process runs at once per queue. */
  readonly workerConcurrency: number;
  /** Callbacks may go to private, loopback and non-default-port addresses (not in production by default). */
  readonly callbackAllowPrivate: boolean;
  /** A job's lock: a worker that died is noticed (stalled) and its job runs again after this. */
  readonly jobLockMs: number;
  readonly purgeBatchSize: number;
  readonly relationshipGraceDays: number;
  /** Years a privacy request (status, dates, outcome per category, keyed hashes) is kept as proof of compliance. */
  readonly privacyProofYears: number;
  readonly sessionTtlMinutes: number;
  /** Requests per minute per API key or session. */
  readonly apiRateLimit: number;
  /** Requests per minute per client IP to all /public routes together. */
  readonly publicRateLimit: number;
  /** Failed logins per username (and 5x that per IP) in 15 minutes. */
  readonly loginAttempts: number;
  /** A client that has not sent its headers by then gets 408 and is cut off (slowloris). */
  readonly httpHeadersTimeoutMs: number;
  /** A body gets this long, plus a second per httpBodyMinRate bytes received, and no gap over httpBodyIdleTimeoutMs (workers/core/body-deadline.ts). */
  readonly httpRequestTimeoutMs: number;
  readonly httpBodyMinRate: number;
  readonly httpBodyIdleTimeoutMs: number;
  /** Where a process without the web role serves its /metrics (ops login); none when unset. */
  readonly metricsPort: number | undefined;
  /**
   * Postgres bounds (0: none): every statement of a web-only process, every statement of a
   * process running workers (and a web request's bulk COPY), and getting a connection.
   */
  readonly db: { readonly statementTimeoutMs: number; readonly longStatementTimeoutMs: number; readonly connectTimeoutMs: number };
  /** A command of the shared (producer) Redis connection not answered within this fails: 503 for a request, the dashboard's included. */
  readonly redisCommandTimeoutMs: number;
  /** The bound of the dashboard's whole-queue actions (empty, clean, obliterate, promote all): one Lua script over every job. */
  readonly redisLongCommandTimeoutMs: number;
  /** Create a demo organisation on an empty database (default: in development only). */
  readonly demoOrganization: boolean;
  /** Telecom Expense Management: refused rows allowed (percent of the data rows), roaming finding threshold (EUR), keep raw files after parsing, the largest upload (bytes). */
  /** Privacy requests: where ops are mailed, the SMS sender of verification codes, and the caps on those codes per number and per number prefix (the first 6 digits) a day. */
  readonly privacy: { readonly opsEmail: string; readonly smsSender: string; readonly smsPerNumberPerDay: number; readonly smsPerPrefixPerDay: number };
  readonly tem: { readonly maxBadRowsPercent: number; readonly roamingThreshold: string; readonly reconcileTolerancePercent: string; readonly keepRaw: boolean; readonly maxUploadBytes: number };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Every secret the configuration holds (keys, passwords, the passwords of its URLs), for a log line that must quote none. */
export function configSecrets(config: Config): string[] {
  const passwordOf = (url: string | undefined) => {
    try {
      const password = url ? new URL(url).password : '';
      return password ? [password, decodeURIComponent(password)] : [];
    } catch {
      return [];
    }
  };
  return [
    ...[config.databaseUrl, config.redisUrl, config.sms.smppUrl, config.mail.smtpUrl, config.mail.bounceImapUrl].flatMap(passwordOf),
    ...config.secretKeys,
    config.suppressionKey,
    config.ops.password,
    config.ops.readonlyPassword,
    config.sms.httpToken,
    config.sms.httpSecret,
    config.mail.hookSecret,
  ].filter((secret): secret is string => secret !== undefined);
}

/** Reads and validates the environment; throws ConfigError naming every bad variable. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    // Name the variable and the rule, never the value: a value may be a secret.
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`));
  }
  const e = parsed.data;
  return Object.freeze({
    env: e.NODE_ENV,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    queuePrefix: e.QUEUE_PREFIX,
    port: e.PORT,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    trustProxy: e.TRUST_PROXY,
    corsOrigins: (e.CORS_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean),
    ops: Object.freeze({
      user: e.OPS_USER,
      password: e.OPS_PASSWORD,
      readonlyUser: e.OPS_READONLY_USER,
      readonlyPassword: e.OPS_READONLY_PASSWORD,
    }),
    secretKey: e.SECRET_KEY,
    secretKeys: Object.freeze([e.SECRET_KEY, ...(e.SECRET_KEY_PREVIOUS ?? [])]),
    suppressionKey: e.SUPPRESSION_KEY,
    privacyStatementVersion: e.PRIVACY_STATEMENT_VERSION,
    sms: Object.freeze({
      provider: e.SMS_PROVIDER ?? 'outbox',
      smppUrl: e.SMPP_URL,
      rate: e.SMS_RATE,
      httpUrl: e.SMS_HTTP_URL,
      httpToken: e.SMS_HTTP_TOKEN,
      httpSecret: e.SMS_HTTP_SECRET,
      prices: Object.freeze({ ...DEFAULT_SMS_PRICES, ...e.SMS_PRICES }),
      smppWindow: e.SMPP_WINDOW,
      smppSessions: e.SMPP_SESSIONS,
      smppSessionRate: e.SMPP_SESSION_RATE,
      smppResponseTimeoutMs: e.SMPP_RESPONSE_TIMEOUT_MS,
      smppGsmDataCoding: e.SMPP_GSM_DATA_CODING,
      smppEnquireLinkMs: e.SMPP_ENQUIRE_LINK_S * 1_000,
      smppSystemType: e.SMPP_SYSTEM_TYPE ?? '',
      smppAddressRange: e.SMPP_ADDRESS_RANGE ?? '',
      validityHours: e.SMS_VALIDITY_HOURS,
      validationThreads: e.SMS_VALIDATION_THREADS,
    }),
    mail: Object.freeze({
      smtpUrl: e.SMTP_URL,
      from: e.MAIL_FROM,
      bounceDomain: e.BOUNCE_DOMAIN ?? /@([^@>\s]+)>?\s*$/.exec(e.MAIL_FROM)?.[1] ?? 'localhost',
      poolSize: e.MAIL_POOL_SIZE,
      messagesPerConnection: e.MAIL_MESSAGES_PER_CONNECTION,
      rate: e.MAIL_RATE,
      retryBaseMs: e.MAIL_RETRY_BASE_MS,
      pauseFailureRatio: e.MAIL_PAUSE_FAILURE_RATIO,
      // A PEM key in one environment line may carry its newlines as \n.
      hookSecret: e.MAIL_HOOK_SECRET,
      bounceImapUrl: e.BOUNCE_IMAP_URL,
      dkim: e.DKIM_DOMAIN && e.DKIM_SELECTOR && e.DKIM_PRIVATE_KEY ? Object.freeze({ domainName: e.DKIM_DOMAIN, keySelector: e.DKIM_SELECTOR, privateKey: e.DKIM_PRIVATE_KEY.replace(/\\n/g, '\n') }) : undefined,
    }),
    logLevel: e.LOG_LEVEL,
    jsonBodyLimit: e.JSON_BODY_LIMIT,
    bulkJsonBodyLimit: e.BULK_JSON_BODY_LIMIT,
    reconcileIntervalMs: e.RECONCILE_INTERVAL_MS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    workerConcurrency: e.WORKER_CONCURRENCY,
    callbackAllowPrivate: e.CALLBACK_ALLOW_PRIVATE === undefined ? e.NODE_ENV !== 'production' : e.CALLBACK_ALLOW_PRIVATE === 'true',
    jobLockMs: e.JOB_LOCK_MS,
    purgeBatchSize: e.PURGE_BATCH_SIZE,
    relationshipGraceDays: e.RELATIONSHIP_GRACE_DAYS,
    privacyProofYears: e.PRIVACY_PROOF_YEARS,
    sessionTtlMinutes: e.SESSION_TTL_MINUTES,
    apiRateLimit: e.API_RATE_LIMIT,
    publicRateLimit: e.PUBLIC_RATE_LIMIT,
    loginAttempts: e.LOGIN_ATTEMPTS,
    metricsPort: e.METRICS_PORT,
    db: Object.freeze({ statementTimeoutMs: e.DB_STATEMENT_TIMEOUT_MS, longStatementTimeoutMs: e.DB_LONG_STATEMENT_TIMEOUT_MS, connectTimeoutMs: e.DB_CONNECT_TIMEOUT_MS }),
    redisCommandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
    redisLongCommandTimeoutMs: e.REDIS_LONG_COMMAND_TIMEOUT_MS,
    httpHeadersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
    httpRequestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
    httpBodyMinRate: e.HTTP_BODY_MIN_RATE,
    httpBodyIdleTimeoutMs: e.HTTP_BODY_IDLE_TIMEOUT_MS,
    demoOrganization: e.DEMO_ORGANIZATION === undefined ? e.NODE_ENV === 'development' : e.DEMO_ORGANIZATION === 'true',
    privacy: Object.freeze({ opsEmail: e.PRIVACY_OPS_EMAIL, smsSender: e.PRIVACY_SMS_SENDER, smsPerNumberPerDay: e.PRIVACY_SMS_PER_NUMBER_PER_DAY, smsPerPrefixPerDay: e.PRIVACY_SMS_PER_PREFIX_PER_DAY }),
    tem: Object.freeze({ maxBadRowsPercent: e.TEM_MAX_BAD_ROWS, roamingThreshold: e.TEM_ROAMING_THRESHOLD, reconcileTolerancePercent: e.TEM_RECONCILE_TOLERANCE, keepRaw: e.TEM_KEEP_RAW === 'true', maxUploadBytes: e.TEM_MAX_UPLOAD_BYTES }),
  });
}
