// The language of a page: Accept-Language (RFC 9110 §12.5.4, q-values honoured), Dutch when
// the browser asks for nothing we write. A link from a mail may carry `lang=` so its page
// speaks the mail's language; that wins over the header.
import type { Request } from 'express';
import { DEFAULT_LANGUAGE, LANGUAGES, type Language } from '../workers/messages/catalogue.js';

const isLanguage = (value: unknown): value is Language => typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);

export function acceptedLanguage(header: string | undefined): Language {
  if (!header) return DEFAULT_LANGUAGE;
  const ranked = header
    .split(',')
    .slice(0, 20)
    .map((part, index) => {
      const [range = '', ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => /^\s*q=([01](?:\.\d{0,3})?)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { primary: range.split('-')[0] ?? '', q: q === undefined ? 1 : Number(q), index };
    })
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { primary } of ranked) {
    if (isLanguage(primary)) return primary;
    if (primary === '*') return DEFAULT_LANGUAGE;
  }
  return DEFAULT_LANGUAGE;
}

export function pageLanguage(req: Request): Language {
  const asked = req.query.lang;
  return isLanguage(asked) ? asked : acceptedLanguage(req.get('accept-language'));
}
