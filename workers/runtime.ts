// Starts the roles of one process and stops them in order: HTTP server, timers, workers
// (with a deadline), queues, mail transport, database.
import { createServer, type RequestListener, type Server } from 'node:http';
import type { Worker } from 'bullmq';
import { createDb, type Db } from '../db/database.js';
import { ensureDatabase } from '../db/ensure-database.js';
import { migrateToLatest } from '../db/migrate.js';
import { QueueSet } from '../queues/queue-set.js';
import { watchBodies } from './core/body-deadline.js';
import type { Config } from './core/config.js';
import type { Deps } from './core/deps.js';
import type { HandlerMap } from './core/handler.js';
import { closeWorker, startQueueWorker, type RunnerOptions } from './core/job-runner.js';
import { createLogger, type Logger } from './core/logger.js';
import { createMetrics } from './core/metrics.js';
import { createMetricsServer } from './core/metrics-server.js';
import { startReconciler, type DueWorkSource } from './core/reconciler.js';
import { warnUnlessNoEviction } from './core/redis-check.js';
import { keepSchedules } from './core/schedules.js';
import { DUE_WORK } from './due-work.js';
import { demoBanner, ensureDemoOrganization } from './identity/demo.js';
import { FAMILIES } from './families.js';
import { loadHandlers } from './handlers.js';
import { ensureHouseOrganization } from './newsletter/house.js';
import { closeFamilyResources, createDeps } from './resources.js';
import { QUEUES_OF_ROLE, type Role } from './roles.js';

export interface RuntimeOptions {
  readonly roles: readonly Role[];
  /** Create the database if missing and apply migrations first (npm start, tests). */
  readonly migrate?: boolean;
  readonly logger?: Logger;
  readonly handlers?: HandlerMap;
  readonly dueWork?: readonly DueWorkSource[];
  readonly workerOptions?: RunnerOptions;
  /** The HTTP app of the `web` role, given by the composition root (main.ts): workers/ never imports api/. */
  readonly web?: (deps: Deps) => RequestListener;
  /** How long to wait for Redis before starting anyway (the reconciler catches up later). */
  readonly waitForRedisMs?: number;
}

function whenReady(connection: QueueSet['connection'], timeoutMs: number): Promise<boolean> {
  if (connection.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ready: boolean) => {
      clearTimeout(timer);
      connection.off('ready', onReady);
      resolve(ready);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    connection.on('ready', onReady);
  });
}

