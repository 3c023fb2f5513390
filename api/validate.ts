// Validation at the edge: a zod failure becomes a 400 naming every offending field.
import type { z } from 'zod';
import { badRequest, type FieldProblem } from './problem.js';

export type InputPart = 'body' | 'query' | 'params' | 'header';

export function fieldProblems(part: InputPart, error: z.ZodError): FieldProblem[] {
  return error.issues.slice(0, 100).map((issue) => ({
    field: [part, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
}

/**
 * The path of the first string holding a NUL character, which Postgres text cannot store.
 * One path array is pushed and popped on the way down (a copy per level, for a body of
 * 100,000 recipients, was a good part of the request's garbage).
 */
function nulPath(value: unknown, path: string[]): string[] | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? [...path] : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      path.push(String(i));
      const found = nulPath(value[i], path);
      path.pop();
      if (found) return found;
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      path.push(key);
      const found = nulPath(key, path) ?? nulPath(inner, path);
      path.pop();
      if (found) return found;
    }
  }
  return undefined;
}

export function parseInput<S extends z.ZodType>(part: InputPart, schema: S, value: unknown): z.output<S> {
  const nul = nulPath(value, [part]);
  if (nul) throw badRequest(`Invalid ${part}: ${nul.join('.')}`, [{ field: nul.join('.'), message: 'contains a NUL character' }]);
  const result = schema.safeParse(value);
  if (!result.success) {
    const errors = fieldProblems(part, result.error);
    throw badRequest(`Invalid ${part}: ${errors.map((e) => e.field).slice(0, 5).join(', ')}`, errors);
  }
  return result.data;
}
