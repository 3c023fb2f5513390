// One free SMS of the platform's own (an opt-out confirmation, a privacy request's code): a
// batch of one, cost 0, sent by the usual chunk job, so it goes the provider's way with its
// at-most-once rules, receipts and retention (P5). Stored in the caller's transaction; the
// chunk job to enqueue after the commit is returned.
import type { Kysely } from 'kysely';
import type { Database, SmsBatchPurpose } from '../../db/schema.js';
import type { JobRequest } from '../../queues/queue-set.js';
import { chunkJobs } from './chunk-jobs.js';
import { analyse } from './encoding.js';

const CHUNK_SIZE = 1_000;

export interface SingleSms {
  readonly organizationId: string;
  readonly purpose: SmsBatchPurpose;
  readonly sender: string;
  readonly text: string;
  readonly phone: { readonly e164: string; readonly countryCallingCode: string };
}

export async function queueSingleSms(db: Kysely<Database>, sms: SingleSms): Promise<JobRequest[]> {
  const info = analyse(sms.text);
  const batch = await db
    .insertInto('sms_batches')
    .values({
      organization_id: sms.organizationId,
      purpose: sms.purpose,
      status: 'queued',
      sender: sms.sender,
      body: sms.text,
      chunk_size: CHUNK_SIZE,
      chunks: 1,
      accepted: 1,
      encoding: info.encoding,
      segments_min: info.segments,
      segments_max: info.segments,
      segments_total: info.segments,
      cost: '0',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('sms_messages')
    .values({
      batch_id: batch.id,
      organization_id: sms.organizationId,
      seq: 0,
      channel: 'sms',
      phone: sms.phone.e164,
      text: sms.text,
      destination: `+${sms.phone.countryCallingCode}`,
      encoding: info.encoding,
      segments: info.segments,
      cost: '0',
      status: 'queued',
    })
    .execute();
  await db.insertInto('sms_chunks').values({ batch_id: batch.id, chunk: 0 }).execute();
  return chunkJobs(batch.id, [0]);
}
