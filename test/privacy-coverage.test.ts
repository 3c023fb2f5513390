// Every table that holds personal data (it has a retention category, or a column whose name
// says it holds an address, number or name) is reached by some family's `privacy` section
// (workers/privacy/reach.ts), or says in TABLES_PRIVACY_CANNOT_REACH why not. A family that
// adds such a table and forgets its privacy section fails here.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { FAMILIES } from '../workers/families.js';
import { TABLES_PRIVACY_CANNOT_REACH } from '../workers/privacy/coverage.js';
import { privacyReaches } from '../workers/privacy/reaches.js';
import { RETENTION_POLICY, TABLES_WITHOUT_PERSONAL_DATA } from '../workers/retention/policy.js';
import { createTestContext } from './helpers/context.js';

const ctx = await createTestContext();
const PERSONAL_COLUMN = /(^|_)(email|phone|msisdn|name|recipient|to_address|envelope_to|destination|subscription_ref|holder_name|user_name)$/;

describe('privacy coverage', () => {
  it('every family with a privacy section is iterated', () => {
    const declared = FAMILIES.filter((f) => 'privacy' in f && f.privacy).map((f) => f.name);
    expect(privacyReaches().map((r) => r.family)).toEqual(declared);
  });

  it('every table holding personal data is reached by some family, or says why not', async () => {
    const reached = new Set(privacyReaches().flatMap((r) => r.reach.tables as readonly string[]));
    const columns = await sql<{ table_name: string; column_name: string }>`
      SELECT c.table_name, c.column_name FROM information_schema.columns c
      JOIN information_schema.tables t ON t.table_name = c.table_name AND t.table_schema = c.table_schema
      WHERE c.table_schema = 'public' AND NOT EXISTS (SELECT 1 FROM pg_inherits i JOIN pg_class k ON k.oid = i.inhrelid WHERE k.relname = c.table_name)`.execute(ctx.db);
    const byColumn = columns.rows.filter((c) => PERSONAL_COLUMN.test(c.column_name) && !(c.table_name in TABLES_WITHOUT_PERSONAL_DATA)).map((c) => c.table_name);
    const personal = new Set([...RETENTION_POLICY.map((c) => c.table as string), ...byColumn]);
    const missing = [...personal].filter((t) => !reached.has(t) && !(t in TABLES_PRIVACY_CANNOT_REACH)).sort();
    expect(missing).toEqual([]);
  });

  it('names only tables that exist', async () => {
    const tables = new Set((await sql<{ table_name: string }>`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`.execute(ctx.db)).rows.map((r) => r.table_name));
    const named = [...privacyReaches().flatMap((r) => r.reach.tables as readonly string[]), ...Object.keys(TABLES_PRIVACY_CANNOT_REACH)];
    expect(named.filter((t) => !tables.has(t))).toEqual([]);
  });
});
