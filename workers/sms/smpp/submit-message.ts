// One message's parts handed to the SMSC in order, each only once the one before was taken, so
// a refused part never leaves the recipient a fragment with a hole in it. A temporary refusal
// (submit-status.ts) is tried again after a backoff (and after the session's pause, when it was
// a throttling one). What was not taken at all goes back to the queue whole (throttled, not
// connected) or fails (a permanent refusal, or temporary ones past the bound). Once a part was
// taken the rest is retried in order up to the same bound; a part still not taken after it
// leaves the message unknown (partly accepted), for ops to see and resend.
import { PARTLY_ACCEPTED } from '../part-states.js';
import type { SubmitResult, SubmittedPart } from '../providers/provider.js';
import type { OutgoingPdu } from 'smpp';
import type { SubmitOutcome } from './smpp-client.js';
import { PART_ATTEMPTS, refusalOf, statusName } from './submit-status.js';

export interface PartSubmitter {
  submit(pdu: OutgoingPdu, onAccepted?: (messageId: string) => void): Promise<SubmitOutcome>;
  waitUntilBound(timeoutMs: number): Promise<boolean>;
}

export interface SubmitMessageOptions {
  /** The wait before attempt n + 1 of a part. */
  readonly retryDelayMs: (attempt: number) => number;
  /** How long a retried part waits for the session to be bound again. */
  readonly rebindWaitMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The result of a message whose part could not be handed over, given what was taken before it. */
function endedAt(messageId: number, outcome: Exclude<SubmitOutcome, { kind: 'accepted' }>, taken: readonly SubmittedPart[]): SubmitResult {
  if (taken.length > 0) return { messageId, status: 'unknown', errorCode: PARTLY_ACCEPTED, parts: taken };
  if (outcome.kind === 'unknown') return { messageId, status: 'unknown', errorCode: 'no-response', parts: [] };
  if (outcome.kind === 'not-sent') return { messageId, status: 'retry', errorCode: 'not-connected' };
  const name = statusName(outcome.status);
  return refusalOf(outcome.status) === 'throttled' ? { messageId, status: 'retry', errorCode: name } : { messageId, status: 'failed', errorCode: name };
}

/** Whether a part is tried again: a temporary refusal, or a connection lost between parts. */
function retried(outcome: SubmitOutcome, taken: number): boolean {
  if (outcome.kind === 'not-sent') return taken > 0;
  if (outcome.kind !== 'refused') return false;
  const refusal = refusalOf(outcome.status);
  // Throttled before anything was taken: the whole message waits in the queue instead.
  return refusal === 'temporary' || (refusal === 'throttled' && taken > 0);
}

/**
 * `pdus` are the parts' first submit_sm; `again(i)` makes a fresh one for part i (a PDU once
 * written keeps its sequence number).
 */
export async function submitMessage(
  client: PartSubmitter,
  messageId: number,
  pdus: readonly OutgoingPdu[],
  again: (index: number) => OutgoingPdu,
  onAccepted: (smscId: string) => void,
  options: SubmitMessageOptions,
): Promise<SubmitResult> {
  const taken: SubmittedPart[] = [];
  for (let index = 0; index < pdus.length; index++) {
    let outcome = await client.submit(pdus[index]!, onAccepted);
    for (let attempt = 1; outcome.kind !== 'accepted'; attempt++) {
      if (attempt >= PART_ATTEMPTS || !retried(outcome, taken.length)) return endedAt(messageId, outcome, taken);
      await sleep(options.retryDelayMs(attempt));
      if (outcome.kind === 'not-sent') await client.waitUntilBound(options.rebindWaitMs);
      outcome = await client.submit(again(index), onAccepted);
    }
    // Every field from the start: a receipt's state set later then changes no object's shape.
    taken.push({ part: index + 1, smscId: outcome.messageId, state: undefined, networkError: undefined, doneAt: undefined });
  }
  return { messageId, status: 'sent', providerMessageId: taken[0]?.smscId ?? '', parts: taken };
}
