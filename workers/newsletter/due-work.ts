// The campaign rows the reconciler keeps in BullMQ: scheduled campaigns that are due, and open
// chunks of queued or sending campaigns with a delivery due now (a lost job, a retry whose
// backoff ran out) or none queued or sending left (the job died before closing the chunk; the
// sweep, which runs first, has made a dead worker's 'sending' rows 'unknown').
import { sql } from 'kysely';
import type { DueWorkSource } from '../core/reconciler.js';
import { campaignChunkJobs } from './campaign-state.js';
import { expireSendingDeliveries } from './deliveries.js';

export const newsletterDueWork = {
  name: 'newsletter',
  jobs: ['newsletter.start-campaign', 'newsletter.send-chunk'],
  sweep: expireSendingDeliveries,
  async due(db, limit) {
    const scheduled = await db
      .selectFrom('newsletter_campaigns')
      .select('id')
      .where('status', '=', 'scheduled')
      .where('send_at', '<=', sql<Date>`now()`)
      .limit(limit)
      .execute();
    const any = (where: string) => sql`EXISTS (
      SELECT 1 FROM newsletter_deliveries d
      WHERE d.campaign_id = c.campaign_id AND d.seq >= c.chunk * k.chunk_size AND d.seq < (c.chunk + 1) * k.chunk_size AND ${sql.raw(where)})`;
    const chunks = await sql<{ campaign_id: string; chunk: number }>`
      SELECT c.campaign_id, c.chunk FROM newsletter_campaign_chunks c JOIN newsletter_campaigns k ON k.id = c.campaign_id
      WHERE NOT c.done AND k.status IN ('queued', 'sending') AND (${any(`d.status = 'queued' AND d.next_attempt_at <= now()`)} OR NOT ${any(`d.status IN ('queued', 'sending')`)})
      ORDER BY c.chunk LIMIT ${limit}`.execute(db);
    return [
      ...scheduled.map((c) => ({ name: 'newsletter.start-campaign' as const, payload: { campaignId: c.id } })),
      ...chunks.rows.flatMap((c) => campaignChunkJobs(c.campaign_id, [c.chunk])),
    ];
  },
} satisfies DueWorkSource<'newsletter.start-campaign' | 'newsletter.send-chunk'>;
