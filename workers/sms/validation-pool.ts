// Validation off the event loop: a small piscina pool of worker threads. Under tsx or vitest
// the worker file is TypeScript, so the thread loads tsx first.
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { CopySlice, CopySliceInput } from './copy-slice.js';
import type { RecipientInput, SliceInput, SliceResult } from './validate.js';

let pool: Piscina | undefined;

function getPool(): Piscina {
  if (pool) return pool;
  const typescript = import.meta.url.endsWith('.ts');
  pool = new Piscina({
    filename: fileURLToPath(new URL(typescript ? './validate-worker.ts' : './validate-worker.js', import.meta.url)),
    execArgv: typescript ? ['--import', 'tsx'] : [],
    minThreads: 1,
    // One core is the event loop's (and, on a small box, Postgres's): the threads take the rest,
    // each with a bounded heap, as a 10,000-recipient slice needs a few MB.
    maxThreads: Math.max(1, Math.min(4, availableParallelism() - 1)),
    resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 },
    idleTimeout: 60_000,
  });
  return pool;
}

/** Validates one slice of recipients (the caller slices) on a pool thread. */
export async function validateRecipients(body: string, recipients: readonly RecipientInput[], firstSeq: number): Promise<SliceResult> {
  const output = (await getPool().run(JSON.stringify({ body, firstSeq, recipients } satisfies SliceInput))) as string;
  return JSON.parse(output) as SliceResult;
}

/** Validates one slice of a streamed batch (its recipients as JSON text) on a pool thread: its messages as COPY lines (copy-slice.ts). */
export async function copyRecipients(input: Omit<CopySliceInput, 'recipients'>, recipientsJson: string): Promise<CopySlice> {
  const task = `${JSON.stringify(input).slice(0, -1)},"recipients":${recipientsJson}}`;
  return (await getPool().run(task, { name: 'copy' })) as CopySlice;
}

export async function closeValidationPool(): Promise<void> {
  const current = pool;
  pool = undefined;
  await current?.destroy();
}
