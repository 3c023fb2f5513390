// Sending under a rate (SMS_RATE, SMPP_SESSION_RATE): the tokens of the next window are taken
// before it is claimed, so what a killed worker leaves in 'sending' is what was really in
// flight; and the batch is read again just before a claimed window goes, so a cancel that
// committed meanwhile stops it.
import { sql } from 'kysely';
import { PREPARED, type Db } from '../../db/database.js';
import type { SmsProvider } from './providers/provider.js';
import { batchStatus, type ClaimRequest, type ClaimedMessage } from './store.js';

/** The SMS parts of the messages a claim with this request would take now (read, not locked). */
export async function partsOfNextWindow(db: Db, r: ClaimRequest): Promise<number> {
  const result = await sql<{ parts: string | null }>`${sql.raw(PREPARED)}
    SELECT sum(segments) FILTER (WHERE channel = 'sms') AS parts FROM (
      SELECT channel, segments FROM sms_messages
      WHERE batch_id = ${r.batchId} AND seq >= ${r.from} AND seq < ${r.to} AND status = 'queued'
      ORDER BY seq LIMIT ${r.size}
    ) w`.execute(db);
  return Number(result.rows[0]?.parts ?? 0);
}

const smsParts = (messages: readonly ClaimedMessage[]) => messages.reduce((n, m) => n + (m.channel === 'sms' ? m.segments : 0), 0);

/**
 * Takes the provider's tokens for the window the request would claim, then claims it with
 * `claim`. Messages queued again behind the read (throttled ones) can make the claim larger:
 * the tokens still missing are taken then, the only wait a claimed window can have.
 */
export async function claimRated<W extends { messages: readonly ClaimedMessage[] }>(
  db: Db,
  provider: SmsProvider,
  request: ClaimRequest,
  signal: AbortSignal,
  claim: () => Promise<W>,
): Promise<W> {
  if (!provider.reserve) return claim();
  const reserved = await partsOfNextWindow(db, request);
  if (reserved > 0) await provider.reserve(reserved, signal);
  const window = await claim();
  const missing = smsParts(window.messages) - reserved;
  // Claimed now: a shutdown does not interrupt this wait, the window goes (or is recorded) first.
  if (missing > 0) await provider.reserve(missing, new AbortController().signal);
  return window;
}

/** Under a rate: true when the batch was cancelled after the window was claimed. */
export async function cancelledSinceClaim(db: Db, provider: SmsProvider, batchId: string): Promise<boolean> {
  return provider.reserve !== undefined && (await batchStatus(db, batchId)) === 'cancelled';
}
