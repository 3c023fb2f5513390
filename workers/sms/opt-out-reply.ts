// An incoming SMS (SMPP deliver_sm, the HTTP gateway's hook) that says STOP, UIT or AFMELDEN
// opts its sender out for every organisation that sent to that number.
import { sql } from 'kysely';
import { normalizePhone } from '../phone/e164.js';
import { maskPhone, phoneHash } from './opt-outs.js';
import type { ProviderDeps } from './providers/provider.js';
import { isStopWord } from './smpp/receipt.js';

/** `from` as the SMSC writes it, with or without the +. Answers whether it was a stop word. */
export async function optOutByReply(deps: Pick<ProviderDeps, 'db' | 'logger'>, suppressionKey: string, from: string, text: string): Promise<boolean> {
  if (!isStopWord(text)) return false;
  const parsed = normalizePhone(`+${from.replace(/^\+/, '')}`);
  if (!parsed.ok) return false;
  const hash = phoneHash(suppressionKey, parsed.e164);
  const result = await sql`
    INSERT INTO sms_opt_outs (organization_id, phone_hash, masked, source)
    SELECT DISTINCT organization_id, ${hash}::bytea, ${maskPhone(parsed.e164, parsed.countryCallingCode)}, 'reply'
    FROM sms_messages WHERE phone = ${parsed.e164}
    ON CONFLICT DO NOTHING`.execute(deps.db);
  deps.logger.info({ organizations: Number(result.numAffectedRows ?? 0) }, 'opt-out by SMS reply');
  return true;
}
