// Privacy requests (issue 15): with 1,000,000 SMS messages, 1,000,000 call records and 100,000
// newsletter subscribers (with their consents and 300,000 campaign deliveries) stored over
// several organisations, one person's address and number in a few rows of every table (in the
// formats members, carriers and forms store numbers in), times what the privacy.process job
// does for that person: an access request (every family's privacy section gathered, the export
// stored and mailed) and an erasure (every family, one transaction each). Each target < 2 s,
// beside two same-run baselines: the same rows read by primary key, and the same job on the
// database before the bulk went in. Then EXPLAIN (ANALYZE) of every statement each family's
// privacy section sends, and a list of any sequential scan of a table of more than SEQ_LIMIT
// rows. The database is its own, made and dropped here; the jobs run in this process
// (processRequest, which the privacy.process handler calls), so no worker is started.
import { loadavg } from 'node:os';
// First: the families list imports the privacy family, whose job handler imports this list back.
import '../workers/families.js';
import { sql, type Kysely } from 'kysely';
import { createDb } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import type { Database } from '../db/schema.js';
import { checkFiling, fileByOps } from '../workers/privacy/filing.js';
import { processRequest } from '../workers/privacy/process.js';
import type { Found } from '../workers/privacy/reach.js';
import { findEverywhere, privacyReaches } from '../workers/privacy/reaches.js';
import { subjectOf } from '../workers/privacy/subject.js';
import { makePartitions } from '../workers/tem/partitions.js';
import { seedPerson, type Person } from '../test/helpers/privacy.js';
import { explainingDb, type Explained } from './lib/explaining-db.js';
import { ADMIN_URL, REDIS_URL, databaseUrl, table } from './lib/platform.js';
import { seedBulk, seedOrganizations } from './lib/privacy-seed.js';
import { scratch } from './lib/scratch.js';

const SCALE = Number(process.env.BENCH_PRIVACY_SCALE ?? 1);
const SIZE = { organizations: 8, smsMessages: Math.round(1_000_000 * SCALE), callRecords: Math.round(1_000_000 * SCALE), subscribers: Math.round(100_000 * SCALE) };
const RUNS = Number(process.env.BENCH_PRIVACY_RUNS ?? 3);
/** The organisations the person is in (of SIZE.organizations). */
const PERSON_ORGS = 3;
const TARGET_MS = 2_000;
/** A sequential scan of a table (or partition) with more rows than this is listed: a lookup that should use an index. */
const SEQ_LIMIT = 1_000;
const DB_NAME = process.env.BENCH_PRIVACY_DATABASE ?? 'tgg_bench_privacy';
const PREFIX = `bench-privacy-${process.pid}`;
const SETTINGS = { secretKey: 'bench-privacy-secret-key-0123456789abcdef', suppressionKey: 'bench-privacy-suppression-key-0123456789', publicUrl: 'http://127.0.0.1:3299', opsEmail: 'ops@tgg.test' };
/** Their number is outside every generated range (bench/lib/privacy-seed.ts); filed as people type it. */
const PERSON: Person = { name: 'Anna Jansen', email: 'anna.jansen@voorbeeld.nl', phone: '+31681234567' };
const PERSON_TYPED = { email: 'Anna.Jansen@voorbeeld.nl', phone: '06 81234567' };

const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
const ms = (n: number) => `${n.toFixed(0)} ms`;
const spread = (xs: readonly number[]) => (xs.length === 0 ? '-' : `${ms(Math.min(...xs))}–${ms(Math.max(...xs))}`);
const itemCount = (found: Found) => Object.values(found).reduce((a, items) => a + items.length, 0);

let tagged = 0;
async function seedThePerson(db: Kysely<Database>, orgs: readonly string[]): Promise<void> {
  tagged += 1;
  for (const [i, org] of orgs.slice(0, PERSON_ORGS).entries()) await seedPerson(db, org, PERSON, SETTINGS.suppressionKey, `p${tagged}-${i}`);
}

