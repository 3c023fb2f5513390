// What a group of small batches (grouped-batches.ts) must not send: numbers opted out of the
// batch's own organisation, numbers and addresses restricted on the whole platform (a privacy
// request, art. 18). Asked by keyed hash for the whole group, whatever its organisations, inside
// the statement that stores the group (group-store.ts): for ten recipients a batch a probe
// first ("has this organisation any opt-out?", as createBatch asks) would cost a statement of
// its own and save nothing, and so would a lookup of its own before the write.
import { sql, type RawBuilder } from 'kysely';
import type { Deps } from '../core/deps.js';
import { textArray } from '../core/pg-array.js';
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

/** Every number and address of a group, as the lookup asks them (by keyed hash, with the batch's organisation). */
export interface HeldProbe {
  readonly asked: readonly { readonly batch: number; readonly kind: 'phone' | 'email'; readonly value: string }[];
  readonly organizations: readonly string[];
  readonly hashes: readonly Buffer[];
}

/** Asks nothing: the group's holds are known already. */
export const NOTHING_ASKED: HeldProbe = { asked: [], organizations: [], hashes: [] };

export function heldProbe(deps: Pick<Deps, 'config'>, group: readonly GroupMember[]): HeldProbe {
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
  return { asked, organizations, hashes };
}

/** The lookup's values, as heldQuery places them. */
export interface HeldValues {
  readonly held_organizations: string;
  readonly held_hashes: readonly Buffer[];
  readonly held_phone: readonly boolean[];
}

export const heldValues = (probe: HeldProbe): HeldValues => ({
  held_organizations: textArray(probe.organizations),
  held_hashes: probe.hashes,
  held_phone: probe.asked.map((a) => a.kind === 'phone'),
});

/** A SELECT of the 1-based positions (`i`) in the probe's `asked` of what is held. Its text is the same whatever the probe. */
export function heldQuery(v: HeldValues): RawBuilder<{ i: number }> {
  return sql<{ i: number }>`
    SELECT q.i::int AS i
    FROM unnest(${v.held_organizations}::uuid[], ${v.held_hashes}::bytea[], ${v.held_phone}::bool[]) WITH ORDINALITY AS q(organization_id, hash, phone, i)
    WHERE (q.phone AND EXISTS (SELECT 1 FROM sms_opt_outs o WHERE o.organization_id = q.organization_id AND o.phone_hash = q.hash))
       OR EXISTS (SELECT 1 FROM privacy_restrictions r WHERE r.identifier_hash = q.hash)`;
}

/** Per batch of the group, in its order: the keyed hash the probe made of each of its numbers and addresses (stored with its messages). */
export function hashesAt(size: number, probe: HeldProbe): { readonly phones: Map<string, Buffer>; readonly emails: Map<string, Buffer> }[] {
  const hashes = Array.from({ length: size }, () => ({ phones: new Map<string, Buffer>(), emails: new Map<string, Buffer>() }));
  for (const [i, asked] of probe.asked.entries()) {
    const hash = probe.hashes[i];
    const into = hashes[asked.batch];
    if (hash && into) (asked.kind === 'phone' ? into.phones : into.emails).set(asked.value, hash);
  }
  return hashes;
}

/** Nothing held, for each of `size` batches. */
export const noneHeld = (size: number): Held[] => Array.from({ length: size }, () => ({ phones: new Set<string>(), emails: new Set<string>() }));

/** Per batch of the group, in its order: what it must hold back, from the positions heldQuery found. */
export function heldAt(size: number, probe: HeldProbe, positions: readonly number[]): Held[] {
  const held = noneHeld(size);
  for (const i of positions) {
    const hit = probe.asked[i - 1];
    if (!hit) continue;
    const into = held[hit.batch];
    if (hit.kind === 'phone') into?.phones.add(hit.value);
    else into?.emails.add(hit.value);
  }
  return held;
}
