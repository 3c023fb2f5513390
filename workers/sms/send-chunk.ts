// sms.send-chunk: claims one provider window of a chunk at a time (queued → sending), hands it
// to the SMS provider (or, for recipients with only an address, the mailer), and writes the
// outcomes back in one statement. A stalled or retried job never sends a message twice.
import type { Db } from '../../db/database.js';
import { intakeIdle } from '../core/intake-gate.js';
import { pause } from '../core/pause.js';
import { PublicError } from '../core/errors.js';
import type { Handler } from '../core/handler.js';
import { classifyMailFailure } from '../mail/send-mail.js';
import { messages as catalogue } from '../messages/catalogue.js';
import { heldUnhashed } from './held-unhashed.js';
import type { SmsBatch } from '../../db/schema.js';
import { enqueueAfterCommit } from '../core/enqueue-after-commit.js';
import { noteSendOutcomes } from './metrics.js';
import { callbackJobs, chunkStatuses, queueCallback } from './callbacks.js';
import type { OutgoingSms, SubmitResult } from './providers/provider.js';
import { cancelledSinceClaim, claimRated } from './rated-window.js';
import { cancelForEndedOrganization } from './ended-organization.js';
import {
  batchStatus,
  cancelQueued,
  claimWindow,
  completeBatchIfDone,
  findBatchToSend,
  markBatchSending,
  markChunkDone,
  writeOutcomes,
  type ClaimedMessage,
  type MessageOutcome,
  type WindowChecks,
} from './store.js';

/**
 * The most a chunk claims at a time (the provider's windowSize may be less). Every window costs
 * Postgres two committed statements, and on this platform's disks a commit's WAL flush costs
 * more CPU than the statement's rows (about 0.2 ms each, issue 16's twelfth round): a chunk of
 * 1,000 goes in two windows, not five.
 */
export const WINDOW = 500;
const PROVIDER_WAIT_MS = 30_000;
const MAX_BACKOFF_MS = 10_000;
/** The job's progress (sent, failed) is written to Redis at most this often, and at the end. */
const PROGRESS_EVERY_MS = 1_000;

type Deps = Parameters<Handler<'sms.send-chunk'>>[1]['deps'];

/**
 * The messages of a window held back as it is about to go (claimed, not yet handed over), so
 * what happened since the intake holds too: of any batch, a message whose number or address a
 * privacy restriction holds (art. 18: stored only, nothing sent; the intake held those it knew
 * of, and a restriction marks 'suppressed' the queued messages it finds, but not those of a
 * batch still being stored as it ran); a number its organisation has an opt-out for (a STOP
 * that came after the intake marks nothing queued; not for an opt-out confirmation, which goes
 * to a number just opted out, nor a privacy request's code); of a marketing batch, also an
 * e-mail to an address its organisation suppresses (an unsubscribe, a bounce, an objection:
 * P12). A service message (an appointment) to a suppressed address is not marketing and goes.
 * The claim found these by the hashes stored at the intake (`held`); only a message without
 * them is hashed here.
 */
async function heldBack(deps: Deps, batch: SmsBatch, messages: readonly ClaimedMessage[], checks: WindowChecks): Promise<Set<number>> {
  const held = new Set<number>();
  let unhashed: ClaimedMessage[] | undefined;
  for (const m of messages) {
    if (m.held) held.add(m.id);
    else if (m.unhashed) (unhashed ??= []).push(m);
  }
  if (unhashed) for (const id of await heldUnhashed(deps.db, deps.config.suppressionKey, batch, unhashed, checks)) held.add(id);
  return held;
}

const heldOutcome = (id: number): MessageOutcome => ({ id, status: 'suppressed', providerMessageId: null, errorCode: null, parts: [] });

async function sendEmails(ctx: Parameters<Handler<'sms.send-chunk'>>[1], batch: SmsBatch, messages: readonly ClaimedMessage[], held: ReadonlySet<number>): Promise<MessageOutcome[]> {
  const { subject } = catalogue(batch.language).smsByMail({ sender: batch.sender });
  return Promise.all(
    messages.map(async (m): Promise<MessageOutcome> => {
      if (held.has(m.id)) return heldOutcome(m.id);
      try {
        const { messageId } = await ctx.deps.mailer.send({ to: m.email ?? '', subject, text: m.text });
        return { id: m.id, status: 'sent', providerMessageId: messageId, errorCode: null, parts: [] };
      } catch (error) {
        // As the mail queue reads an SMTP failure: not taken (queued again), refused, or unknown.
        const verdict = classifyMailFailure(error);
        return { id: m.id, status: verdict.status, providerMessageId: null, errorCode: verdict.errorCode, parts: [] };
      }
    }),
  );
}

