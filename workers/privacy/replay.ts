// After a restore from a backup: the erasure ledger applied again, so nobody erased comes back.
// The ledger is read from both its copies (workers/privacy/ledger.ts): the restored database's
// own rows miss every erasure made after the backup.
// The ledger holds keyed hashes only, so every stored address and number (each family's
// `identifiers`) is hashed and looked up; each match is erased again across every family.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { normaliseAddress } from '../newsletter/address.js';
import { normalizePhone } from '../phone/e164.js';
import { mergedLedger, type LedgerCopy } from './ledger.js';
import { eachFamily, privacyReaches } from './reaches.js';
import { identifierHash, subjectOf } from './subject.js';

export async function replayLedger(db: Kysely<Database>, suppressionKey: string, copy?: LedgerCopy): Promise<{ people: number }> {
  const ledger = await mergedLedger(db, copy);
  if (ledger.size === 0) return { people: 0 };
  const erased = new Map<string, { email: string | null; phone: string | null }>();
  for (const { reach } of privacyReaches()) {
    for (const { table, column, kind } of reach.identifiers) {
      const rows = await sql<{ value: string }>`SELECT DISTINCT ${sql.ref(column)} AS value FROM ${sql.table(table)} WHERE ${sql.ref(column)} IS NOT NULL`.execute(db);
      for (const { value } of rows.rows) {
        const normal = kind === 'email' ? ((a) => (a.ok ? a.email : value.trim().toLowerCase()))(normaliseAddress(value)) : ((p) => (p.ok ? p.e164 : null))(normalizePhone(value));
        if (!normal || !ledger.has(identifierHash(suppressionKey, kind, normal).toString('hex'))) continue;
        erased.set(`${kind}:${normal}`, kind === 'email' ? { email: normal, phone: null } : { email: null, phone: normal });
      }
    }
  }
  for (const ids of erased.values()) {
    const subject = subjectOf({ ...ids, name: null }, suppressionKey);
    await eachFamily(db, (reach) => (trx) => reach.erase(trx, subject));
  }
  return { people: erased.size };
}
