// Campaign personalisation (issue 14): {{name}} and {{attributes.x}}, checked when the campaign
// is made (an unknown field is named there, not found mid-send) and compiled once per chunk
// job. In the HTML part every value is HTML-escaped; a missing value is empty.
import type { SubscriberAttributes } from '../../db/schema.js';

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const FIELD = /^(name|attributes\.[A-Za-z0-9_-]{1,64})$/;

type Part = string | { readonly field: string };
export interface CompiledTemplate {
  readonly parts: readonly Part[];
}

export interface Recipient {
  readonly name: string | null;
  readonly attributes: SubscriberAttributes;
}

/** The first placeholder that names no field we know, or undefined when all do. */
export function unknownField(template: string): string | undefined {
  for (const [, field = ''] of template.matchAll(PLACEHOLDER)) if (!FIELD.test(field)) return field;
  return undefined;
}

export function compileTemplate(template: string): CompiledTemplate {
  const parts: Part[] = [];
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    parts.push(template.slice(last, match.index), { field: match[1] ?? '' });
    last = match.index + match[0].length;
  }
  parts.push(template.slice(last));
  return { parts };
}

export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function valueOf(field: string, r: Recipient): string {
  if (field === 'name') return r.name ?? '';
  const value = r.attributes[field.slice('attributes.'.length)];
  return value === undefined || value === null ? '' : String(value);
}

export function render(t: CompiledTemplate, r: Recipient, escape: ((s: string) => string) | null): string {
  let out = '';
  for (const part of t.parts) out += typeof part === 'string' ? part : escape ? escape(valueOf(part.field, r)) : valueOf(part.field, r);
  return out;
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** A plain-text part from HTML: blocks become lines, links keep their address, tags go, entities are decoded. */
export function textFromHtml(html: string): string {
  return html
    .replace(/<(script|style|head)\b[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<a\b[^>]*\bhref\s*=\s*["']([^"']*)["'][^>]*>([\s\S]*?)<\/a\s*>/gi, (_m, href: string, label: string) => {
      const text = label.replace(/<[^>]*>/g, '').trim();
      return text && text !== href ? `${text} (${href})` : href;
    })
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<li\b[^>]*>/gi, '\n- ')
    .replace(/<\/(p|div|h[1-6]|ul|ol|table|tr|blockquote)\s*>/gi, '\n\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, (whole, code: string) => {
      if (code.startsWith('#x') || code.startsWith('#X')) return String.fromCodePoint(parseInt(code.slice(2), 16));
      if (code.startsWith('#')) return String.fromCodePoint(Number(code.slice(1)));
      return ENTITIES[code.toLowerCase()] ?? whole;
    })
    .replace(/[ \t]+/g, ' ')
    .replace(/ ?\n ?/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
