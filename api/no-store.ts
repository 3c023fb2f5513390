// Answers of /v1, /ops and /public carry new API keys, session tokens, reset links and
// personal data: no cache (a proxy's, the browser's) may keep them.
import type { RequestHandler } from 'express';

export const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};
