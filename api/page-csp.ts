// Content-Security-Policy for the few HTML pages (the dashboard, /docs, the password-reset
// page): our own origin only, plus the SHA-256 of each inline script and style the page
// carries, hashed from the very HTML sent. Everything else answers JSON under the API's
// stricter policy (app.ts). Third-party links (Bull Board's Google fonts) are dropped, so a
// page never makes the ops' browser call another origin.
import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';

const INLINE_SCRIPT = /<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi;
const INLINE_STYLE = /<style\b[^>]*>([\s\S]*?)<\/style\s*>/gi;
const STYLE_ATTRIBUTE = /\sstyle\s*=\s*(?:"([^"]*)"|'([^']*)')/gi;
/** A `<link>` to another origin: absolute (`https://…`) or scheme-relative (`//…`). */
const THIRD_PARTY_LINK = /<link\b[^>]*\bhref\s*=\s*["']?(?:[a-z][a-z0-9+.-]*:)?\/\/[^>]*>\s*/gi;
/** A script the browser runs: no type, or a JavaScript one (a JSON data block is not run). */
const RUNNABLE = /\btype\s*=\s*["']?(?:text\/javascript|module|application\/javascript)\b/i;

const hash = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
const unique = (values: Iterable<string>): string[] => [...new Set(values)];

export function withoutThirdPartyLinks(html: string): string {
  return html.replace(THIRD_PARTY_LINK, '');
}

/** The policy of one page: 'self', and the hashes of its inline scripts, styles and style attributes. */
export function pageCsp(html: string): string {
  const scripts = [...html.matchAll(INLINE_SCRIPT)]
    .filter(([, attributes = '']) => !/\bsrc\s*=/i.test(attributes) && (!/\btype\s*=/i.test(attributes) || RUNNABLE.test(attributes)))
    .map(([, , body = '']) => hash(body));
  const styles = [...html.matchAll(INLINE_STYLE)].map(([, body = '']) => hash(body));
  const attributes = [...html.matchAll(STYLE_ATTRIBUTE)].map(([, double, single]) => hash(double ?? single ?? ''));
  return [
    "default-src 'self'",
    ["script-src 'self'", ...unique(scripts)].join(' '),
    "script-src-attr 'none'",
    ["style-src 'self'", ...(attributes.length > 0 ? ["'unsafe-hashes'"] : []), ...unique([...styles, ...attributes])].join(' '),
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Sends every HTML page of the routes below it without third-party links, under its own pageCsp. */
export const selfOnlyPages: RequestHandler = (_req, res, next) => {
  const send = res.send.bind(res);
  res.send = (body?: unknown) => {
    if (typeof body === 'string' && /^text\/html\b/.test(String(res.get('content-type') ?? 'text/html'))) {
      const html = withoutThirdPartyLinks(body);
      res.setHeader('Content-Security-Policy', pageCsp(html));
      return send(html);
    }
    return send(body);
  };
  next();
};
