// A middleware that only sets the same headers on every answer (helmet with a static policy),
// run once at start against a recording response; each request then gets the recorded headers
// set in one loop, instead of passing through helmet's thirteen middlewares and their closures.
import type { Request, RequestHandler, Response } from 'express';

export function fixedHeaders(middleware: RequestHandler): RequestHandler {
  const set: [string, string | string[]][] = [];
  const removed: string[] = [];
  // Only these two methods: a middleware that reads the request or anything else of the response throws here, at start.
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      set.push([name, typeof value === 'number' ? String(value) : Array.isArray(value) ? [...(value as string[])] : (value as string)]);
    },
    removeHeader(name: string) {
      removed.push(name);
    },
  };
  let done = false;
  void middleware(Object.freeze({}) as Request, recorder as unknown as Response, (error?: unknown) => {
    if (error !== undefined) throw error instanceof Error ? error : new Error('fixedHeaders: the middleware failed');
    done = true;
  });
  if (!done) throw new Error('fixedHeaders: the middleware did not call next() at once: its headers are not fixed');
  return (_req, res, next) => {
    for (const [name, value] of set) res.setHeader(name, value);
    for (const name of removed) res.removeHeader(name);
    next();
  };
}
