// The charset a sender names for a CSV file (the SMS upload's `charset` field, the `charset`
// parameter of a text/csv body), as the decoder's canonical name; a label no decoder knows is a
// 400 naming where it came from, not a guess.
import { charsetName } from '../workers/core/csv-sniff.js';
import { badRequest } from './problem.js';

export function declaredCharset(label: string | undefined, field: string): string | null {
  if (label === undefined) return null;
  const name = charsetName(label);
  if (name === null) throw badRequest(`The charset ${JSON.stringify(label)} is not one this server can read; leave it out for UTF-8 or Windows-1252.`, [{ field, message: 'unknown charset' }]);
  return name;
}

/** The `charset` parameter of a Content-Type header, if any. */
export function charsetParameter(contentType: string | undefined): string | undefined {
  const match = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(contentType ?? '');
  return match ? (match[1] ?? match[2]) : undefined;
}
