// A list's subscribers: keyset pages (optionally by status) and removal of one. The list is
// always looked up within the organisation first, so another organisation's ids are not found.
import type { Kysely } from 'kysely';
import { afterKeyset, keysetMicros, keysetPage, type Keyset } from '../../db/keyset.js';
import type { Database } from '../../db/schema.js';
import type { NewsletterSubscriber, SubscriberStatus } from '../../db/schema.js';

export async function listSubscribers(
  db: Kysely<Database>,
  organizationId: string,
  listId: string,
  options: { limit: number; status?: SubscriberStatus; after?: Keyset },
): Promise<{ items: NewsletterSubscriber[]; next: Keyset | null }> {
  let query = db
    .selectFrom('newsletter_subscribers')
    .selectAll()
    .select(keysetMicros.as('keyset_micros'))
    .where('list_id', '=', listId)
    .where('organization_id', '=', organizationId);
  if (options.status) query = query.where('status', '=', options.status);
  if (options.after) query = query.where(afterKeyset(options.after, 'asc'));
  const rows = await query.orderBy('created_at').orderBy('id').limit(options.limit + 1).execute();
  const { items, next } = keysetPage(rows, options.limit);
  return { items: items.map(({ keyset_micros: _, ...subscriber }) => subscriber), next };
}

/** Deletes one subscriber and the consent records it holds. */
export async function deleteSubscriber(db: Kysely<Database>, organizationId: string, listId: string, id: string): Promise<boolean> {
  const result = await db
    .deleteFrom('newsletter_subscribers')
    .where('id', '=', id)
    .where('list_id', '=', listId)
    .where('organization_id', '=', organizationId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}
