// The SMS family's metrics: messages by outcome and provider (counted by the process that
// moved them), the SMPP session of this process (registered by the SMPP provider), and, where
// the platform is viewed (web), messages whose fate is unknown in the last week's batches.
import { Counter, Gauge, type Registry } from 'prom-client';
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import { cachedRead } from '../core/cached-read.js';
import type { FamilyMetrics, Metrics } from '../core/metrics.js';
import type { MessageOutcome } from './store.js';
import type { CallbackMessage } from './callbacks.js';

export interface SmsMetrics {
  /** outcome: submitted (taken by the provider), requeued (not taken: goes again), failed, unknown, suppressed (held back as it was to go: a restricted number or address, a suppressed address), delivered, expired. */
  readonly messages: Counter<'provider' | 'outcome'>;
}

declare module '../core/metrics.js' {
  interface Metrics {
    readonly sms: SmsMetrics;
  }
}

/** Batches this recent are counted for unknown messages (status is not indexed: see the sms migration). */
const UNKNOWN_WINDOW = sql`interval '7 days'`;
const UNKNOWN_CACHE_MS = 60_000;

/** Messages whose fate is unknown in batches of the last week: ops decide whether to resend them. */
export async function countUnknownMessages(db: Db): Promise<{ messages: number; batches: number }> {
  const row = await sql<{ messages: string; batches: string }>`
    SELECT count(*) AS messages, count(DISTINCT m.batch_id) AS batches
    FROM sms_batches b JOIN sms_messages m ON m.batch_id = b.id
    WHERE b.created_at > now() - ${UNKNOWN_WINDOW} AND m.status = 'unknown'`.execute(db);
  return { messages: Number(row.rows[0]?.messages ?? 0), batches: Number(row.rows[0]?.batches ?? 0) };
}

export const smsMetrics: FamilyMetrics<'sms'> = {
  create(registry: Registry, { db, platformView }) {
    if (platformView) {
      const unknown = cachedRead(UNKNOWN_CACHE_MS, () => countUnknownMessages(db));
      new Gauge({
        name: 'tgg_sms_unknown_messages',
        help: "Messages whose fate is unknown (a worker died mid-send) in the last 7 days' batches, waiting for ops",
        registers: [registry],
        async collect() {
          this.set((await unknown()).messages);
        },
      });
    }
    return {
      sms: {
        messages: new Counter({
          name: 'tgg_sms_messages_total',
          help: 'SMS messages by provider and outcome: submitted, requeued, failed, unknown, suppressed (at send), delivered, expired, failed (by receipt)',
          labelNames: ['provider', 'outcome'],
          registers: [registry],
        }),
      },
    };
  },
};

const SEND_OUTCOMES: Record<MessageOutcome['status'], string> = { sent: 'submitted', queued: 'requeued', failed: 'failed', unknown: 'unknown', suppressed: 'suppressed' };

/** A window's outcomes, as send-chunk wrote them; e-mailed recipients count under provider "mail". */
export function noteSendOutcomes(metrics: Metrics, provider: string, outcomes: readonly MessageOutcome[], mailed: ReadonlySet<number>): void {
  // Counted first and added once per label pair: prom-client hashes the labels on every inc,
  // which, per message, was a hundredth of the SMS worker's CPU. The count is a function of its
  // own: its loop over the window is what V8 optimises, and with prom-client's inc inlined
  // there each of its (re)compilations took 25-110 ms of a compiler thread.
  for (const [by, byOutcome] of countOutcomes(provider, outcomes, mailed)) for (const [outcome, n] of byOutcome) metrics.sms.messages.inc({ provider: by, outcome }, n);
}

/** The window's outcomes by provider (or "mail") and outcome. */
function countOutcomes(provider: string, outcomes: readonly MessageOutcome[], mailed: ReadonlySet<number>): Map<string, Map<string, number>> {
  const counts = new Map<string, Map<string, number>>();
  const count = (by: string, outcome: string) => {
    const byOutcome = counts.get(by) ?? new Map<string, number>();
    counts.set(by, byOutcome.set(outcome, (byOutcome.get(outcome) ?? 0) + 1));
  };
  for (const o of outcomes) {
    count(mailed.has(o.id) ? 'mail' : provider, SEND_OUTCOMES[o.status]);
    // A receipt that came before the window's results were written lands with them.
    if (o.parts.length > 0 && o.parts.every((p) => p.state === 'delivered')) count(provider, 'delivered');
  }
  return counts;
}

/** Messages a receipt moved to a final status. */
export function noteReceiptStatuses(metrics: Metrics, provider: string, changed: ReadonlyMap<string, readonly CallbackMessage[]>): void {
  for (const messages of changed.values()) {
    for (const m of messages) {
      if (m.status === 'delivered' || m.status === 'expired' || m.status === 'failed') metrics.sms.messages.inc({ provider, outcome: m.status });
    }
  }
}
