// One free SMS of the platform's own (an opt-out confirmation, a privacy request's code): a
// batch of one, cost 0, sent by the usual chunk job, so it goes the provider's way with its
// at-most-once rules, receipts and retention (P5). Stored in the caller's transaction; the
// chunk job to enqueue after the commit is returned.
import { randomUUID } from 'node:crypto';
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
  /** phoneHash of the number, when the caller has it: stored with the message, so the send path need not hash it. */
  readonly phoneHash?: Buffer;
}

export async function queueSingleSms(db: Kysely<Database>, sms: SingleSms): Promise<JobRequest[]> {
  return queueSingleSmses(db, [sms]);
}

/** Several, in three statements whatever their number (the batch ids are made here, so each message finds its batch). */
export async function queueSingleSmses(db: Kysely<Database>, list: readonly SingleSms[]): Promise<JobRequest[]> {
  if (list.length === 0) return [];
  const rows = list.map((sms) => ({ id: randomUUID(), sms, info: analyse(sms.text) }));
  await db
    .insertInto('sms_batches')
    .values(rows.map(({ id, sms, info }) => ({
      id,
      organization_id: sms.organizationId,
      purpose: sms.purpose,
      status: 'queued' as const,
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
    })))
    .execute();
  await db
    .insertInto('sms_messages')
    .values(rows.map(({ id, sms, info }) => ({
      batch_id: id,
      organization_id: sms.organizationId,
      seq: 0,
      channel: 'sms' as const,
      phone: sms.phone.e164,
      phone_hash: sms.phoneHash ?? null,
      text: sms.text,
      destination: `+${sms.phone.countryCallingCode}`,
      encoding: info.encoding,
      segments: info.segments,
      cost: '0',
      status: 'queued' as const,
    })))
    .execute();
  await db.insertInto('sms_chunks').values(rows.map(({ id }) => ({ batch_id: id, chunk: 0 }))).execute();
  return rows.flatMap(({ id }) => chunkJobs(id, [0]));
}
