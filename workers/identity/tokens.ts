// API keys, session tokens and reset tokens: 256 random bits, stored only as SHA-256. A fast
// hash is right here: the secret has full entropy, and every request checks one.
import { createHash, randomBytes } from 'node:crypto';

export type TokenKind = 'key' | 'session' | 'reset';
const PREFIX: Record<TokenKind, string> = { key: 'tgg', session: 'tggs', reset: 'tggr' };

export interface NewToken {
  /** The whole secret, shown once. */
  readonly token: string;
  /** The visible start (tgg_3kX9aQ2m), safe to list and log. */
  readonly prefix: string;
  readonly hash: Buffer;
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

export function newToken(kind: TokenKind): NewToken {
  const secret = randomBytes(32).toString('base64url');
  const token = `${PREFIX[kind]}_${secret}`;
  return { token, prefix: token.slice(0, PREFIX[kind].length + 9), hash: hashToken(token) };
}

export function tokenKind(token: string): TokenKind | undefined {
  const match = /^(tggs|tggr|tgg)_[A-Za-z0-9_-]{43}$/.exec(token);
  if (!match) return undefined;
  return match[1] === 'tggs' ? 'session' : match[1] === 'tggr' ? 'reset' : 'key';
}
