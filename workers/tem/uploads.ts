// TEM uploads: the raw file streamed into chunk rows in one transaction (nothing kept when it
// is refused), hashed on the way; the same content from the same organisation answers with
// the first upload. Every query is scoped to the organisation.
import { createHash, randomUUID } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import { bulkTransaction, type Db } from '../../db/database.js';
import { afterKeyset, keysetMicros, keysetPage, type Keyset } from '../../db/keyset.js';
import type { Database } from '../../db/schema.js';
import type { TemUpload, TemUploadKind } from '../../db/schema.js';

/** The largest file taken by default (200 MB, TEM_MAX_UPLOAD_BYTES); one byte more answers 413 and keeps nothing. */
export const MAX_UPLOAD_BYTES = 200 * 1024 * 1024;
const CHUNK_BYTES = 1024 * 1024;

export class UploadTooLarge extends Error {
  constructor(readonly maxBytes: number) {
    super(`the file is larger than ${maxBytes} bytes`);
    this.name = 'UploadTooLarge';
  }
}

export class EmptyUpload extends Error {
  constructor() {
    super('the file is empty');
    this.name = 'EmptyUpload';
  }
}

/** Thrown inside the transaction to roll back a repeat; carries the first upload's id. */
class Repeat extends Error {
  constructor(readonly firstId: string) {
    super('repeat');
  }
}

export interface UploadMeta {
  readonly kind: TemUploadKind;
  /** The largest file taken (TEM_MAX_UPLOAD_BYTES). */
  readonly maxBytes: number;
  readonly profile: string | null;
  readonly carrier: string | null;
  /** The charset the sender named for the file; null or absent: the bytes decide. */
  readonly charset?: string | null;
}

async function firstWithHash(db: Kysely<Database>, organizationId: string, sha256: string): Promise<string | undefined> {
  const row = await db.selectFrom('tem_uploads').select('id').where('organization_id', '=', organizationId).where('sha256', '=', sha256).executeTakeFirst();
  return row?.id;
}

async function writeChunks(trx: Transaction<Database>, uploadId: string, body: AsyncIterable<Buffer>, maxBytes: number): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  let seq = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    if (pendingBytes === 0) return;
    await trx.insertInto('tem_upload_chunks').values({ upload_id: uploadId, seq, data: Buffer.concat(pending, pendingBytes) }).execute();
    seq += 1;
    pending = [];
    pendingBytes = 0;
  };
  for await (const piece of body) {
    size += piece.length;
    if (size > maxBytes) throw new UploadTooLarge(maxBytes);
    hash.update(piece);
    pending.push(piece);
    pendingBytes += piece.length;
    if (pendingBytes >= CHUNK_BYTES) await flush();
  }
  await flush();
  if (size === 0) throw new EmptyUpload();
  return { sha256: hash.digest('hex'), size };
}

/** Streams the body into a new upload; a repeat of an earlier upload's content answers with that one, unless it was rejected or failed. */
export async function storeUpload(db: Db, organizationId: string, meta: UploadMeta, body: AsyncIterable<Buffer>): Promise<{ upload: TemUpload; replayed: boolean }> {
  let digest: string | undefined;
  try {
    const upload = await db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('tem_uploads')
        .values({ organization_id: organizationId, kind: meta.kind, profile: meta.profile, carrier: meta.carrier, charset: meta.charset ?? null, sha256: `receiving-${randomUUID()}`, size_bytes: 0 })
        .returning('id')
        .executeTakeFirstOrThrow();
      const { sha256, size } = await writeChunks(trx, row.id, body, meta.maxBytes);
      digest = sha256;
      // A repeat of an upload that was rejected or failed (nothing of it stored) replaces it: sent
      // again with a corrected charset or profile, or after the database was away, it is parsed anew.
      await trx.deleteFrom('tem_uploads').where('organization_id', '=', organizationId).where('sha256', '=', sha256).where('status', 'in', ['rejected', 'failed']).execute();
      const first = await firstWithHash(trx, organizationId, sha256);
      if (first) throw new Repeat(first);
      return trx.updateTable('tem_uploads').set({ sha256, size_bytes: size }).where('id', '=', row.id).returningAll().executeTakeFirstOrThrow();
    });
    return { upload, replayed: false };
  } catch (error) {
    // A repeat, or the same content committed by a concurrent upload a moment earlier.
    const firstId = error instanceof Repeat ? error.firstId : (error as { code?: string }).code === '23505' && digest ? await firstWithHash(db, organizationId, digest) : undefined;
    const first = firstId ? await findUpload(db, organizationId, firstId) : undefined;
    if (first) return { upload: first, replayed: true };
    throw error;
  }
}

export function findUpload(db: Kysely<Database>, organizationId: string, id: string): Promise<TemUpload | undefined> {
  return db.selectFrom('tem_uploads').selectAll().where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
}

export async function listUploads(db: Kysely<Database>, organizationId: string, options: { limit: number; after?: Keyset }) {
  let query = db.selectFrom('tem_uploads').selectAll().select(keysetMicros.as('keyset_micros')).where('organization_id', '=', organizationId);
  if (options.after) query = query.where(afterKeyset(options.after, 'asc'));
  const rows = await query.orderBy('created_at').orderBy('id').limit(options.limit + 1).execute();
  const { items, next } = keysetPage(rows, options.limit);
  return { items: items.map(({ keyset_micros: _, ...upload }) => upload), next };
}

/** Removes an upload and everything parsed from it; waits for a parse of it to finish first. */
export async function deleteUpload(db: Db, organizationId: string, id: string): Promise<boolean> {
  return bulkTransaction(db, async (trx) => {
    const locked = await trx.selectFrom('tem_uploads').select('id').where('organization_id', '=', organizationId).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!locked) return false;
    await trx.deleteFrom('call_records').where('organization_id', '=', organizationId).where('upload_id', '=', id).execute();
    await trx.deleteFrom('tem_uploads').where('id', '=', id).execute();
    return true;
  });
}

/** Uploads whose parse has not finished: the reconciler's due work. */
export async function unparsedUploadIds(db: Kysely<Database>, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('tem_uploads')
    .select('id')
    .where('status', 'in', ['received', 'parsing'])
    .where('created_at', '<', sql<Date>`now() - interval '5 seconds'`)
    .orderBy('created_at')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}
