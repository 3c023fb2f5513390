// Ops credentials are HTTP Basic, which a browser sends again by itself: a page elsewhere could
// make an ops browser POST to /ops/* or the dashboard's API. A request that can change
// something must come from our own origin (PUBLIC_URL's, or the Host it was sent to) when
// the browser says where it comes from; requests without Origin or Sec-Fetch-Site (curl,
// scripts) are not a browser's and pass.
import type { Request, RequestHandler } from 'express';
import { forbidden } from './problem.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function originOf(value: string): string | undefined {
  try {
    return new URL(value).origin;
  } catch {
    return undefined; // "null" (a sandboxed page, a redirect) is nobody's origin
  }
}

function fromOurOrigin(req: Request, ours: string): boolean {
  const origin = req.get('origin');
  if (origin !== undefined) {
    const theirs = originOf(origin);
    return theirs !== undefined && (theirs === ours || new URL(theirs).host === req.host);
  }
  const site = req.get('sec-fetch-site');
  return site === undefined || site === 'same-origin' || site === 'none';
}

/** 403 for a state-changing request that a browser sent from another site. */
export function refuseCrossSiteWrites(publicUrl: string): RequestHandler {
  const ours = new URL(publicUrl).origin;
  return (req, _res, next) => {
    if (SAFE_METHODS.has(req.method) || fromOurOrigin(req, ours)) return next();
    next(forbidden('A request from another site cannot change anything here.'));
  };
}