async function timedRequest(db: Kysely<Database>, type: 'access' | 'erasure'): Promise<number> {
  const { request } = await fileByOps(db, checkFiling({ type, ...PERSON_TYPED }), 'bench');
  const start = performance.now();
  const done = await processRequest(db, request.id, SETTINGS);
  const took = performance.now() - start;
  if (!done) throw new Error(`the ${type} request was not processed`);
  return took;
}

/** The baseline: the rows the gather found, read again by their primary keys, one SELECT per table. */
async function byPrimaryKey(db: Kysely<Database>, found: Found): Promise<number> {
  const ids = new Map<string, string[]>();
  // Opt-outs and suppressions are shown by organisation, not by a key of their own.
  for (const item of Object.values(found).flat()) if (!['sms_opt_outs', 'newsletter_suppressions'].includes(item.table)) ids.set(item.table, [...(ids.get(item.table) ?? []), item.id]);
  const start = performance.now();
  for (const [name, keys] of ids) await sql`SELECT * FROM ${sql.table(name)} WHERE id = ANY(${keys})`.execute(db);
  return performance.now() - start;
}

interface Times {
  access: number[];
  gather: number[];
  primaryKey: number[];
  erasure: number[];
  found: number;
  left: number;
}

/** RUNS times: the person seeded, an access request, the gather alone, the PK baseline, an erasure; what is left found after. */
async function measure(db: Kysely<Database>, orgs: readonly string[]): Promise<Times> {
  const times: Times = { access: [], gather: [], primaryKey: [], erasure: [], found: 0, left: 0 };
  const subject = subjectOf({ email: PERSON.email, phone: PERSON.phone, name: null }, SETTINGS.suppressionKey);
  for (let run = 0; run < RUNS; run++) {
    await seedThePerson(db, orgs);
    times.access.push(await timedRequest(db, 'access'));
    const start = performance.now();
    const found = await findEverywhere(db, subject);
    times.gather.push(performance.now() - start);
    times.found = itemCount(found);
    times.primaryKey.push(await byPrimaryKey(db, found));
    times.erasure.push(await timedRequest(db, 'erasure'));
    // Kept after an erasure: P8 invoice lines (restricted), opt-out and suppression hashes (P12), the requests' hashes.
    const after = await findEverywhere(db, subject);
    times.left = Object.entries(after)
      .filter(([category]) => !['tem.invoice-lines', 'sms.opt-outs', 'newsletter.suppressions'].includes(category))
      .reduce((a, [, items]) => a + items.length, 0);
  }
  return times;
}

/** Every statement of every family's find and erase, under EXPLAIN (ANALYZE); returns the sequential scans of big tables. */
async function explainAll(url: string, db: Kysely<Database>, orgs: readonly string[]): Promise<Explained[]> {
  await seedThePerson(db, orgs);
  const subject = subjectOf({ email: PERSON.email, phone: PERSON.phone, name: null }, SETTINGS.suppressionKey);
  const explaining = explainingDb(url);
  try {
    for (const { family, reach } of privacyReaches()) {
      explaining.during(`${family}: access (find)`);
      await reach.find(explaining.db, subject);
    }
    for (const { family, reach } of privacyReaches()) {
      explaining.during(`${family}: erasure`);
      await explaining.db.transaction().execute((trx) => reach.erase(trx, subject));
    }
  } finally {
    await explaining.db.destroy();
  }
  return explaining.plans;
}

async function bigTables(db: Kysely<Database>): Promise<Map<string, number>> {
  const rows = await sql<{ name: string; rows: number }>`SELECT relname AS name, reltuples::bigint AS rows FROM pg_class WHERE relkind IN ('r', 'p') AND relnamespace = 'public'::regnamespace`.execute(db);
  return new Map(rows.rows.filter((r) => Number(r.rows) > SEQ_LIMIT).map((r) => [r.name, Number(r.rows)]));
}

