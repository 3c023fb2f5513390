// Validation at the edge: a zod failure becomes a 400 naming every offending field.
import type { z } from 'zod';
import { MAX_JSON_DEPTH } from './json-depth.js';
import { badRequest, type FieldProblem } from './problem.js';
import { unstorableText } from '../workers/core/unstorable-text.js';

type InputPart = 'body' | 'query' | 'params' | 'header';

function fieldProblems(part: InputPart, error: z.ZodError): FieldProblem[] {
  return error.issues.slice(0, 100).map((issue) => ({
    field: [part, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
}

interface Frame {
  readonly container: Readonly<Record<string, unknown>> | readonly unknown[];
  /** An object's keys; null for an array. */
  readonly keys: readonly string[] | null;
  /** The next entry to look at. */
  next: number;
}

const frameOf = (value: object): Frame => ({ container: value as Frame['container'], keys: Array.isArray(value) ? null : Object.keys(value), next: 0 });
const keyAt = (frame: Frame, index: number): string => (frame.keys ? (frame.keys[index] ?? '') : String(index));
/** The path of the entry each frame looked at last. */
const pathOf = (part: InputPart, stack: readonly Frame[]): string[] => [part, ...stack.map((frame) => keyAt(frame, frame.next - 1))];

/**
 * The first string (key or value) Postgres cannot store, or the first object or array nested
 * deeper than MAX_JSON_DEPTH: its path and what is wrong with it. An explicit stack, never
 * recursion: a body nested 300,000 deep overflowed the call stack; the path is rebuilt from
 * the stack only for the answer.
 */
function unfitValue(part: InputPart, value: unknown): { path: string[]; message: string } | undefined {
  if (typeof value === 'string') {
    const message = unstorableText(value);
    return message === undefined ? undefined : { path: [part], message };
  }
  if (value === null || typeof value !== 'object') return undefined;
  const stack: Frame[] = [frameOf(value)];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1] as Frame;
    const length = frame.keys ? frame.keys.length : (frame.container as readonly unknown[]).length;
    if (frame.next >= length) {
      stack.pop();
      continue;
    }
    const key = keyAt(frame, frame.next++);
    const inner = (frame.container as Readonly<Record<string, unknown>>)[key];
    const message = (frame.keys ? unstorableText(key) : undefined) ?? (typeof inner === 'string' ? unstorableText(inner) : undefined);
    if (message !== undefined) return { path: pathOf(part, stack), message };
    if (inner === null || typeof inner !== 'object') continue;
    // Named as the byte scan before parsing names it (json-depth.ts): the whole part.
    if (stack.length >= MAX_JSON_DEPTH) return { path: [part], message: `nested deeper than ${MAX_JSON_DEPTH} levels` };
    stack.push(frameOf(inner));
  }
  return undefined;
}

export function parseInput<S extends z.ZodType>(part: InputPart, schema: S, value: unknown): z.output<S> {
  const unfit = unfitValue(part, value);
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
