// What a group of small batches (grouped-batches.ts) must not send: numbers opted out of the
// batch's own organisation, numbers and addresses restricted on the whole platform (a privacy
// request, art. 18). One statement for the group, by keyed hash, whatever its organisations:
// for ten recipients a batch a probe first ("has this organisation any opt-out?", as
// createBatch asks) would cost a statement of its own and save nothing.
import { sql } from 'kysely';
import type { Deps } from '../core/deps.js';
import { identifierHash } from '../privacy/subject.js';
import type { ValidatedMessage } from './validate.js';

export interface Held {
  /** E.164 numbers opted out or restricted. */
  readonly phones: Set<string>;
  /** Addresses restricted. */
  readonly emails: Set<string>;
}

interface GroupMember {
  readonly organizationId: string;
  readonly validated: { readonly messages: readonly ValidatedMessage[] };
}

/** Per batch of `group`, in its order: what it must hold back. */
export async function heldInGroup(deps: Pick<Deps, 'db' | 'config'>, group: readonly GroupMember[]): Promise<Held[]> {
  const held: Held[] = group.map(() => ({ phones: new Set(), emails: new Set() }));
  const asked: { batch: number; kind: 'phone' | 'email'; value: string }[] = [];
  const organizations: string[] = [];
  const hashes: Buffer[] = [];
  for (const [batch, { organizationId, validated }] of group.entries()) {
    for (const message of validated.messages) {
      for (const [kind, value] of [['phone', message.phone], ['email', message.email]] as const) {
        if (value === null) continue;
        asked.push({ batch, kind, value });
        organizations.push(organizationId);
        hashes.push(identifierHash(deps.config.suppressionKey, kind, value));
      }
    }
  }
  if (asked.length === 0) return held;
  const isPhone = asked.map((a) => a.kind === 'phone');
  const { rows } = await sql<{ i: number }>`
    SELECT q.i::int AS i
    FROM unnest(${organizations}::uuid[], ${hashes}::bytea[], ${isPhone}::bool[]) WITH ORDINALITY AS q(organization_id, hash, phone, i)
    WHERE (q.phone AND EXISTS (SELECT 1 FROM sms_opt_outs o WHERE o.organization_id = q.organization_id AND o.phone_hash = q.hash))
       OR EXISTS (SELECT 1 FROM privacy_restrictions r WHERE r.identifier_hash = q.hash)`.execute(deps.db);
  for (const { i } of rows) {
    const hit = asked[i - 1];
    if (!hit) continue;
    const into = held[hit.batch];
    if (hit.kind === 'phone') into?.phones.add(hit.value);
    else into?.emails.add(hit.value);
  }
  return held;
}