function outcomeOf(r: SubmitResult): MessageOutcome {
  switch (r.status) {
    case 'sent':
      return { id: r.messageId, status: 'sent', providerMessageId: r.providerMessageId, errorCode: null, parts: r.parts };
    case 'unknown':
      return { id: r.messageId, status: 'unknown', providerMessageId: null, errorCode: r.errorCode, parts: r.parts ?? [] };
    case 'retry':
      return { id: r.messageId, status: 'queued', providerMessageId: null, errorCode: r.errorCode, parts: [] };
    case 'failed':
      return { id: r.messageId, status: 'failed', providerMessageId: null, errorCode: r.errorCode, parts: [] };
  }
}

export const sendChunk: Handler<'sms.send-chunk'> = async ({ batchId, chunk }, ctx) => {
  const { deps, job, signal } = ctx;
  const batch = await findBatchToSend(deps.db, batchId);
  const chunkRange = (chunkSize: number) => ({ from: chunk * chunkSize, to: (chunk + 1) * chunkSize });
  if (batch?.status === 'cancelled') {
    // A run stopped before its end (below) leaves this to its retry.
    await cancelQueued(deps.db, batchId, chunkRange(batch.chunk_size));
    return { sent: 0 };
  }
  if (batch?.status !== 'queued' && batch?.status !== 'sending') return { sent: 0 };
  if (batch.organization_ended) {
    // Taken in as its organisation ended, unseen by the end's cancel: cancelled now, as the end would have.
    await cancelForEndedOrganization(deps, batch.organization_id);
    return { sent: 0 };
  }
  if (batch.status === 'queued') await markBatchSending(deps.db, batchId);
  const range = chunkRange(batch.chunk_size);
  const size = Math.min(WINDOW, deps.smsProvider.windowSize);
  // Where the next claim starts: the messages before it are claimed or done, so a claim reads
  // its own window rather than the chunk's sent messages again. Past the end it starts once
  // more from the beginning, for messages this run queued again (throttled) behind it, only if
  // it did: the rescan reads every row of the chunk, and markChunkDone (below) reads them again
  // and catches what anyone else queued again (the job then runs once more, 'requeued').
  let cursor = range.from;
  let requeued = false;
  let sent = 0;
  let failed = 0;
  let throttled = 0;
  // Progress goes to Redis a second into the job at the earliest: a chunk sent in less (most
  // are) writes it once, at its end, instead of also after its first window.
  let reported = Date.now();
  for (;;) {
    if (cursor >= range.to) {
      // The last window ended at the chunk's end: a claim past it could find nothing (one
      // statement a chunk, and the rate's look-ahead under a rate).
      if (!requeued) break;
      requeued = false;
      cursor = range.from;
    }
    // A batch being taken in by this process goes first (intake-gate.ts): a running chunk waits
    // between windows too, not only before it starts. Nothing is claimed while it waits.
    await intakeIdle();
    signal.throwIfAborted();
    if (!(await deps.smsProvider.ready(PROVIDER_WAIT_MS, signal))) {
      // The SMSC is away: nothing was claimed; the job retries with backoff and the messages wait.
      throw new PublicError('SMS provider not connected', 'provider-unavailable');
    }
    const request = { batchId, from: cursor, to: range.to, size };
    const { claimId, messages, lastSeq, checks } = await claimRated(deps.db, deps.smsProvider, request, signal, () => claimWindow(deps.db, request));
    if (messages.length === 0) {
      if (cursor === range.from || !requeued) break;
      // Any message queued again from here on is this rescan's, or sets the flag again.
      requeued = false;
      cursor = range.from;
      continue;
    }
    cursor = lastSeq + 1;
    if (await cancelledSinceClaim(deps.db, deps.smsProvider, batchId)) {
      // Not taken: written back as such, the cancelled batch makes them 'cancelled'.
      await writeOutcomes(deps.db, claimId, messages.map((m) => ({ id: m.id, status: 'queued', providerMessageId: null, errorCode: null, parts: [] })));
      break;
    }
    // Claimed, and looked at once more before anything goes: a held message is written back
    // 'suppressed' with the window's other outcomes, never handed to the provider or the mailer.
    const held = await heldBack(deps, batch, messages, checks);
    const outgoing: OutgoingSms[] = [];
    const heldTexts: MessageOutcome[] = [];
    for (const m of messages) {
      if (m.channel !== 'sms') continue;
      if (held.has(m.id)) heldTexts.push(heldOutcome(m.id));
      else outgoing.push({ messageId: m.id, sender: batch.sender, to: m.phone ?? '', text: m.text, encoding: m.encoding, segments: m.segments });
    }
    // The e-mails go while the provider takes the texts; the provider has the texts' results
    // written (with the e-mails', when they are done first) before it answers.
    const mailed = sendEmails(ctx, batch, messages.filter((m) => m.channel === 'email'), held);
    let outcomes: MessageOutcome[] = [];
    const record = async (results: readonly SubmitResult[]) => {
      const mailOutcomes = await mailed;
      outcomes = results.map(outcomeOf);
      for (const o of heldTexts) outcomes.push(o);
      for (const o of mailOutcomes) outcomes.push(o);
      await writeOutcomes(deps.db, claimId, outcomes);
      noteSendOutcomes(deps.metrics, deps.smsProvider.name, outcomes, new Set(mailOutcomes.map((o) => o.id)));
    };
    if (outgoing.length > 0) await deps.smsProvider.submit(outgoing, record);
    else await record([]);
    for (const o of outcomes) {
      if (o.status === 'sent') sent += 1;
      else if (o.status === 'failed') failed += 1;
    }
    if (Date.now() - reported >= PROGRESS_EVERY_MS) {
      reported = Date.now();
      await job.updateProgress({ sent, failed });
    }
    // Throttled or disconnected: those messages are queued again; back off before the next window.
    const queuedAgain = outcomes.some((o) => o.status === 'queued');
    if (queuedAgain) requeued = true;
    throttled = queuedAgain ? throttled + 1 : 0;
    if (throttled > 0) await pause(Math.min(MAX_BACKOFF_MS, 200 * 2 ** throttled), signal);
  }
  await job.updateProgress({ sent, failed });
  if ((await batchStatus(deps.db, batchId)) === 'cancelled') {
    // The cancel closed the chunks; what it could not reach (locked as it ran) is cancelled here.
    await cancelQueued(deps.db, batchId, range);
    return { sent, failed };
  }
  // Each step commits with its callback, so a crash between them loses neither. (Chunk and
  // batch are two transactions: two last chunks finishing together each see the other done.)
  // Without a callback each step is one statement, atomic as it is: no BEGIN and COMMIT
  // (four round trips of the seventeen a chunk of 1,000 took).
  const atomically = <T>(work: (db: Db) => Promise<T>): Promise<T> => (batch.callback_url ? deps.db.transaction().execute(work) : work(deps.db));
  const chunkDone = await atomically(async (trx) => {
    const open = await markChunkDone(trx, batchId, { chunk, ...range });
    // Closed by another run (or this job's run before a crash): its callback went with it.
    if (open === 'closed') return { done: true, callback: undefined } as const;
    if (open !== 'done') return { done: false, open } as const;
    const messages = batch.callback_url ? await chunkStatuses(trx, batchId, range) : [];
    return { done: true, callback: await queueCallback(trx, batch, { type: 'messages.status', messages }) } as const;
  });
  if (!chunkDone.done) {
    // Messages were queued again while this job finished (an ops resend): run once more.
    if (chunkDone.open === 'queued') throw new PublicError('chunk has queued messages again', 'requeued');
    // A window claimed by another run is still in doubt (its worker was killed, or its outcome
    // could not be written): the chunk and the batch stay open. The sweep turns it 'unknown'
    // after SMS_SENDING_TIMEOUT, and the reconciler runs this chunk again to close them.
    return { sent, failed };
  }
  const batchCallback = await atomically(async (trx) =>
    (await completeBatchIfDone(trx, batchId)) ? queueCallback(trx, batch, { type: 'batch.status', status: 'completed' }) : undefined,
  );
  await enqueueAfterCommit(deps, callbackJobs([chunkDone.callback, batchCallback]));
  return { sent, failed };
};
