// One-click unsubscribe (RFC 8058): every campaign mail carries a signed link naming its
// delivery and subscriber. A POST on it suppresses the address for the organisation at once
// (every list of the organisation: the suppression list is the organisation's) and counts
// the delivery as 'unsubscribed'; a GET only shows a button (see the public routes).
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { audit } from '../core/audit.js';
import { signId, signedIdOf, type Keyring } from './signed-id.js';
import { suppress } from './suppression.js';

const SHAPE = /^\d{1,15}_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function unsubscribeToken(secretKey: string, deliveryId: number, subscriberId: string): string {
  return signId(secretKey, 'newsletter-unsubscribe', `${deliveryId}_${subscriberId}`);
}

export function unsubscribeUrl(settings: { publicUrl: string; secretKey: string }, deliveryId: number, subscriberId: string): string {
  return `${settings.publicUrl}/public/newsletter/unsubscribe?token=${unsubscribeToken(settings.secretKey, deliveryId, subscriberId)}`;
}

export function isUnsubscribeToken(keys: Keyring, token: string): boolean {
  return signedIdOf(keys, 'newsletter-unsubscribe', token, SHAPE) !== undefined;
}

/** 'invalid' for a token we did not sign; otherwise the address is suppressed (again, harmlessly). */
export async function unsubscribeByToken(db: Kysely<Database>, keys: { secretKeys: Keyring; suppressionKey: string }, token: string): Promise<'unsubscribed' | 'invalid'> {
  const id = signedIdOf(keys.secretKeys, 'newsletter-unsubscribe', token, SHAPE);
  if (!id) return 'invalid';
  const [deliveryId = '', subscriberId = ''] = id.split('_');
  return db.transaction().execute(async (trx) => {
    const delivery = await trx
      .updateTable('newsletter_deliveries')
      .set({ status: 'unsubscribed', updated_at: new Date() })
      .where('id', '=', Number(deliveryId))
      .where('status', 'in', ['queued', 'sent', 'unknown'])
      .returning(['organization_id', 'address_hash'])
      .executeTakeFirst();
    const subscriber = await trx.selectFrom('newsletter_subscribers').select(['organization_id', 'email']).where('id', '=', subscriberId).executeTakeFirst();
    const organizationId = subscriber?.organization_id ?? delivery?.organization_id;
    const address = subscriber?.email ?? delivery?.address_hash;
    // Both gone (the subscriber deleted, the delivery purged): nothing is left that names the address.
    if (organizationId === undefined || address === undefined) return 'unsubscribed' as const;
    const added = await suppress(trx, keys.suppressionKey, organizationId, address, 'unsubscribe');
    // The same link posted again changes nothing and writes no entry (one valid link must not fill the audit log).
    if (!added && !delivery) return 'unsubscribed' as const;
    await audit(trx, { actorType: 'data_subject', actorId: null, organizationId, action: 'newsletter.unsubscribed', entityType: 'newsletter_subscriber', entityId: subscriberId });
    return 'unsubscribed' as const;
  });
}
