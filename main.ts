// The composition root and the entry of every process but `release`: `tsx main.ts --role web`
// (see Procfile), or `--role all` for a laptop. The one file that sees every layer: it hands
// the API (api/app.ts) to the runtime's web role. SIGTERM stops in order; a second signal forces.
import { ConfigError, configSecrets, loadConfig } from './workers/core/config.js';
import { describeStartFailure } from './workers/core/errors.js';
import { createLogger } from './workers/core/logger.js';
import { parseRoles } from './workers/roles.js';
import { startRuntime } from './workers/runtime.js';

let config;
let roles;
try {
  config = loadConfig();
  roles = parseRoles(process.argv.slice(2), process.env.ROLES);
} catch (error) {
  console.error(error instanceof ConfigError || error instanceof Error ? error.message : error);
  process.exit(1);
}

const logger = createLogger(config.logLevel);

/** Exits once the log lines written so far are out: pino writes asynchronously, and process.exit() dropped the last ones. */
function exitAfterFlush(code: number): void {
  setTimeout(() => process.exit(code), 2_000);
  logger.flush(() => process.exit(code));
}

const migrate = process.argv.includes('--migrate') || process.argv.slice(2).join(' ').includes('all');
// The API (express, its routes and schemas) is loaded only by a process that serves it: a worker stays smaller at rest.
const web = roles.includes('web') ? (await import('./api/app.js')).createApp : undefined;
const runtime = await startRuntime(config, { roles, migrate, logger, web }).catch((error: unknown) => {
  logger.fatal(describeStartFailure(error, configSecrets(config)), 'could not start');
  exitAfterFlush(1);
  return new Promise<never>(() => undefined);
});

let signals = 0;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    signals += 1;
    if (signals > 1) {
      logger.warn({ signal }, 'second signal: exiting now');
      exitAfterFlush(1);
      return;
    }
    logger.info({ signal }, 'shutting down');
    runtime.stop().then(
      () => exitAfterFlush(0),
      (error: unknown) => {
        logger.error({ error: error instanceof Error ? error.message : 'unknown' }, 'shutdown failed');
        exitAfterFlush(1);
      },
    );
  });
}
