// Opaque keyset cursors: base64url of the last row's sort key, validated on the way back in.
// Rows ordered by (created_at, id) carry their Keyset (db/keyset.ts); rows in a batch's order, their seq.
import type { Keyset } from '../db/keyset.js';
import { unstorableText } from '../workers/core/unstorable-text.js';
import { badRequest } from './problem.js';

export function encodeCursor(key: Keyset): string {
  return Buffer.from(JSON.stringify([key.micros, key.id])).toString('base64url');
}

export function decodeCursor(cursor: string): Keyset {
  try {
    const [micros, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof micros === 'string' && /^-?\d{1,16}$/.test(micros) && Number.isSafeInteger(Number(micros)) && typeof id === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return { micros, id };
  } catch {
    // fall through
  }
  throw invalidCursor();
}

const invalidCursor = () => badRequest('The cursor is not one this API gave out.', [{ field: 'query.cursor', message: 'invalid cursor' }]);

export function encodeSeqCursor(seq: number): string {
  return Buffer.from(String(seq)).toString('base64url');
}

export function decodeSeqCursor(cursor: string): number {
  const seq = Number(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!Number.isInteger(seq) || seq < 0 || seq > 2_147_483_647) throw invalidCursor();
  return seq;
}

/** A row's text sort key, unique in its organisation (a subscription's number, a cost centre's code); `valid` says which keys the list gives out. */
export function encodeTextCursor(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

export function decodeTextCursor(cursor: string, valid: (key: string) => boolean): string {
  const bytes = Buffer.from(cursor, 'base64url');
  const key = bytes.toString('utf8');
  // Bytes that are not UTF-8 (or base64url that is not canonical) do not come back the same;
  // text Postgres cannot hold (a NUL) would fail the query rather than match nothing.
  if (encodeTextCursor(key) !== cursor || unstorableText(key) !== undefined || !valid(key)) throw invalidCursor();
  return key;
}

/** A row's bigint id (sms_replies). */
export function encodeIdCursor(id: number): string {
  return Buffer.from(String(id)).toString('base64url');
}

export function decodeIdCursor(cursor: string): number {
  const id = Number(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!Number.isSafeInteger(id) || id < 1) throw invalidCursor();
  return id;
}