function printPlans(plans: readonly Explained[], big: ReadonlyMap<string, number>): string[] {
  const warnings: string[] = [];
  let label = '';
  for (const p of plans) {
    if (p.label !== label) console.log(`\n== ${(label = p.label)}`);
    console.log(`-- ${p.sql.replace(/\s+/g, ' ').slice(0, 220)}`);
    for (const line of p.plan) console.log(`   ${line}`);
    for (const line of p.plan) {
      const table = /Seq Scan on (\w+)/.exec(line)?.[1];
      if (table && big.has(table)) warnings.push(`${p.label}: Seq Scan on ${table} (${big.get(table)?.toLocaleString('en')} rows): ${p.sql.replace(/\s+/g, ' ').slice(0, 120)}`);
    }
  }
  return warnings;
}

export async function privacyBench(): Promise<void> {
  await scratch({ adminUrl: ADMIN_URL, database: DB_NAME, redisUrl: REDIS_URL, prefix: PREFIX, children: [] }).run(async () => {
    const url = databaseUrl(DB_NAME);
    const db = createDb(url, { max: 2 });
    try {
      const loadBefore = load();
      await migrateToLatest(db);
      await makePartitions(db);
      const orgs = await seedOrganizations(db, SIZE.organizations);
      const empty = await measure(db, orgs);

      console.log(`\nPrivacy: seeding ${SIZE.smsMessages.toLocaleString('en')} SMS messages, ${SIZE.callRecords.toLocaleString('en')} call records, ${SIZE.subscribers.toLocaleString('en')} subscribers over ${SIZE.organizations} organisations`);
      const seedStart = performance.now();
      await seedBulk(db, SIZE, (line) => console.log(line));
      console.log(`  in all ${((performance.now() - seedStart) / 1000).toFixed(0)} s`);
      const counts = await sql<{ sms: number; calls: number; subscribers: number; deliveries: number; consents: number }>`
        SELECT (SELECT count(*) FROM sms_messages)::int AS sms, (SELECT count(*) FROM call_records)::int AS calls, (SELECT count(*) FROM newsletter_subscribers)::int AS subscribers,
               (SELECT count(*) FROM newsletter_deliveries)::int AS deliveries, (SELECT count(*) FROM newsletter_consents)::int AS consents`.execute(db);
      const seeded = await measure(db, orgs);
      const plans = await explainAll(url, db, orgs);
      const warnings = printPlans(plans, await bigTables(db));
      const loadAfter = load();

      const c = counts.rows[0];
      console.log(`\nPrivacy requests: ${c?.sms.toLocaleString('en')} SMS messages, ${c?.calls.toLocaleString('en')} call records, ${c?.subscribers.toLocaleString('en')} subscribers (${c?.consents.toLocaleString('en')} consents, ${c?.deliveries.toLocaleString('en')} deliveries);`);
      console.log(`the person in ${PERSON_ORGS} of ${SIZE.organizations} organisations, ${seeded.found} rows found by the gather; ${RUNS} runs each (min–max); load average ${loadBefore} before, ${loadAfter} after`);
      const verdict = (xs: number[]) => `< ${TARGET_MS / 1000} s: ${Math.max(...xs) < TARGET_MS ? 'met' : 'missed'}`;
      table([
        ['measure', 'seeded', 'same job, before the bulk', 'the same rows by primary key', 'target'],
        ['access (privacy.process)', spread(seeded.access), spread(empty.access), spread(seeded.primaryKey), verdict(seeded.access)],
        ['  of which the gather', spread(seeded.gather), spread(empty.gather), '', ''],
        ['erasure (privacy.process)', spread(seeded.erasure), spread(empty.erasure), '', verdict(seeded.erasure)],
      ]);
      console.log(`left after each erasure, outside the kept categories (P8 lines, P12 hashes): ${seeded.left} rows`);
      console.log(warnings.length === 0 ? `every lookup by an index: no sequential scan of a table of more than ${SEQ_LIMIT.toLocaleString('en')} rows in ${plans.length} plans` : `sequential scans of big tables:\n  ${warnings.join('\n  ')}`);
    } finally {
      await db.destroy();
    }
  });
}
