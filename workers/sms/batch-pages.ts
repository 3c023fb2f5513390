// The pages the API reads of an organisation's batches and of a batch's messages. The caller
// decodes the cursor; a page is `limit + 1` rows, the last one telling whether there are more.
import type { Kysely } from 'kysely';
import { afterKeyset, keysetMicros, type Keyset } from '../../db/keyset.js';
import type { Database, SmsMessageStatus } from '../../db/schema.js';

/** Batches newest first, after `after` when given. */
export function batchRows(db: Kysely<Database>, organizationId: string, after: Keyset | null, limit: number) {
  let q = db.selectFrom('sms_batches').selectAll().select(keysetMicros.as('keyset_micros')).where('organization_id', '=', organizationId);
  if (after) q = q.where(afterKeyset(after, 'desc'));
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
}

/** A batch's messages in recipient order from `afterSeq` on, optionally of one status. */
export function messageRows(db: Kysely<Database>, batchId: string, page: { status?: SmsMessageStatus | undefined; afterSeq: number | null; limit: number }) {
  let q = db.selectFrom('sms_messages').select(['id', 'seq', 'channel', 'phone', 'email', 'status', 'segments', 'cost', 'error_code', 'sent_at']).where('batch_id', '=', batchId);
  if (page.status) q = q.where('status', '=', page.status);
  if (page.afterSeq !== null) q = q.where('seq', '>', page.afterSeq);
  return q.orderBy('seq').limit(page.limit + 1).execute();
}
