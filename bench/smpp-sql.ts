// The send path's statements alone (claimWindow, writeOutcomes with every part's receipt riding
// along, as in the smpp bench), on one connection, with the CPU of its Postgres backend per
// 1,000 messages for each schema variant, the variants in turns (BENCH_SQL_ROUNDS rounds of
// BENCH_SQL_MESSAGES messages each). A scratch database (BENCH_SQL_DATABASE), dropped at the end.
//   node --import tsx bench/smpp-sql.ts
import { sql } from 'kysely';
import { createDb } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { claimWindow, writeOutcomes, type MessageOutcome } from '../workers/sms/store.js';
import { cpuSeconds } from './lib/cpu.js';
import { admin as adminOn } from './lib/scratch.js';
import { ADMIN_URL, databaseUrl } from './lib/platform.js';

const DB_NAME = process.env.BENCH_SQL_DATABASE ?? 'tgg_bench_smpp_sql';
const MESSAGES = Number(process.env.BENCH_SQL_MESSAGES ?? 40_000);
const ROUNDS = Number(process.env.BENCH_SQL_ROUNDS ?? 2);
const WINDOW = 200;

/** Each variant: SQL run before its round (the schema it measures). */
const FK = 'ALTER TABLE sms_message_parts DROP CONSTRAINT IF EXISTS sms_message_parts_message_id_fkey; ALTER TABLE sms_message_parts ADD CONSTRAINT sms_message_parts_message_id_fkey FOREIGN KEY (message_id) REFERENCES sms_messages(id) ON DELETE CASCADE';
const NO_FK = 'ALTER TABLE sms_message_parts DROP CONSTRAINT IF EXISTS sms_message_parts_message_id_fkey';
const ALL_VARIANTS: Record<string, string> = {
  fk: `${FK}; ALTER TABLE sms_messages RESET (fillfactor)`,
  'no-fk': `${NO_FK}; ALTER TABLE sms_messages RESET (fillfactor)`,
  'no-fk, fillfactor 70': `${NO_FK}; ALTER TABLE sms_messages SET (fillfactor = 70)`,
  'no-fk, fillfactor 50': `${NO_FK}; ALTER TABLE sms_messages SET (fillfactor = 50)`,
};
const VARIANTS = Object.entries(ALL_VARIANTS).filter(([name]) => !process.env.BENCH_SQL_VARIANTS || process.env.BENCH_SQL_VARIANTS.split(',').includes(name));

const admin = (query: string) => adminOn(ADMIN_URL, (client) => client.query(query));

/** sms_messages' size and its updates so far (the statistics are flushed about once a second). */
async function tableStats(): Promise<{ bytes: number; updates: number; hot: number }> {
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  await sql`SELECT pg_stat_clear_snapshot()`.execute(db);
  const { rows } = await sql<{ bytes: string; updates: string; hot: string }>`
    SELECT pg_relation_size('sms_messages') AS bytes, n_tup_upd AS updates, n_tup_hot_upd AS hot FROM pg_stat_user_tables WHERE relname = 'sms_messages'`.execute(db);
  return { bytes: Number(rows[0]?.bytes), updates: Number(rows[0]?.updates), hot: Number(rows[0]?.hot) };
}

await admin(`DROP DATABASE IF EXISTS ${DB_NAME}`);
await admin(`CREATE DATABASE ${DB_NAME}`);
const db = createDb(databaseUrl(DB_NAME), { max: 1 });
try {
  await migrateToLatest(db);
  const { id: organizationId } = await db.insertInto('organizations').values({ name: 'SQL bench', slug: 'sql-bench' }).returning('id').executeTakeFirstOrThrow();
  const pid = (await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(db)).rows[0]!.pid;
  const totals = new Map<string, { claim: number[]; outcome: number[] }>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, setup] of round % 2 === 0 ? VARIANTS : [...VARIANTS].reverse()) {
      await sql.raw(setup).execute(db);
      const before = await tableStats();
      const { id: batchId } = await db.insertInto('sms_batches').values({ organization_id: organizationId, status: 'sending', sender: 'TGG', body: 'Hallo {{naam}}', chunk_size: MESSAGES }).returning('id').executeTakeFirstOrThrow();
      await sql`INSERT INTO sms_messages (batch_id, organization_id, seq, channel, phone, fields, text, destination, encoding, segments, cost, status)
        SELECT ${batchId}, ${organizationId}, seq, 'sms', '+3161' || lpad(seq::text, 7, '0'), jsonb_build_object('naam', 'Klant ' || seq),
               'Beste Klant ' || seq || ', uw afspraak staat morgen om 10:00. Tot dan! Met vriendelijke groet, TGG', '3161' || lpad(seq::text, 7, '0'), 'gsm7', 1, 0.075, 'queued'
        FROM generate_series(0, ${MESSAGES - 1}) seq`.execute(db);
      await sql`VACUUM ANALYZE sms_messages`.execute(db);
      let claimCpu = 0;
      let outcomeCpu = 0;
      let smsc = round * 10_000_000;
      for (let from = 0; ; ) {
        let before = cpuSeconds(pid);
        const window = await claimWindow(db, { batchId, from, to: MESSAGES, size: WINDOW });
        claimCpu += cpuSeconds(pid) - before;
        if (window.messages.length === 0) break;
        from = window.lastSeq + 1;
        const doneAt = new Date();
        const outcomes: MessageOutcome[] = window.messages.map((m) => ({
          id: m.id,
          status: 'sent',
          providerMessageId: String(++smsc),
          errorCode: null,
          parts: [{ part: 1, smscId: String(smsc), state: 'delivered', networkError: undefined, doneAt }],
        }));
        before = cpuSeconds(pid);
        await writeOutcomes(db, window.claimId, outcomes);
        outcomeCpu += cpuSeconds(pid) - before;
      }
      const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM sms_messages WHERE batch_id = ${batchId} AND status = 'delivered'`.execute(db);
      if (Number(rows[0]?.n) !== MESSAGES) throw new Error(`${rows[0]?.n} of ${MESSAGES} delivered`);
      const after = await tableStats();
      const hot = (100 * (after.hot - before.hot)) / Math.max(1, after.updates - before.updates);
      const bytes = (after.bytes - before.bytes) / MESSAGES;
      const perThousand = (s: number) => (1000 * s) / (MESSAGES / 1000);
      const entry = totals.get(name) ?? { claim: [], outcome: [] };
      entry.claim.push(perThousand(claimCpu));
      entry.outcome.push(perThousand(outcomeCpu));
      totals.set(name, entry);
      console.log(`round ${round + 1}, ${name}: Postgres CPU per 1,000 messages: claim ${perThousand(claimCpu).toFixed(1)} ms + outcome ${perThousand(outcomeCpu).toFixed(1)} ms = ${perThousand(claimCpu + outcomeCpu).toFixed(1)} ms; ${hot.toFixed(0)} % of the message updates HOT; sms_messages grew ${bytes.toFixed(0)} bytes a message`);
    }
  }
  for (const [name, t] of totals) console.log(`${name}: claim ${t.claim.map((v) => v.toFixed(1)).join(', ')}; outcome ${t.outcome.map((v) => v.toFixed(1)).join(', ')}`);
} finally {
  await db.destroy();
  await admin(`DROP DATABASE IF EXISTS ${DB_NAME}`);
}
