// The Express app of the `web` role: security headers, closed CORS, request logs without
// personal data, routes declared once (api/route.ts), Bull Board, and one error mapper.
import cors from 'cors';
import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import swaggerUi from 'swagger-ui-express';
import { DASHBOARD_PATH, createDashboard } from '../dashboard/bull-board.js';
import type { Deps } from '../workers/core/deps.js';
import { auditDashboardActions, noteDashboardFailure } from './dashboard-audit.js';
import { errorHandler, notFoundHandler } from './error-handler.js';
import { buildOpenApi } from './openapi.js';
import { readOnlyUnlessOps, requireOps, requireOpsWrite } from './ops-auth.js';
import { selfOnlyPages } from './page-csp.js';
import { requestLog } from './request-log.js';
import { fixedHeaders } from './fixed-headers.js';
import { mountRoutes, type Route, type Security } from './route.js';
import { healthRoutes } from './routes/health.js';
import { metaRoutes } from './routes/meta.js';
import { opsStatusRoutes } from './routes/ops-status.js';
import { opsAuditRoutes } from './routes/ops-audit.js';
import { FAMILY_ROUTES } from './families.js';
import { requireBearer, requireScope } from './auth/bearer.js';
import { createLimiter } from './rate-limit.js';
import { createLeasedLimiter } from './leased-limit.js';
import { publicRateLimit } from './public-rate-limit.js';
import { createLoginThrottle, type LoginThrottle } from './login-throttle.js';
import { noStore } from './no-store.js';
import { refuseCrossSiteWrites } from './same-origin.js';

export const API_VERSION = '0.1.0';

export interface AppExtensions {
  /** Extra routes (tests). */
  readonly routes?: readonly Route[];
}

const API_CSP = { 'default-src': ["'none'"], 'base-uri': ["'none'"], 'form-action': ["'none'"], 'frame-ancestors': ["'none'"] };

/** The platform's own routes (health, metrics, the contract), then every family's (families.ts). */
export function collectRoutes(deps: Deps, openapi: () => unknown, loginThrottle: LoginThrottle, extra: readonly Route[] = []): Route[] {
  return [
    ...healthRoutes(deps),
    ...metaRoutes(deps, openapi),
    ...opsStatusRoutes(deps),
    ...opsAuditRoutes(deps),
    ...Object.values(FAMILY_ROUTES).flatMap((routes) => routes(deps, { loginThrottle })),
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
  // The API answers JSON: its policy allows nothing. The HTML pages set their own (page-csp.ts).
  app.use(fixedHeaders(helmet({ contentSecurityPolicy: { useDefaults: false, directives: API_CSP } })));
  app.use(cors({ origin: config.corsOrigins.length > 0 ? [...config.corsOrigins] : false }));

  const redis = deps.queues.connection;
  const prefix = `${config.queuePrefix}:ratelimit`;
  const loginThrottle = createLoginThrottle(redis, `${prefix}:login`, config.secretKey, config.loginAttempts);
  const opsThrottle = createLoginThrottle(redis, `${prefix}:ops-login`, config.secretKey, config.loginAttempts);
  // Leased: one Redis call per lease of points, not per request (leased-limit.ts).
  const perKey = createLeasedLimiter(createLimiter(redis, `${prefix}:api`, config.apiRateLimit, 60));
  // The contract is built by the first request for it (/openapi.json, /docs), not at start:
  // a web process that is never asked does not hold it (issue 16).
  let document: ReturnType<typeof buildOpenApi> | undefined;
  const openapi = () => (document ??= buildOpenApi(routes, { version: API_VERSION, serverUrl: config.publicUrl }));
  const routes = collectRoutes(deps, openapi, loginThrottle, extensions.routes);

  app.use(['/v1', '/ops', '/public'], noStore);
  app.use('/public', publicRateLimit(createLimiter(redis, `${prefix}:public`, config.publicRateLimit, 60), config.secretKey));
  app.use('/ops', refuseCrossSiteWrites(config.publicUrl));
  const ops = requireOps(config, opsThrottle);
  const guards: Record<Security, readonly RequestHandler[]> = {
    none: [],
    ops: [ops],
    'ops-write': [ops, requireOpsWrite],
    bearer: [requireBearer(deps, perKey)],
  };
  mountRoutes(app, routes, { guards, scopeGuard: requireScope, jsonLimit: config.jsonBodyLimit, bulkJsonLimit: config.bulkJsonBodyLimit });

  let docsPage: RequestHandler | undefined;
  const docs: RequestHandler = (req, res, next) => {
    docsPage ??= swaggerUi.setup(openapi(), { customSiteTitle: 'TGG platform API' });
    docsPage(req, res, next);
  };
  app.use('/docs', selfOnlyPages, swaggerUi.serve, docs);
  // Parsed here first, so an oversized body is our 413 problem+json, not Bull Board's own answer.
  const dashboardBody = express.json({ limit: config.jsonBodyLimit });
  app.use(DASHBOARD_PATH, ops, readOnlyUnlessOps, dashboardBody, auditDashboardActions(deps.db, deps.logger, config.ops.user), selfOnlyPages, createDashboard(deps.queues), noteDashboardFailure);

  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
