// /metrics of a process without the web role (a worker, the scheduler), on METRICS_PORT, for
// the ops logins only: its job durations, SMS outcomes and SMPP session are its own, and
// Prometheus scrapes every process. Nothing else is served.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Config } from './config.js';
import type { Metrics } from './metrics.js';

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

export function createMetricsServer(config: Config, metrics: Metrics): Server {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    if (!isOps(config, req)) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="TGG ops", charset="UTF-8"', 'content-type': 'text/plain' }).end('ops credentials required\n');
      return;
    }
    metrics.registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body),
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n'),
    );
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  return server;
}
