// Validation off the event loop: a small piscina pool of worker threads. Under tsx or vitest
// the worker file is TypeScript, so the thread loads tsx first. piscina itself is loaded with the
// first bulk request: a web process that takes none does not hold it (issue 16).
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Piscina } from 'piscina';
import type { CopySlice, CopySliceInput } from './copy-slice.js';
import type { RecipientInput, SliceInput, SliceResult } from './validate.js';

/**
 * Threads by default: one core is the event loop's (and, on a small box, Postgres's), and each
 * busy thread is an isolate of 20-40 MB, so at most 2 however large the host (a small container
 * often sees the host's cores). SMS_VALIDATION_THREADS overrides it.
 */
export function poolThreads(configured: number | undefined, cores = availableParallelism()): number {
  return configured ?? Math.max(1, Math.min(2, cores - 1));
}

let threads: number | undefined;
let pool: Promise<Piscina> | undefined;
let started: Piscina | undefined;

/** Sets the pool's size (from config) before its first use; the sms family does so at start. */
export function sizeValidationPool(configured: number | undefined): void {
  threads = configured;
}

async function startPool(): Promise<Piscina> {
  const { Piscina } = await import('piscina');
  const typescript = import.meta.url.endsWith('.ts');
  started = new Piscina({
    filename: fileURLToPath(new URL(typescript ? './validate-worker.ts' : './validate-worker.js', import.meta.url)),
    execArgv: typescript ? ['--import', 'tsx'] : [],
    // No thread at rest: one starts with the first bulk request and ends a minute after the last.
    minThreads: 0,
    maxThreads: poolThreads(threads),
    // A slice needs a few MB (tens at worst: 10,000 texts of 10 segments); the young generation,
    // which a busy thread keeps committed whole, is half the default (sms-validation-pool.test.ts).
    resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 8 },
    idleTimeout: 60_000,
  });
  return started;
}

const getPool = (): Promise<Piscina> => (pool ??= startPool());

/** The pool's threads now (0 before the first bulk request and after a minute without one). */
export const validationThreads = (): number => started?.threads.length ?? 0;

/** Validates one slice of recipients (the caller slices) on a pool thread. */
export async function validateRecipients(body: string, recipients: readonly RecipientInput[], firstSeq: number): Promise<SliceResult> {
  const output = (await (await getPool()).run(JSON.stringify({ body, firstSeq, recipients } satisfies SliceInput))) as string;
  return JSON.parse(output) as SliceResult;
}

/** A streamed slice as it crosses to the thread: its recipients' JSON bytes and `into` are shared memory, read and written where they are. */
export interface CopyTask {
  readonly input: string;
  readonly recipients: Uint8Array;
  readonly into: SharedArrayBuffer | null;
}

/**
 * Validates one slice of a streamed batch (its recipients as UTF-8 JSON) on a pool thread: its
 * messages as COPY lines (copy-slice.ts), written into `into` when they fit (no copy, no new
 * buffer per slice), else into a buffer of their own.
 */
export async function copyRecipients(input: Omit<CopySliceInput, 'recipients'>, recipients: Uint8Array, into: SharedArrayBuffer | null = null): Promise<CopySlice> {
  return (await (await getPool()).run({ input: JSON.stringify(input), recipients, into } satisfies CopyTask, { name: 'copy' })) as CopySlice;
}

export async function closeValidationPool(): Promise<void> {
  const current = pool;
  pool = undefined;
  started = undefined;
  await (await current)?.destroy();
}
