// An incoming SMS (SMPP deliver_sm, the HTTP gateway's hook), after its sender is read as a
// number (TON and the Dutch default) and its parts are put together: a stop word opts the
// sender out and queues the confirmation; anything else is a reply for the organisation whose
// message it answers. One transaction a post; jobs are enqueued after it commits.
import type { JobRequest } from '../../queues/queue-set.js';
import { enqueueAfterCommit } from '../core/enqueue-after-commit.js';
import { senderNumber } from '../phone/sender-address.js';
import { callbackJobs } from './callbacks.js';
import { optOutByReplies, type StopFrom } from './opt-out-reply.js';
import type { ProviderDeps } from './providers/provider.js';
import { storePlainReplies, type PlainReply } from './bulk-replies.js';
import { assembleParts, type Concat } from './reply-parts.js';
import { readStopReply } from './stop-words.js';

export interface IncomingSms {
  /** As the SMSC or gateway writes it: 31612345678, 0612345678, 0031612345678, +31612345678. */
  readonly from: string;
  /** SMPP source_addr_ton: 1 international, 2 national (Dutch), 0 or absent unknown. */
  readonly ton?: number | undefined;
  /** The number it was sent to (destination_addr), if known. */
  readonly to?: string | undefined;
  readonly text: string;
  readonly concat?: Concat | undefined;
}

/**
 * Incoming messages (a post of the HTTP gateway, or one deliver_sm), in one transaction of a
 * fixed number of statements whatever their number: the parts of long messages stored and put
 * together (reply-parts.ts), then, in the order they came, the stop words (opt-out-reply.ts)
 * and the plain replies (bulk-replies.ts).
 */
export async function takeIncomingPost(deps: Pick<ProviderDeps, 'db' | 'queues' | 'logger'>, suppressionKey: string, messages: readonly IncomingSms[]): Promise<void> {
  if (messages.length === 0) return;
  const read = messages.flatMap((message) => {
    const phone = senderNumber(message.from, message.ton);
    return phone.ok ? [{ phone, to: message.to?.trim() || undefined, message }] : [];
  });
  const notNumbers = messages.length - read.length;
  const { jobs, counts } = await deps.db.transaction().execute(async (trx) => {
    const parts = read.flatMap((r) => (r.message.concat ? [{ from: r.phone.e164, to: r.to ?? '', concat: r.message.concat, text: r.message.text, r }] : []));
    const wholes = await assembleParts(trx, suppressionKey, parts);
    const whole = new Map(parts.map((p, i) => [p.r, wholes[i]]));
    const plain: PlainReply[] = [];
    const stops: StopFrom[] = [];
    for (const r of read) {
      const text = r.message.concat ? whole.get(r) : r.message.text;
      if (text === undefined) continue;
      const stop = readStopReply(text);
      if (stop) stops.push({ phone: r.phone, to: r.to, stop });
      else plain.push({ phone: r.phone.e164, to: r.to, text });
    }
    const replies = await storePlainReplies(trx, plain);
    const jobs: JobRequest[] = [...callbackJobs(replies.callbackIds), ...(await optOutByReplies(trx, suppressionKey, stops))];
    return { jobs, counts: { replies: plain.length - replies.unmatched, unmatched: replies.unmatched, optOuts: stops.length, waitingParts: parts.length - wholes.filter((w) => w !== undefined).length } };
  });
  deps.logger.info({ ...counts, notNumbers, jobs: jobs.length }, 'incoming SMS');
  await enqueueAfterCommit(deps, jobs);
}

export async function takeIncoming(deps: Pick<ProviderDeps, 'db' | 'queues' | 'logger'>, suppressionKey: string, incoming: IncomingSms): Promise<void> {
  await takeIncomingPost(deps, suppressionKey, [incoming]);
}
