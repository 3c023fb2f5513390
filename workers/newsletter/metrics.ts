// The newsletter family's metrics: campaign recipients by outcome, counted by the process that
// moved them (the send job, the bounce hook or the bounce mailbox reader). Each also counts
// under tgg_mail_messages_total (mail/metrics.ts), where transactional mail is counted too.
import { Counter, type Registry } from 'prom-client';
import type { DeliveryStatus } from '../../db/schema.js';
import type { FamilyMetrics, Metrics } from '../core/metrics.js';
import type { MailOutcome } from '../mail/metrics.js';
import type { BounceKind } from './bounces.js';

export interface NewsletterMetrics {
  /** sent, failed, requeued, unknown (at send); suppressed, restricted (held at the claim); bounced, complained (by report). */
  readonly recipients: Counter<'outcome'>;
}

declare module '../core/metrics.js' {
  interface Metrics {
    readonly newsletter: NewsletterMetrics;
  }
}

export const newsletterMetrics: FamilyMetrics<'newsletter'> = {
  create: (registry: Registry) => ({
    newsletter: {
      recipients: new Counter({
        name: 'tgg_newsletter_campaign_recipients_total',
        help: 'Campaign recipients by outcome: sent, failed, requeued, unknown at send; suppressed, restricted at the claim; bounced, complained by report',
        labelNames: ['outcome'],
        registers: [registry],
      }),
    },
  }),
};

const SEND_OUTCOMES: Partial<Record<DeliveryStatus, MailOutcome>> = { sent: 'sent', failed: 'failed', unknown: 'unknown', queued: 'requeued' };

/** A window's outcomes as written (a 4xx on the last attempt is `failed` there), and the recipients the claim held back. */
export function noteWindow(metrics: Metrics, statuses: readonly DeliveryStatus[], held: { suppressed: number; restricted: number }): void {
  for (const status of statuses) {
    const outcome = SEND_OUTCOMES[status];
    if (!outcome) continue;
    metrics.newsletter.recipients.inc({ outcome });
    metrics.mail.messages.inc({ outcome });
  }
  if (held.suppressed > 0) metrics.newsletter.recipients.inc({ outcome: 'suppressed' }, held.suppressed);
  if (held.restricted > 0) metrics.newsletter.recipients.inc({ outcome: 'restricted' }, held.restricted);
}

/** A delivery's first bounce or complaint (a repeated report is not counted again). */
export function noteBounce(metrics: Metrics, kind: BounceKind): void {
  const outcome = kind === 'complaint' ? 'complained' : 'bounced';
  metrics.newsletter.recipients.inc({ outcome });
  metrics.mail.messages.inc({ outcome });
}
