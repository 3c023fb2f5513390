// The small public pages a person sees (newsletter sign-up and unsubscribe, password reset):
// one layout, in the reader's language, no third-party anything, each under its own CSP.
import type { Language } from '../workers/messages/catalogue.js';
import { escapeHtml } from '../workers/core/escape-html.js';
import { pageCsp } from './page-csp.js';

export { escapeHtml };

const STYLE = 'body{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem}input,button,select,textarea{font:inherit;padding:.5rem;width:100%;box-sizing:border-box;margin:.25rem 0}.hp{position:absolute;left:-10000px}';

export interface Page {
  readonly body: string;
  readonly contentType: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** `content` is HTML the caller has escaped; `title` is text. */
export function htmlPage(language: Language, title: string, content: string): Page {
  const body = `<!doctype html>
<html lang="${language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>
<h1>${escapeHtml(title)}</h1>
${content}
</body></html>`;
  return {
    body,
    contentType: 'text/html; charset=utf-8',
    headers: { 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer', 'Content-Security-Policy': pageCsp(body), 'Content-Language': language, Vary: 'Accept-Language' },
  };
}
