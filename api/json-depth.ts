// How deep a JSON body may nest, checked on its raw bytes before it is parsed: a body nested
// 300,000 deep overflowed the stack of every recursive walk after JSON.parse. One pass,
// no recursion, no allocation; a bulk body of 100,000 recipients is 3 levels deep.
import { badRequest, type HttpError } from './problem.js';

/** Objects and arrays inside one another, the outermost counted as 1. */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;

export const tooDeep = (): HttpError =>
  badRequest(`The request body nests objects and arrays deeper than ${MAX_JSON_DEPTH} levels.`, [
    { field: 'body', message: `nested deeper than ${MAX_JSON_DEPTH} levels` },
  ]);

/**
 * The deepest nesting of UTF-8 JSON bytes, stopping as soon as it passes `limit`. Brackets
 * inside strings do not count; the bytes of `"`, `\`, `[` and `{` never occur inside a
 * multi-byte UTF-8 character. Malformed JSON is left to the parser.
 */
export function jsonDepthExceeds(bytes: Uint8Array, limit = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_BRACKET || byte === OPEN_BRACE) {
      if (++depth > limit) return true;
    } else if (byte === CLOSE_BRACKET || byte === CLOSE_BRACE) {
      depth--;
    }
  }
  return false;
}

/** For express.json's `verify`: refuses a UTF-8 body nested too deep before JSON.parse sees it. */
export function verifyJsonDepth(_req: unknown, _res: unknown, body: Buffer, encoding: string | null): void {
  const utf8 = encoding === null || /^utf-?8$/i.test(encoding);
  if (utf8 && jsonDepthExceeds(body)) throw tooDeep();
}
