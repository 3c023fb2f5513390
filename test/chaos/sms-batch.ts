// The SMS batch of a chaos case (1, 4, 7, the cluster): `size` recipients mobile(from), …, one text.
import { expect } from 'vitest';
import type { Call } from '../helpers/identity.js';
import { mobile } from '../helpers/sms.js';
import type { Fleet } from './processes.js';

const TEXT = 'Uw afspraak staat morgen om 10:00';

/** The body of a batch to mobile(from) … mobile(from + size - 1). */
export function batchBody(platform: Fleet, size: number, from = 0) {
  platform.used(TEXT);
  return { sender: 'Chaos', body: TEXT, recipients: Array.from({ length: size }, (_, i) => ({ phone: mobile(from + i) })) };
}

/** Posts a batch (202 expected) and returns its id. */
export async function newBatch(platform: Fleet, call: Call, key: string, size: number): Promise<string> {
  const created = await call<{ id: string }>('post', '/v1/sms/batches', { auth: key, body: batchBody(platform, size) });
  expect(created.status).toBe(202);
  return created.body.id;
}