export interface Runtime {
  readonly deps: Deps;
  readonly server: Server | undefined;
  readonly workers: readonly Worker[];
  /** Resolves with the bound port of the web role. */
  readonly port: number | undefined;
  stop(): Promise<void>;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/** Migrates the database and makes what a first start makes: the house organisation, the demo one. */
async function prepareDatabase(db: Db, config: Config, roles: readonly Role[], logger: Logger): Promise<void> {
  const steps = await migrateToLatest(db);
  if (steps.length > 0) logger.info({ steps }, 'migrations applied');
  const house = await ensureHouseOrganization(db);
  if (house.listId) logger.info({ organizationId: house.organizationId, listId: house.listId }, 'house organisation created');
  if (config.demoOrganization && roles.includes('web')) {
    const demo = await ensureDemoOrganization(db);
    if (demo) process.stdout.write(`${demoBanner(demo, config.publicUrl)}\n`);
  }
}

/** Closes what a failed start opened, then fails with its error. */
async function closeAfter(error: unknown, close: () => Promise<void>): Promise<never> {
  await close().catch(() => undefined);
  throw error;
}

export async function startRuntime(config: Config, options: RuntimeOptions): Promise<Runtime> {
  const logger = options.logger ?? createLogger(config.logLevel);
  if (options.migrate) {
    if (config.env !== 'production' && (await ensureDatabase(config.databaseUrl))) logger.info('database created');
    // On a connection of its own, without the roles' statement timeout: a migration may build an
    // index for minutes. Closed however it ends: a process that lives on (tests, a supervisor
    // retrying in-process) kept that socket open.
    const setup = createDb(config.databaseUrl, { max: 1, applicationName: 'tgg-migrate', connectTimeoutMs: config.db.connectTimeoutMs });
    await prepareDatabase(setup, config, options.roles, logger).finally(() => setup.destroy());
  }
  // A web-only process bounds every statement by a request's measure; one running workers (and
  // `--role all`) by the long one: purges, exports and parses run minutes, not seconds.
  const webOnly = options.roles.every((role) => role === 'web');
  const db = createDb(config.databaseUrl, {
    applicationName: `tgg-${options.roles.join('+')}`,
    onIdleError: (error) => logger.warn({ code: (error as { code?: string }).code ?? 'error' }, 'idle Postgres connection closed'),
    statementTimeoutMs: webOnly ? config.db.statementTimeoutMs : config.db.longStatementTimeoutMs,
    longStatementTimeoutMs: config.db.longStatementTimeoutMs,
    connectTimeoutMs: config.db.connectTimeoutMs,
  });
  const queues = new QueueSet({ redisUrl: config.redisUrl, prefix: config.queuePrefix, commandTimeoutMs: config.redisCommandTimeoutMs, longCommandTimeoutMs: config.redisLongCommandTimeoutMs });
  queues.connection.once('ready', () => void warnUnlessNoEviction(queues.connection, logger));
  if (!(await whenReady(queues.connection, options.waitForRedisMs ?? 5_000))) {
    logger.warn('Redis is not reachable yet: starting anyway; work is enqueued once it is back');
  }
  const metrics = createMetrics(FAMILIES, { config, db, queues, platformView: options.roles.includes('web') });
  // A family's resources that fail to build (createDeps closes those it built) leave Redis and the pool to close.
  const deps = await createDeps({ config, db, queues, logger, metrics }, options.roles).catch((error: unknown) =>
    closeAfter(error, async () => {
      await queues.close();
      await db.destroy();
    }),
  );
  const release = async () => {
    await queues.close();
    await closeFamilyResources(deps);
    await db.destroy();
  };

  // The web app or the metrics server; one that cannot be built or bound (the port taken) closes what the start opened.
  const serve = async (): Promise<{ server?: Server; port?: number }> => {
    if (options.roles.includes('web')) {
      if (!options.web) throw new Error('the web role needs its app: pass `web` to startRuntime');
      // Node checks the headers' timeout every connectionsCheckingInterval (30 s by default): a slow
      // client would hold its socket that much longer than configured. Its total requestTimeout is
      // off: a body is timed by its progress instead (body-deadline.ts).
      const web = createServer({ headersTimeout: config.httpHeadersTimeoutMs, requestTimeout: 0, connectionsCheckingInterval: Math.min(1_000, config.httpHeadersTimeoutMs) }, options.web(deps));
      watchBodies(web, {
        graceMs: config.httpRequestTimeoutMs,
        minBytesPerSecond: config.httpBodyMinRate,
        idleMs: config.httpBodyIdleTimeoutMs,
        tickMs: Math.min(1_000, config.httpRequestTimeoutMs),
      });
      web.keepAliveTimeout = 65_000;
      const bound = await listen(web, config.port);
      logger.info({ port: bound }, 'web listening');
      return { server: web, port: bound };
    }
    if (config.metricsPort === undefined) return {};
    const scrape = createMetricsServer(config, metrics, logger);
    const bound = await listen(scrape, config.metricsPort);
    logger.info({ port: bound }, 'metrics listening');
    return { server: scrape, port: bound };
  };
  const { server, port } = await serve().catch((error: unknown) => closeAfter(error, release));

  const queueNames = [...new Set(options.roles.flatMap((role) => QUEUES_OF_ROLE[role]))];
  const closeServer = () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  const handlers =
    options.handlers ??
    (await loadHandlers(queueNames).catch((error: unknown) =>
      closeAfter(error, async () => {
        await closeServer();
        await release();
      }),
    ));
  const workers = queueNames.map((queue) => startQueueWorker(queue, deps, handlers, { concurrency: config.workerConcurrency, lockDuration: config.jobLockMs, stalledInterval: config.jobLockMs, ...options.workerOptions }));

  const scheduler = options.roles.includes('scheduler');
  const reconciler = scheduler ? startReconciler(deps, options.dueWork ?? DUE_WORK, config.reconcileIntervalMs) : undefined;
  const stopSchedules = scheduler ? keepSchedules(queues, logger, config.reconcileIntervalMs) : undefined;
  logger.info({ roles: options.roles, queues: queueNames, mail: deps.mailer.name }, 'started');

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      const closingServer = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
      server?.closeIdleConnections();
      stopSchedules?.();
      await reconciler?.stop();
      const outcomes = await Promise.all(workers.map((w) => closeWorker(w, config.shutdownTimeoutMs)));
      if (outcomes.includes('aborted')) logger.warn('shutdown deadline passed: running jobs were aborted and will run again');
      server?.closeAllConnections();
      await closingServer;
      await release();
      logger.info('stopped');
    })());

  return { deps, server, workers, port, stop };
}
