// The worker-thread side of validation-pool.ts. Both ways the data crosses as one JSON string:
// copying a string between threads is a memcpy, and JSON is faster than the structured clone
// of tens of thousands of small objects. A streamed slice comes back as COPY bytes (in the
// caller's shared buffer when they fit) and typed arrays (copy-slice.ts), cloned as memcpys too.
import { copySlice, type CopySlice, type CopySliceInput } from './copy-slice.js';
import { validateSlice, type SliceInput } from './validate.js';

export default function run(input: string): string {
  return JSON.stringify(validateSlice(JSON.parse(input) as SliceInput));
}

export function copy({ task, into }: { task: string; into: SharedArrayBuffer | null }): CopySlice {
  return copySlice(JSON.parse(task) as CopySliceInput, into);
}
