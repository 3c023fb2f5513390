// Validation off the event loop: a small piscina pool of worker threads. Under tsx or vitest
// the worker file is TypeScript, so the thread loads tsx first.
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { RecipientInput, SliceResult } from './validate.js';

const SLICE = 10_000;
let pool: Piscina | undefined;

function getPool(): Piscina {
  if (pool) return pool;
  const typescript = import.meta.url.endsWith('.ts');
  pool = new Piscina({
    filename: fileURLToPath(new URL(typescript ? './validate-worker.ts' : './validate-worker.js', import.meta.url)),
    execArgv: typescript ? ['--import', 'tsx'] : [],
    minThreads: 1,
    maxThreads: Math.max(1, Math.min(4, availableParallelism())),
    idleTimeout: 60_000,
  });
  return pool;
}

/** Validates recipients in slices across the pool; results come back in order. */
export async function validateRecipients(body: string, recipients: readonly RecipientInput[], firstSeq = 0): Promise<SliceResult> {
  const slices: Promise<SliceResult>[] = [];
  for (let start = 0; start < recipients.length; start += SLICE) {
    const input = JSON.stringify({ body, firstSeq: firstSeq + start, recipients: recipients.slice(start, start + SLICE) });
    slices.push((getPool().run(input) as Promise<string>).then((output) => JSON.parse(output) as SliceResult));
  }
  const results = await Promise.all(slices);
  return { messages: results.flatMap((r) => r.messages), rejections: results.flatMap((r) => r.rejections) };
}

export async function closeValidationPool(): Promise<void> {
  const current = pool;
  pool = undefined;
  await current?.destroy();
}
