// The erasure ledger (keyed hashes of erased identifiers), kept twice: in Postgres
// (privacy_erasure_ledger) and in a Redis set under QUEUE_PREFIX. A database restored from a
// backup taken before an erasure has lost that erasure's ledger rows too; the Redis copy still
// holds them, so npm run privacy:replay finds the person again (and the reverse after a Redis
// loss). Hashes only: neither store learns an identifier from it.
import type { RedisClient } from '../../queues/connection.js';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

export const ledgerKey = (queuePrefix: string) => `${queuePrefix}:privacy:erasure-ledger`;

export interface LedgerCopy {
  readonly redis: RedisClient;
  readonly key: string;
}

/** Both copies, before the erasure runs: a failure leaves the job to run again. */
export async function recordLedger(db: Kysely<Database>, copy: LedgerCopy | undefined, hashes: readonly Buffer[]): Promise<void> {
  if (hashes.length === 0) return;
  if (copy) await copy.redis.sadd(copy.key, ...hashes.map((h) => h.toString('hex')));
  await db.insertInto('privacy_erasure_ledger').values(hashes.map((h) => ({ identifier_hash: h }))).onConflict((oc) => oc.column('identifier_hash').doNothing()).execute();
}

/** The union of both copies, each made whole again; as hex. */
export async function mergedLedger(db: Kysely<Database>, copy: LedgerCopy | undefined): Promise<Set<string>> {
  const inDb = (await db.selectFrom('privacy_erasure_ledger').select('identifier_hash').execute()).map((r) => r.identifier_hash.toString('hex'));
  const inRedis = copy ? await copy.redis.smembers(copy.key) : [];
  const all = new Set([...inDb, ...inRedis]);
  const missingInDb = inRedis.filter((h) => !inDb.includes(h));
  if (missingInDb.length > 0) await db.insertInto('privacy_erasure_ledger').values(missingInDb.map((h) => ({ identifier_hash: Buffer.from(h, 'hex') }))).onConflict((oc) => oc.column('identifier_hash').doNothing()).execute();
  if (copy && inDb.length > 0) await copy.redis.sadd(copy.key, ...inDb);
  return all;
}
