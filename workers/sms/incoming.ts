// An incoming SMS (SMPP deliver_sm, the HTTP gateway's hook), after its sender is read as a
// number (TON and the Dutch default) and its parts are put together: a stop word opts the
// sender out and queues the confirmation; anything else is a reply for the organisation whose
// message it answers. One transaction each; jobs are enqueued after it commits.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { JobRequest } from '../../queues/queue-set.js';
import { enqueueAfterCommit } from '../core/enqueue-after-commit.js';
import { senderNumber } from '../phone/sender-address.js';
import { callbackJobs } from './callbacks.js';
import { queueConfirmation } from './opt-out-confirmation.js';
import { optOutByReply } from './opt-out-reply.js';
import type { ProviderDeps } from './providers/provider.js';
import { latestMessageTo } from './recipient-messages.js';
import { storePlainReplies, type PlainReply } from './bulk-replies.js';
import { storeReply } from './replies.js';
import { assemble, type Concat } from './reply-parts.js';
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

type Outcome = 'not-a-number' | 'part' | 'opt-out' | 'reply' | 'unmatched';

async function readIncoming(db: Kysely<Database>, suppressionKey: string, incoming: IncomingSms): Promise<{ outcome: Outcome; jobs: JobRequest[] }> {
  const phone = senderNumber(incoming.from, incoming.ton);
  if (!phone.ok) return { outcome: 'not-a-number', jobs: [] };
  const to = incoming.to?.trim() || undefined;
  const text = incoming.concat ? await assemble(db, suppressionKey, phone.e164, to ?? '', incoming.concat, incoming.text) : incoming.text;
  if (text === undefined) return { outcome: 'part', jobs: [] };
  const stop = readStopReply(text);
  if (stop) {
    const { organizations, keywordOwner } = await optOutByReply(db, suppressionKey, phone, stop);
    const confirming = keywordOwner ?? (await latestMessageTo(db, phone.e164, { to }))?.organization_id;
    const jobs = confirming && organizations.includes(confirming) ? await queueConfirmation(db, suppressionKey, confirming, phone) : [];
    return { outcome: 'opt-out', jobs };
  }
  const answered = await latestMessageTo(db, phone.e164, { to });
  if (!answered) return { outcome: 'unmatched', jobs: [] };
  return { outcome: 'reply', jobs: callbackJobs([await storeReply(db, answered, phone.e164, text)]) };
}

/**
 * The incoming messages of one post of the HTTP gateway, in one transaction: the plain
 * replies (most of them) in one statement (bulk-replies.ts); a stop word or a part of a long
 * message as takeIncoming reads it, in order.
 */
export async function takeIncomingPost(deps: Pick<ProviderDeps, 'db' | 'queues' | 'logger'>, suppressionKey: string, messages: readonly IncomingSms[]): Promise<void> {
  if (messages.length === 0) return;
  const plain: PlainReply[] = [];
  const others: IncomingSms[] = [];
  let notNumbers = 0;
  for (const message of messages) {
    const phone = senderNumber(message.from, message.ton);
    if (!phone.ok) notNumbers += 1;
    else if (message.concat || readStopReply(message.text)) others.push(message);
    else plain.push({ phone: phone.e164, to: message.to?.trim() || undefined, text: message.text });
  }
  const { jobs, unmatched } = await deps.db.transaction().execute(async (trx) => {
    const replies = await storePlainReplies(trx, plain);
    const jobs: JobRequest[] = callbackJobs(replies.callbackIds);
    for (const message of others) jobs.push(...(await readIncoming(trx, suppressionKey, message)).jobs);
    return { jobs, unmatched: replies.unmatched };
  });
  deps.logger.info({ replies: plain.length - unmatched, unmatched, other: others.length, notNumbers, jobs: jobs.length }, 'incoming SMS');
  await enqueueAfterCommit(deps, jobs);
}

export async function takeIncoming(deps: Pick<ProviderDeps, 'db' | 'queues' | 'logger'>, suppressionKey: string, incoming: IncomingSms): Promise<void> {
  const { outcome, jobs } = await deps.db.transaction().execute((trx) => readIncoming(trx, suppressionKey, incoming));
  deps.logger.info({ outcome, jobs: jobs.length }, 'incoming SMS');
  await enqueueAfterCommit(deps, jobs);
}
