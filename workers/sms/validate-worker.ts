// The worker-thread side of validation-pool.ts.
import { validateSlice, type SliceInput, type SliceResult } from './validate.js';

export default function run(input: SliceInput): SliceResult {
  return validateSlice(input);
}
