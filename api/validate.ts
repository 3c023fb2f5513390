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

export function parseInput<S extends z.ZodType>(part: InputPart, schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const errors = fieldProblems(part, result.error);
    throw badRequest(`Invalid ${part}: ${errors.map((e) => e.field).slice(0, 5).join(', ')}`, errors);
  }
  return result.data;
}
