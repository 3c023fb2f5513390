// A route is declared once: path, schemas, auth and handler. The same declaration mounts it on
// Express, validates its input and documents it in /openapi.json, so the two cannot drift.
import express, { type Express, type Request, type RequestHandler, type Response } from 'express';
import type { z } from 'zod';
import type { Scope } from '../db/schema.js';
import { beginIntake } from '../workers/core/intake-gate.js';
import { jsonDepthExceeds, tooDeep, verifyJsonDepth } from './json-depth.js';
import { HttpError, malformedJson } from './problem.js';
import { parseInput } from './validate.js';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
/** none: anyone; ops: either ops login; ops-write: the full ops login; bearer: a member's key or session. */
export type Security = 'none' | 'ops' | 'ops-write' | 'bearer';

export interface ResponseSpec {
  readonly description: string;
  readonly schema?: z.ZodType;
  /** application/json unless said otherwise */
  readonly contentType?: string;
}

export interface Reply {
  readonly status?: number;
  readonly body?: unknown;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

type Schema = z.ZodType | undefined;
type Out<S extends Schema> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteInput<P extends Schema, Q extends Schema, B extends Schema> {
  readonly params: Out<P>;
  readonly query: Out<Q>;
  readonly body: Out<B>;
}

export interface RouteSpec<P extends Schema = Schema, Q extends Schema = Schema, B extends Schema = Schema> {
  readonly method: Method;
  /** OpenAPI style: /v1/sms/batches/{id} */
  readonly path: string;
  readonly summary: string;
  readonly tags: readonly string[];
  readonly security: Security;
  /** For bearer routes: the scope the key or session must have. */
  readonly scope?: Scope;
  readonly params?: P;
  readonly query?: Q;
  readonly body?: B;
  /** A multipart/form-data body the handler streams itself; documented, not parsed here. */
  readonly multipart?: z.ZodObject;
  /** Another media type the route also takes, as a stream its own handler reads (a CSV import); not parsed here. */
  readonly streamed?: { readonly contentType: string; readonly handler: (input: RouteInput<P, Q, undefined>, req: Request, res: Response) => Promise<Reply | undefined> };
  /** Routes that take bulk input (an SMS batch) get the larger body limit. */
  readonly bulkBody?: boolean;
  /** Also takes the body as an HTML form (application/x-www-form-urlencoded), as a public page posts it. */
  readonly formBody?: boolean;
  /** Checks the body's raw bytes before they are parsed (a webhook signature); throws an HttpError to refuse. */
  readonly verifyBody?: (req: Request, raw: Buffer) => void;
  readonly responses: Readonly<Record<number, ResponseSpec>>;
  /**
   * Never answers the 503 of a dependency away: it touches neither Postgres nor Redis (a page built
   * in memory; the rate limits fall back to memory), or reports them in its own answer (/ops/status).
   */
  readonly selfContained?: boolean;
  readonly handler: (input: RouteInput<P, Q, B>, req: Request, res: Response) => Promise<Reply | undefined> | Reply | undefined;
}

export type Route = RouteSpec<Schema, Schema, Schema>;

export function defineRoute<P extends Schema = undefined, Q extends Schema = undefined, B extends Schema = undefined>(spec: RouteSpec<P, Q, B>): Route {
  return spec;
}

export function expressPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}

export interface MountOptions {
  readonly guards: Readonly<Record<Security, readonly RequestHandler[]>>;
  readonly scopeGuard: (scope: Scope) => RequestHandler;
  readonly jsonLimit: string;
  readonly bulkJsonLimit: string;
}

function send(res: Response, reply: Reply | undefined, fallbackStatus: number): void {
  if (res.headersSent) return;
  for (const [name, value] of Object.entries(reply?.headers ?? {})) res.setHeader(name, value);
  res.status(reply?.status ?? fallbackStatus);
  if (reply?.body === undefined) {
    res.end();
  } else if (reply.contentType && typeof reply.body === 'string') {
    res.type(reply.contentType).send(reply.body);
  } else {
    res.json(reply.body);
  }
}

/** The body of a verifyBody route: checked as bytes first, then read as JSON. */
function verifiedJson(req: Request, verify: (req: Request, raw: Buffer) => void): unknown {
  const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  verify(req, raw);
  if (jsonDepthExceeds(raw)) throw tooDeep();
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    throw malformedJson();
  }
}

/** Holds this process's jobs back (intake-gate.ts) until the answer is sent or the client is gone. */
const holdJobs: RequestHandler = (_req, res, next) => {
  res.once('close', beginIntake());
  next();
};

export function mountRoutes(app: Express, routes: readonly Route[], options: MountOptions): void {
  const json = express.json({ limit: options.jsonLimit, strict: true, verify: verifyJsonDepth });
  const bulkJson = express.json({ limit: options.bulkJsonLimit, strict: true, verify: verifyJsonDepth });
  const raw = express.raw({ type: 'application/json', limit: options.jsonLimit });
  const form = express.urlencoded({ extended: false, limit: options.jsonLimit, parameterLimit: 20 });
  for (const route of routes) {
    const pattern: RequestHandler = (_req, res, next) => {
      res.locals.routePattern = route.path;
      next();
    };
    const parsers = route.body ? [route.verifyBody ? raw : route.bulkBody ? bulkJson : json, ...(route.formBody ? [form] : [])] : [];
    const successStatus = Number(Object.keys(route.responses).find((s) => Number(s) < 300) ?? 200);
    const handle: RequestHandler = async (req, res) => {
      if (route.streamed && req.is(route.streamed.contentType)) {
        const params = route.params ? parseInput('params', route.params, req.params) : undefined;
        const query = route.query ? parseInput('query', route.query, req.query) : undefined;
        send(res, await route.streamed.handler({ params, query, body: undefined }, req, res), successStatus);
        return;
      }
      if (route.body && !req.is('application/json') && !(route.formBody && req.is('application/x-www-form-urlencoded'))) {
        throw new HttpError(415, 'Unsupported Media Type', 'Send the body as application/json.', {
          errors: [{ field: 'header.content-type', message: 'must be application/json' }],
        });
      }
      const input = {
        params: route.params ? parseInput('params', route.params, req.params) : undefined,
        query: route.query ? parseInput('query', route.query, req.query) : undefined,
        body: route.body ? parseInput('body', route.body, route.verifyBody ? verifiedJson(req, route.verifyBody) : req.body) : undefined,
      };
      send(res, await route.handler(input, req, res), successStatus);
    };
    const scope = route.scope ? [options.scopeGuard(route.scope)] : [];
    // A bulk body is an intake from its first byte (reading and parsing it is most of the work): jobs of this process wait.
    const intake = route.bulkBody || route.multipart ? [holdJobs] : [];
    app[route.method](expressPath(route.path), pattern, ...options.guards[route.security], ...scope, ...intake, ...parsers, handle);
  }
}
