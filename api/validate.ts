// Validation at the edge: a zod failure becomes a 400 naming every offending field.
import type { z } from 'zod';
import { badRequest, type FieldProblem } from './problem.js';

type InputPart = 'body' | 'query' | 'params' | 'header';

function fieldProblems(part: InputPart, error: z.ZodError): FieldProblem[] {
  return error.issues.slice(0, 100).map((issue) => ({
    field: [part, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
}

const LONE_SURROGATE = /\p{Cs}/u;

/** What Postgres cannot store of a string: a NUL (text), a lone UTF-16 surrogate (jsonb, or mangled as text). */
function unstorable(value: string): string | undefined {
  if (value.includes('\u0000')) return 'contains a NUL character';
  if (LONE_SURROGATE.test(value)) return 'contains a lone surrogate';
  return undefined;
}

/**
 * The first string (key or value) Postgres cannot store: its path and what is wrong with it.
 * One path array is pushed and popped on the way down (a copy per level, for a body of
 * 100,000 recipients, was a good part of the request's garbage).
 */
function unstorableString(value: unknown, path: string[]): { path: string[]; message: string } | undefined {
  if (typeof value === 'string') {
    const message = unstorable(value);
    return message === undefined ? undefined : { path: [...path], message };
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      path.push(String(i));
      const found = unstorableString(value[i], path);
      path.pop();
      if (found) return found;
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      path.push(key);
      const found = unstorableString(key, path) ?? unstorableString(inner, path);
      path.pop();
      if (found) return found;
    }
  }
  return undefined;
}

export function parseInput<S extends z.ZodType>(part: InputPart, schema: S, value: unknown): z.output<S> {
  const unfit = unstorableString(value, [part]);
  if (unfit) {
    const field = unfit.path.join('.');
    throw badRequest(`Invalid ${part}: ${field}`, [{ field, message: unfit.message }]);
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const errors = fieldProblems(part, result.error);
    throw badRequest(`Invalid ${part}: ${errors.map((e) => e.field).slice(0, 5).join(', ')}`, errors);
  }
  return result.data;
}
