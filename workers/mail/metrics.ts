// The mail family's metrics: every mail the platform hands to the transport, transactional
// (mail.send) and campaign mail (newsletter.send-chunk) alike, by outcome, counted by the
// process that moved it; and, where the platform is viewed (web), the mails whose fate is
// unknown and waiting for ops.
import { Counter, Gauge, type Registry } from 'prom-client';
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import { cachedRead } from '../core/cached-read.js';
import type { FamilyMetrics } from '../core/metrics.js';

/** sent, failed (5xx, or 4xx on the last attempt), requeued (4xx: goes again), unknown, bounced, complained. */
export type MailOutcome = 'sent' | 'failed' | 'requeued' | 'unknown' | 'bounced' | 'complained';

export interface MailMetrics {
  readonly messages: Counter<'outcome'>;
}

declare module '../core/metrics.js' {
  interface Metrics {
    readonly mail: MailMetrics;
  }
}

const UNKNOWN_CACHE_MS = 60_000;

/**
 * Mails whose fate is unknown: transactional ones of the last 7 days (nobody settles those),
 * and campaign deliveries until ops settle them (POST /ops/campaigns/{id}/unknown; a partial index).
 */
export async function countUnknownMail(db: Db): Promise<{ transactional: number; campaign: number }> {
  const row = await sql<{ transactional: string; campaign: string }>`
    SELECT (SELECT count(*) FROM mail_messages WHERE created_at > now() - interval '7 days' AND status = 'unknown') AS transactional,
           (SELECT count(*) FROM newsletter_deliveries WHERE status = 'unknown') AS campaign`.execute(db);
  return { transactional: Number(row.rows[0]?.transactional ?? 0), campaign: Number(row.rows[0]?.campaign ?? 0) };
}

export const mailMetrics: FamilyMetrics<'mail'> = {
  create(registry: Registry, { db, platformView }) {
    if (platformView) {
      const unknown = cachedRead(UNKNOWN_CACHE_MS, () => countUnknownMail(db));
      new Gauge({
        name: 'tgg_mail_unknown_messages',
        help: "Mails whose fate is unknown (the connection dropped after the message, or a worker died mid-send): the last 7 days' transactional mail and campaign deliveries ops have not settled",
        registers: [registry],
        async collect() {
          const counts = await unknown();
          this.set(counts.transactional + counts.campaign);
        },
      });
    }
    return {
      mail: {
        messages: new Counter({
          name: 'tgg_mail_messages_total',
          help: 'Mails (transactional and campaign) by outcome: sent, failed, requeued, unknown at send; bounced, complained by report',
          labelNames: ['outcome'],
          registers: [registry],
        }),
      },
    };
  },
};
