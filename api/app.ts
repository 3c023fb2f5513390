// The Express app of the `web` role: security headers, closed CORS, request logs without
// personal data, routes declared once (api/route.ts), Bull Board, and one error mapper.
import cors from 'cors';
import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import swaggerUi from 'swagger-ui-express';
import { auditDashboardActions } from '../dashboard/audit-actions.js';
import { DASHBOARD_PATH, createDashboard } from '../dashboard/bull-board.js';
import type { Deps } from '../workers/core/deps.js';
import { errorHandler, notFoundHandler } from './error-handler.js';
import { buildOpenApi } from './openapi.js';
import { readOnlyUnlessOps, requireOps, requireOpsWrite } from './ops-auth.js';
import { requestLog } from './request-log.js';
import { mountRoutes, type Route, type Security } from './route.js';
import { healthRoutes } from './routes/health.js';
import { metaRoutes } from './routes/meta.js';
import { opsOutboxRoutes } from './routes/ops-outbox.js';
import { registerRoutes } from './routes/register.js';
import { apiKeyRoutes } from './routes/api-keys.js';
import { contactRoutes } from './routes/contacts.js';
import { organizationRoutes } from './routes/organizations.js';
import { sessionRoutes, type LoginLimiters } from './routes/sessions.js';
import { userRoutes } from './routes/users.js';
import { smsBatchRoutes } from './routes/sms-batches.js';
import { smsToolRoutes } from './routes/sms-tools.js';
import { smsCsvRoutes } from './routes/sms-csv.js';
import { smsHttpHookRoutes } from './routes/hooks-sms-http.js';
import { opsSmsRoutes } from './routes/ops-sms.js';
import { callbackSecretRoutes } from './routes/callback-secret.js';
import { passwordResetPageRoutes } from './routes/password-reset-page.js';
import { temRoutes } from './routes/tem.js';
import { requireBearer, requireScope } from './auth/bearer.js';
import { createLimiter } from './rate-limit.js';

export const API_VERSION = '0.1.0';

export interface AppExtensions {
  /** Extra routes (tests). */
  readonly routes?: readonly Route[];
}

const LOGIN_WINDOW_SECONDS = 15 * 60;

export function collectRoutes(deps: Deps, openapi: () => unknown, limiters: LoginLimiters, extra: readonly Route[] = []): Route[] {
  return [
    ...healthRoutes(deps),
    ...metaRoutes(deps, openapi),
    ...registerRoutes(deps),
    ...opsOutboxRoutes(deps),
    ...organizationRoutes(deps),
    ...sessionRoutes(deps, limiters),
    ...passwordResetPageRoutes(),
    ...userRoutes(deps),
    ...apiKeyRoutes(deps),
    ...contactRoutes(deps),
    ...smsBatchRoutes(deps),
    ...smsCsvRoutes(deps),
    ...opsSmsRoutes(deps),
    ...callbackSecretRoutes(deps),
    ...smsToolRoutes(deps),
    ...smsHttpHookRoutes(deps),
    ...temRoutes(deps),
    ...extra,
  ];
}

export function createApp(deps: Deps, extensions: AppExtensions = {}): Express {
  const { config } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('query parser', 'simple');

  app.use(requestLog(deps.logger, deps.metrics));
  app.use(
    helmet({
      // Bull Board and Swagger UI ship their own scripts and inline styles.
      contentSecurityPolicy: { directives: { 'script-src': ["'self'", "'unsafe-inline'"], 'img-src': ["'self'", 'data:'] } },
    }),
  );
  app.use(cors({ origin: config.corsOrigins.length > 0 ? [...config.corsOrigins] : false }));

  const redis = deps.queues.connection;
  const prefix = `${config.queuePrefix}:ratelimit`;
  const limiters: LoginLimiters = {
    byUsername: createLimiter(redis, `${prefix}:login-user`, config.loginAttempts, LOGIN_WINDOW_SECONDS),
    byIp: createLimiter(redis, `${prefix}:login-ip`, config.loginAttempts * 5, LOGIN_WINDOW_SECONDS),
  };
  const perKey = createLimiter(redis, `${prefix}:api`, config.apiRateLimit, 60);
  const routes = collectRoutes(deps, () => document, limiters, extensions.routes);
  const document = buildOpenApi(routes, { version: API_VERSION, serverUrl: config.publicUrl });

  const ops = requireOps(config);
  const guards: Record<Security, readonly RequestHandler[]> = {
    none: [],
    ops: [ops],
    'ops-write': [ops, requireOpsWrite],
    bearer: [requireBearer(deps, perKey)],
  };
  mountRoutes(app, routes, { guards, scopeGuard: requireScope, jsonLimit: config.jsonBodyLimit, bulkJsonLimit: config.bulkJsonBodyLimit });

  app.use('/docs', swaggerUi.serve, swaggerUi.setup(document as swaggerUi.JsonObject, { customSiteTitle: 'TGG platform API' }));
  app.use(DASHBOARD_PATH, ops, readOnlyUnlessOps, auditDashboardActions(deps.db, deps.logger, config.ops.user), createDashboard(deps.queues));

  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
