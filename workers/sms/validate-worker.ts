// The worker-thread side of validation-pool.ts. The data crosses as JSON: copying a string
// between threads is a memcpy, and JSON is faster than the structured clone of tens of
// thousands of small objects. A streamed slice's JSON is read from shared memory, and it comes
// back as COPY bytes (in the caller's shared buffer when they fit) and typed arrays (copy-slice.ts).
import { copySlice, type CopySlice, type CopySliceInput } from './copy-slice.js';
import { validateSlice, type RecipientInput, type SliceInput } from './validate.js';
import type { CopyTask } from './validation-pool.js';

export default function run(input: string): string {
  return JSON.stringify(validateSlice(JSON.parse(input) as SliceInput));
}

export function copy({ input, recipients, into }: CopyTask): CopySlice {
  const json = Buffer.from(recipients.buffer, recipients.byteOffset, recipients.byteLength).toString('utf8');
  return copySlice({ ...(JSON.parse(input) as Omit<CopySliceInput, 'recipients'>), recipients: JSON.parse(json) as RecipientInput[] }, into);
}
