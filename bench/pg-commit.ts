// What one committed statement costs a Postgres backend in CPU, against the same statement with
// no WAL flush at its commit (synchronous_commit off for this measurement only: the platform
// never runs so) and against `SELECT 1` (a round trip). On this machine's virtual disk the flush
// (fdatasync) cost ~0.2 ms of backend CPU, several times the statement's own work: issue 16's
// twelfth round, why the SMS send path claims 500 messages a window rather than 200. A scratch
// database (BENCH_COMMIT_DATABASE), dropped at the end; BENCH_COMMIT_STATEMENTS per case and round.
//   node --import tsx bench/pg-commit.ts
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { createDb } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { admin as adminOn } from './lib/scratch.js';
import { ADMIN_URL, databaseUrl } from './lib/platform.js';

const DB_NAME = process.env.BENCH_COMMIT_DATABASE ?? 'tgg_bench_pg_commit';
const STATEMENTS = Number(process.env.BENCH_COMMIT_STATEMENTS ?? 1_000);
const ROUNDS = Number(process.env.BENCH_COMMIT_ROUNDS ?? 3);

const admin = (query: string) => adminOn(ADMIN_URL, (client) => client.query(query));
/** The backend's time on a CPU in µs (its schedstat: one process, one thread). */
const cpuMicros = (pid: number) => Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e3;

await admin(`DROP DATABASE IF EXISTS ${DB_NAME}`);
await admin(`CREATE DATABASE ${DB_NAME}`);
const client = new pg.Client({ connectionString: databaseUrl(DB_NAME) });
try {
  const db = createDb(databaseUrl(DB_NAME), { max: 1 });
  await migrateToLatest(db);
  await db.destroy();
  await client.connect();
  const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  const org = (await client.query<{ id: string }>("INSERT INTO organizations (name, slug) VALUES ('Commit bench', 'commit-bench') RETURNING id")).rows[0]!.id;
  const batch = (await client.query<{ id: string }>("INSERT INTO sms_batches (organization_id, status, sender, body, chunk_size) VALUES ($1, 'sending', 'TGG', 'Hallo', 1000) RETURNING id", [org])).rows[0]!.id;
  const message = (
    await client.query<{ id: string }>(
      `INSERT INTO sms_messages (batch_id, organization_id, seq, channel, phone, text, destination, encoding, segments, cost, status)
       VALUES ($1, $2, 0, 'sms', '+31612345678', 'Hallo', '31612345678', 'gsm7', 1, 0.075, 'sent') RETURNING id`,
      [batch, org],
    )
  ).rows[0]!.id;
  // Each a named statement, as the send path's are: planned once.
  const update = { name: 'update', text: 'UPDATE sms_messages SET error_code = NULL WHERE id = $1', values: [message] };
  const cases: Record<string, { readonly synchronous: boolean; readonly query: pg.QueryConfig }> = {
    'SELECT 1': { synchronous: true, query: { name: 'select', text: 'SELECT 1' } },
    'one-row update, committed': { synchronous: true, query: update },
    'one-row update, no flush at commit': { synchronous: false, query: update },
  };
  const totals = new Map<string, number[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, { synchronous, query }] of round % 2 === 0 ? Object.entries(cases) : Object.entries(cases).reverse()) {
      await client.query(`SET synchronous_commit = ${synchronous ? 'on' : 'off'}`);
      for (let i = 0; i < 20; i++) await client.query(query);
      const before = cpuMicros(pid);
      for (let i = 0; i < STATEMENTS; i++) await client.query(query);
      const micros = (cpuMicros(pid) - before) / STATEMENTS;
      totals.set(name, [...(totals.get(name) ?? []), micros]);
      await client.query('VACUUM sms_messages');
    }
  }
  for (const [name, list] of totals) console.log(`${name}: ${list.map((m) => m.toFixed(0)).join(', ')} µs of backend CPU a statement`);
} finally {
  await client.end();
  await admin(`DROP DATABASE IF EXISTS ${DB_NAME}`);
}
