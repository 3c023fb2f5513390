// What ops look at in the newsletter: campaigns paused for them (with the reason) and
// campaigns with deliveries whose fate is unknown, across organisations. Ids, states and
// counts only: no subject, address or organisation name.
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import type { CampaignStatus } from '../../db/schema.js';

export interface CampaignForOps {
  readonly id: string;
  readonly organizationId: string;
  readonly status: CampaignStatus;
  readonly pausedReason: string | null;
  readonly recipients: number;
  readonly unknown: number;
  readonly createdAt: Date;
}

/** Paused campaigns and campaigns with unknown deliveries, newest first (the unknown ones found by a partial index). */
export async function campaignsForOps(db: Db, limit: number): Promise<CampaignForOps[]> {
  const rows = await sql<{ id: string; organization_id: string; status: CampaignStatus; paused_reason: string | null; recipients: number; unknown: string | null; created_at: Date }>`
    SELECT c.id, c.organization_id, c.status, c.paused_reason, c.recipients, u.n AS unknown, c.created_at
    FROM newsletter_campaigns c
    LEFT JOIN (SELECT campaign_id, count(*) AS n FROM newsletter_deliveries WHERE status = 'unknown' GROUP BY campaign_id) u ON u.campaign_id = c.id
    WHERE c.status = 'paused' OR u.n > 0
    ORDER BY c.created_at DESC, c.id DESC
    LIMIT ${limit}`.execute(db);
  return rows.rows.map((r) => ({ id: r.id, organizationId: r.organization_id, status: r.status, pausedReason: r.paused_reason, recipients: r.recipients, unknown: Number(r.unknown ?? 0), createdAt: r.created_at }));
}

/** For /ops/status and the metrics: paused campaigns, and unknown deliveries with their campaigns. */
export async function newsletterAttention(db: Db): Promise<{ pausedCampaigns: number; unknownDeliveries: number; campaignsWithUnknown: number }> {
  const row = await sql<{ paused: string; unknown: string; campaigns: string }>`
    SELECT (SELECT count(*) FROM newsletter_campaigns WHERE status = 'paused') AS paused,
           count(*) AS unknown, count(DISTINCT campaign_id) AS campaigns
    FROM newsletter_deliveries WHERE status = 'unknown'`.execute(db);
  const r = row.rows[0];
  return { pausedCampaigns: Number(r?.paused ?? 0), unknownDeliveries: Number(r?.unknown ?? 0), campaignsWithUnknown: Number(r?.campaigns ?? 0) };
}
