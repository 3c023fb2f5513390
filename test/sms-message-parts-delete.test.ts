// sms_message_parts has no foreign key to sms_messages (2026-12-06T01-00-00_sms-parts-no-fk: it
// doubled the insert of a window's parts), so nothing cascades: every deletion of messages must
// take their parts with it, or SMSC ids and delivery states of deleted messages would stay behind.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Deps } from '../workers/core/deps.js';
import { openStreamedBatch } from '../workers/sms/create-batch.js';
import { dropAbandonedUploads } from '../workers/sms/store.js';
import { createTestContext } from './helpers/context.js';
import { insertBatch, insertOrganization } from './helpers/factories.js';

const ctx = await createTestContext();

/** Two sent messages of the batch, two parts each; answers their ids. */
async function sentMessages(batchId: string, organizationId: string): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    INSERT INTO sms_messages (batch_id, organization_id, seq, channel, phone, text, destination, encoding, segments, cost, status)
    SELECT ${batchId}, ${organizationId}, seq, 'sms', '+31612345678', 'Hallo', '31612345678', 'gsm7', 2, 0.15, 'sent' FROM generate_series(0, 1) seq
    RETURNING id`.execute(ctx.db);
  const ids = rows.map((r) => r.id);
  await sql`INSERT INTO sms_message_parts (message_id, part, smsc_id) SELECT id, part, id || '-' || part FROM unnest(${ids}::bigint[]) id, generate_series(1, 2) part`.execute(ctx.db);
  return ids;
}

async function partsOf(ids: readonly string[]): Promise<number> {
  const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM sms_message_parts WHERE message_id = ANY(${ids}::bigint[])`.execute(ctx.db);
  return Number(rows[0]?.n);
}

describe('deleting SMS messages', () => {
  it('drops the parts of an abandoned upload with its messages, and no other parts', async () => {
    const organization = await insertOrganization(ctx.db);
    const abandoned = await insertBatch(ctx.db, { organization_id: organization.id, status: 'validating', created_at: new Date(Date.now() - 2 * 3600_000) });
    const kept = await insertBatch(ctx.db, { organization_id: organization.id });
    const gone = await sentMessages(abandoned.id, organization.id);
    const stay = await sentMessages(kept.id, organization.id);

    expect(await dropAbandonedUploads(ctx.db)).toBe(1);
    expect(await partsOf(gone)).toBe(0);
    expect(await partsOf(stay)).toBe(4);
  });

  it('drops the parts of a CSV upload that failed, with its messages', async () => {
    const organization = await insertOrganization(ctx.db);
    const options = { sender: 'TGG', body: 'Hallo', sendAt: null, reference: null, callbackUrl: null, purpose: 'service', idempotencyKey: null } as const;
    // abandon() needs only the database.
    const deps = { db: ctx.db, config: ctx.config } as unknown as Deps;
    const opened = await openStreamedBatch(deps, organization.id, options, { actorType: 'system', actorId: null, organizationId: organization.id });
    if (opened.kind !== 'open') throw new Error('a new upload is open');
    const batch = await ctx.db.selectFrom('sms_batches').select('id').where('organization_id', '=', organization.id).executeTakeFirstOrThrow();
    const ids = await sentMessages(batch.id, organization.id);

    await opened.abandon();
    expect(await partsOf(ids)).toBe(0);
  });

  it('happens in workers/sms/store.ts (deleteBatchMessages) only', async () => {
    const offenders: string[] = [];
    for (const dir of ['api', 'workers', 'db']) {
      for (const entry of await readdir(dir, { recursive: true })) {
        if (!entry.endsWith('.ts') || entry.startsWith('migrations')) continue;
        const path = join(dir, entry);
        const text = await readFile(path, 'utf8');
        if (/deleteFrom\(\s*'sms_messages'|DELETE\s+FROM\s+sms_messages\b/i.test(text) && path !== join('workers', 'sms', 'store.ts')) offenders.push(path);
      }
    }
    expect(offenders).toEqual([]);
  });
});
