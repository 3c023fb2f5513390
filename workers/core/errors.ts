// What may leave a worker: BullMQ keeps a failed job's message and stack in Redis and in its
// events stream, and Bull Board shows them to ops. A pg error's message and detail quote row
// values, so only our own PublicError messages pass; everything else is described by its kind.
import { DelayedError, RateLimitError, UnrecoverableError, WaitingChildrenError, WaitingError } from 'bullmq';

/** An error whose message holds ids, codes and counts only, safe for Redis and logs. */
export class PublicError extends Error {
  constructor(message: string, readonly code = 'error') {
    super(message);
    this.name = 'PublicError';
  }
}

/** A job that can never succeed (bad payload, missing row): fail at once, no retries. */
export class PermanentJobError extends UnrecoverableError {
  constructor(message: string) {
    super(message);
    this.name = 'UnrecoverableError';
  }
}

const controlFlow = [DelayedError, RateLimitError, WaitingError, WaitingChildrenError];

interface PgLikeError {
  code?: unknown;
  severity?: unknown;
  routine?: unknown;
  constraint?: unknown;
  table?: unknown;
}

function isPgError(error: Error): error is Error & PgLikeError {
  const e = error as PgLikeError;
  return typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && (e.severity !== undefined || e.routine !== undefined);
}

/** Names a constraint or table only when it looks like an identifier, never a value. */
function identifier(value: unknown): string | undefined {
  return typeof value === 'string' && /^[a-z_][a-z0-9_]{0,62}$/.test(value) ? value : undefined;
}

export function describeError(error: unknown): string {
  if (error instanceof PublicError) return error.message;
  if (!(error instanceof Error)) return 'non-error value thrown';
  if (isPgError(error)) {
    const parts = [`postgres error ${String(error.code)}`];
    const constraint = identifier(error.constraint);
    const table = identifier(error.table);
    if (constraint) parts.push(`constraint ${constraint}`);
    if (table) parts.push(`table ${table}`);
    return parts.join(', ');
  }
  const code = (error as { code?: unknown }).code;
  const safeCode = typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code) ? ` (${code})` : '';
  return `${error.name === 'Error' ? 'error' : identifier(error.name.toLowerCase()) ?? 'error'}${safeCode}`;
}

/** A URL's user information (`user:password@`), and a `password=` keyword (libpq, query strings). */
const URL_USER_INFO = /(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]*@/gi;
const PASSWORD_KEYWORD = /\b(password|passwd|pwd)=[^\s&;)'"]+/gi;

/** `text` with every credential it may quote removed: any URL's user and password, and each of `secrets` (the configured ones) wherever it appears. */
export function withoutCredentials(text: string, secrets: readonly (string | undefined)[] = []): string {
  let safe = text.replace(URL_USER_INFO, '$1***@').replace(PASSWORD_KEYWORD, '$1=***');
  for (const secret of secrets) if (secret && secret.length >= 4) safe = safe.split(secret).join('***');
  return safe;
}

/**
 * What the log says of a start that failed (main.ts): the kind of its root cause (a SQLSTATE, a
 * socket's code), which ops act on, and its message (a migration's name, a port taken) without
 * credentials; the message may name a host.
 */
export function describeStartFailure(error: unknown, secrets: readonly (string | undefined)[]): { error: string; reason: string } {
  let root = error;
  while (root instanceof Error && (root.cause instanceof Error || (root instanceof AggregateError && root.errors[0] instanceof Error))) {
    root = root instanceof AggregateError ? (root.errors[0] as Error) : root.cause;
  }
  return { error: describeError(root), reason: withoutCredentials(error instanceof Error ? error.message : 'non-error value thrown', secrets) };
}

function framesOf(error: unknown): string {
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  return stack
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .join('\n');
}

/** Rebuilds an error so that its message and stack carry no row values. */
export function sanitizeError(error: unknown): Error {
  if (controlFlow.some((kind) => error instanceof kind)) return error as Error;
  const message = describeError(error);
  const safe = error instanceof UnrecoverableError ? new PermanentJobError(error instanceof PermanentJobError ? error.message : message) : new Error(message);
  const frames = framesOf(error);
  safe.stack = `${safe.name}: ${safe.message}${frames ? `\n${frames}` : ''}`;
  return safe;
}
