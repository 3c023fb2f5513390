// Surviving a restore (issue 15): a real pg_dump taken before an erasure, restored into a new
// database, brings the person back, and their erasure's ledger rows are gone with it; the
// ledger's copy in Redis still names them, so the replay (npm run privacy:replay) erases them
// again: afterwards the person is found nowhere but in the P8 invoice rows, the namesake stays.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createDb } from '../db/database.js';
import { checkFiling, fileByOps } from '../workers/privacy/filing.js';
import { ledgerKey } from '../workers/privacy/ledger.js';
import { processRequest } from '../workers/privacy/process.js';
import { replayLedger } from '../workers/privacy/replay.js';
import { createTestContext } from './helpers/context.js';
import { ADMIN_DATABASE_URL, databaseUrl, testDatabaseName } from './helpers/env.js';
import { needlesOf, scanDatabase, seedPerson, type Person } from './helpers/privacy.js';

const run = promisify(execFile);
const ctx = await createTestContext();
const ledger = { redis: ctx.redis, key: ledgerKey(ctx.prefix) };
const org = await ctx.db.insertInto('organizations').values({ name: 'Leden Herstel', slug: 'leden-herstel' }).returning('id').executeTakeFirstOrThrow();
const kees: Person = { name: 'Kees Bakker', email: 'kees.bakker@voorbeeld.nl', phone: '+31624681357' };
const namesake: Person = { name: 'Kees Bakker', email: 'k.bakker@elders.nl', phone: '+31697531864' };
await seedPerson(ctx.db, org.id, kees, ctx.config.suppressionKey, 'kees');
await seedPerson(ctx.db, org.id, namesake, ctx.config.suppressionKey, 'namesake');

const dir = await mkdtemp(join(tmpdir(), 'tgg-restore-'));
const restoredName = testDatabaseName('restore');
const restored = createDb(databaseUrl(restoredName), { max: 2 });
afterAll(async () => {
  await restored.destroy();
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${restoredName}" WITH (FORCE)`);
  await admin.end();
  await rm(dir, { recursive: true, force: true });
});

/** Hits outside the rows kept under P8 (invoices, marked restricted). */
const outsideP8 = (hits: Awaited<ReturnType<typeof scanDatabase>>) => hits.filter((h) => h.table !== 'einvoice_lines' && h.table !== 'einvoices').map((h) => `${h.table}.${h.column}`);

describe('a restore from a dump taken before the erasure', () => {
  it('brings the person back until the replay, which erases them again from the ledger kept in Redis', { timeout: 60_000 }, async () => {
    const dump = join(dir, 'before.dump');
    await run('pg_dump', ['--format=custom', `--file=${dump}`, ctx.config.databaseUrl]);

    const filed = await fileByOps(ctx.db, checkFiling({ type: 'erasure', email: kees.email, phone: kees.phone }), 'ops');
    await processRequest(ctx.db, filed.request.id, { secretKey: ctx.config.secretKey, suppressionKey: ctx.config.suppressionKey, publicUrl: ctx.config.publicUrl, opsEmail: 'ops@tgg.test', ledger });
    expect(await ctx.redis.scard(ledger.key)).toBe(2);

    // The restore: the person is back, and the ledger rows of their erasure are not.
    const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${restoredName}"`);
    await admin.end();
    await run('pg_restore', ['--no-owner', `--dbname=${databaseUrl(restoredName)}`, dump]);
    expect(await restored.selectFrom('contacts').select('name').where('email', '=', kees.email.toUpperCase()).execute()).toEqual([{ name: kees.name }]);
    expect(await restored.selectFrom('privacy_erasure_ledger').selectAll().execute()).toEqual([]);
    // The database's own ledger alone finds nobody: that is why a copy lives in Redis.
    expect(await replayLedger(restored, ctx.config.suppressionKey)).toEqual({ people: 0 });

    expect(await replayLedger(restored, ctx.config.suppressionKey, ledger)).toEqual({ people: 2 });
    expect(outsideP8(await scanDatabase(restored, needlesOf(kees)))).toEqual([]);
    expect(await restored.selectFrom('privacy_erasure_ledger').selectAll().execute()).toHaveLength(2);
    expect((await scanDatabase(restored, [namesake.email])).length).toBeGreaterThan(0);
  });
});
