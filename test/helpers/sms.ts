// What the SMS gateway tests do as a member: submit a batch and wait until it completes.
import { expect } from 'vitest';
import { waitFor } from './context.js';
import type { Call } from './http.js';

export interface Batch {
  id: string;
  status: string;
  counts?: Record<string, number>;
}

export type Recipient = { phone: string; fields?: Record<string, string> } | { email: string; fields?: Record<string, string> };

/** A valid Dutch mobile number, distinct per n. */
export const mobile = (n: number) => `+3161${String(n).padStart(7, '0')}`;

export function batches(call: Call, key: () => string) {
  return {
    async submit(sender: string, body: string, recipients: readonly Recipient[]): Promise<string> {
      const answer = await call<Batch>('post', '/v1/sms/batches', { auth: key(), body: { sender, body, recipients } });
      expect(answer.status).toBe(202);
      return answer.body.id;
    },
    /** Waits until the batch is completed and returns it (typed by the caller, for more fields). */
    finished<T extends Batch = Batch>(id: string, timeoutMs = 20_000): Promise<T> {
      return waitFor(async () => {
        const answer = await call<T>('get', `/v1/sms/batches/${id}`, { auth: key() });
        return answer.body.status === 'completed' ? answer.body : undefined;
      }, `batch ${id} to complete`, timeoutMs);
    },
  };
}
