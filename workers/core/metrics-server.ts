// /metrics of a process without the web role (a worker, the scheduler), on METRICS_PORT, for
// the ops logins only: its job durations, SMS outcomes and SMPP session are its own, and
// Prometheus scrapes every process. Nothing else is served. Refusals and failures answer as the
// web's do: problem+json, 503 with Retry-After when a dependency is away, a bare 500 otherwise,
// logged by kind only.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import type { Config } from './config.js';
import { describeError } from './errors.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import { INTERNAL_PROBLEM, UNAVAILABLE_PROBLEM, UNAVAILABLE_RETRY_AFTER_S, isDependencyUnavailable } from './unavailable.js';

interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
}

const NOT_FOUND: Problem = { type: 'about:blank', title: 'Not Found', status: 404, detail: 'Only GET /metrics is served here.' };
const UNAUTHORIZED: Problem = { type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'Ops credentials required.' };

function sendProblem(res: ServerResponse, problem: Problem, headers: Record<string, string> = {}): void {
  res.writeHead(problem.status, { ...headers, 'content-type': 'application/problem+json; charset=utf-8' }).end(JSON.stringify(problem));
}

function same(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

function isOps(config: Config, req: IncomingMessage): boolean {
  const match = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(req.headers.authorization ?? '');
  const decoded = Buffer.from(match?.[1] ?? '', 'base64').toString('utf8');
  const user = decoded.slice(0, Math.max(0, decoded.indexOf(':')));
  const password = decoded.slice(decoded.indexOf(':') + 1);
  const full = same(user, config.ops.user) && same(password, config.ops.password);
  const readonly = config.ops.readonlyUser !== undefined && same(user, config.ops.readonlyUser) && same(password, config.ops.readonlyPassword ?? '');
  return match !== null && (full || readonly);
}

export function createMetricsServer(config: Config, metrics: Metrics, logger: Logger): Server {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/metrics') {
      sendProblem(res, NOT_FOUND);
      return;
    }
    if (!isOps(config, req)) {
      sendProblem(res, UNAUTHORIZED, { 'www-authenticate': 'Basic realm="TGG ops", charset="UTF-8"' });
      return;
    }
    metrics.registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body),
      (error: unknown) => {
        if (isDependencyUnavailable(error)) {
          logger.warn({ error: describeError(error) }, 'metrics refused: a dependency is unavailable');
          sendProblem(res, UNAVAILABLE_PROBLEM, { 'retry-after': String(UNAVAILABLE_RETRY_AFTER_S) });
        } else {
          logger.error({ error: describeError(error) }, 'metrics failed');
          sendProblem(res, INTERNAL_PROBLEM);
        }
      },
    );
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  return server;
}
