// One log line per request: method, route pattern (never the raw path, which may hold a token
// or an address), status, duration, truncated IP and browser. Headers and bodies are never logged.
import type { RequestHandler } from 'express';
import type { Logger } from '../workers/core/logger.js';
import type { Metrics } from '../workers/core/metrics.js';
import { truncateIp } from './client-ip.js';

const MOUNTS = ['/ops/queues', '/docs'];

/** Routes outside api/route.ts are named by their mount; anything else stays unnamed. */
function mountOf(url: string): string {
  const mount = MOUNTS.find((m) => url === m || url.startsWith(`${m}/`) || url.startsWith(`${m}?`));
  return mount ? `${mount}/*` : '(unmatched)';
}

export function requestLog(logger: Logger, metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    // Read now: by 'finish' a request cut off mid-body may have lost its socket, and req.ip with it.
    const ip = truncateIp(req.ip);
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = (res.locals.routePattern as string | undefined) ?? mountOf(req.originalUrl);
      metrics.httpDuration.observe({ method: req.method, route, status: String(res.statusCode) }, seconds);
      if (route === '/healthz' || route === '/readyz' || route === '/metrics') return;
      logger.info(
        {
          method: req.method,
          route,
          status: res.statusCode,
          ms: Math.round(seconds * 1000),
          ip,
          ua: req.get('user-agent')?.slice(0, 200),
        },
        'request',
      );
    });
    next();
  };
}
