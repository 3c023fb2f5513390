// The send path's statements alone (claimWindow, writeOutcomes with every part's receipt riding
// along, as in the smpp bench, and each chunk's closing statements: the claim past its last
// window, the rescan from its start where the variant makes it, the batch's reads of the job's
// start and end, markChunkDone and completeBatchIfDone), on one connection, in chunks of BENCH_SQL_CHUNK (1,000, as the platform
// makes them), with the CPU of its Postgres backend per 1,000 messages for each variant, the
// variants in turns (BENCH_SQL_ROUNDS rounds of BENCH_SQL_MESSAGES messages each; choose them by
// name with BENCH_SQL_VARIANTS, separated by commas without a space). A scratch database (BENCH_SQL_DATABASE),
// dropped at the end. BENCH_SQL_EXPLAIN=true prints the closing statements' plans once;
// BENCH_SQL_AUTO_EXPLAIN=true has the server log one window's claim and outcome (below);
// BENCH_SQL_PLANS=true prints, after each round, how often the named statements were planned
// generic and custom (pg_prepared_statements).
//   node --import tsx bench/smpp-sql.ts
import { sql } from 'kysely';
import { createDb } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { batchStatus, claimWindow, completeBatchIfDone, findBatchToSend, markChunkDone, writeOutcomes, type MessageOutcome } from '../workers/sms/store.js';
import { readFileSync } from 'node:fs';
import { admin as adminOn } from './lib/scratch.js';
import { ADMIN_URL, databaseUrl } from './lib/platform.js';

const DB_NAME = process.env.BENCH_SQL_DATABASE ?? 'tgg_bench_smpp_sql';
const MESSAGES = Number(process.env.BENCH_SQL_MESSAGES ?? 40_000);
const ROUNDS = Number(process.env.BENCH_SQL_ROUNDS ?? 2);
const WINDOW = 200;
const CHUNK = Number(process.env.BENCH_SQL_CHUNK ?? 1_000);
const EXPLAIN = process.env.BENCH_SQL_EXPLAIN === 'true';
/** BENCH_SQL_AUTO_EXPLAIN=true has Postgres log (auto_explain, in its server log) the plans of one window's claim and outcome, with their triggers, buffers and WAL. */
const AUTO_EXPLAIN = process.env.BENCH_SQL_AUTO_EXPLAIN === 'true';
const PLANS = process.env.BENCH_SQL_PLANS === 'true';

/** Each variant: SQL run before its round (the schema it measures). */
const FK = 'ALTER TABLE sms_message_parts DROP CONSTRAINT IF EXISTS sms_message_parts_message_id_fkey; ALTER TABLE sms_message_parts ADD CONSTRAINT sms_message_parts_message_id_fkey FOREIGN KEY (message_id) REFERENCES sms_messages(id) ON DELETE CASCADE';
const NO_FK = 'ALTER TABLE sms_message_parts DROP CONSTRAINT IF EXISTS sms_message_parts_message_id_fkey';
const COUNTS_KEY =
  'ALTER TABLE sms_batch_counts DROP CONSTRAINT IF EXISTS sms_batch_counts_batch_id_fkey; ALTER TABLE sms_batch_counts ADD CONSTRAINT sms_batch_counts_batch_id_fkey FOREIGN KEY (batch_id) REFERENCES sms_batches(id) ON DELETE CASCADE';
const COUNTS_ON = `ALTER TABLE sms_messages ENABLE TRIGGER sms_messages_counts_update; ${COUNTS_KEY}; SELECT set_config('tgg.skip', 'off', false)`;
const PARTS_INDEX_ALL = 'DROP INDEX IF EXISTS sms_message_parts_waiting_idx; CREATE INDEX IF NOT EXISTS sms_message_parts_id_idx ON sms_message_parts (smsc_id)';
const PARTS_INDEX_WAITING =
  "DROP INDEX IF EXISTS sms_message_parts_id_idx; CREATE INDEX IF NOT EXISTS sms_message_parts_waiting_idx ON sms_message_parts (smsc_id) WHERE state IN ('submitted', 'unknown')";
/** The migrations' schema since 2026-12-07T01-00-00, the batch counts' trigger on. */
const SCHEMA = `${NO_FK}; ${COUNTS_ON}; ${PARTS_INDEX_WAITING}; ALTER TABLE sms_messages SET (fillfactor = 30)`;
const COUNTS_OFF = 'ALTER TABLE sms_messages DISABLE TRIGGER sms_messages_counts_update';
/**
 * The batch counts' function (migration 2026-12-05T11-10-00) with one line more, read from the
 * database and replaced: an update returns at once while the session's tgg.skip is 'on'. The
 * trigger still fires and its transition tables are still captured: what the claim and the
 * outcome would save by writing their own deltas, at most.
 */
const COUNTS_SKIPPABLE = `DO $do$ DECLARE def text; BEGIN
  def := pg_get_functiondef('sms_batch_counts_delta'::regproc);
  IF position('tgg.skip' in def) = 0 THEN
    EXECUTE regexp_replace(def, 'BEGIN', 'BEGIN IF TG_OP = ''UPDATE'' AND current_setting(''tgg.skip'', true) = ''on'' THEN RETURN NULL; END IF;');
  END IF;
END $do$`;
const SKIP = (on: boolean) => `SELECT set_config('tgg.skip', '${on ? 'on' : 'off'}', false)`;
/** rescan: after the claim past its last window, a chunk claims once more from its start (main before issue 16's seventh round). */
interface Variant {
  readonly setup: string;
  readonly rescan: boolean;
  /** A last window ending at the chunk's end is followed by no claim past it (issue 16, seventh round). */
  readonly skipPastEnd?: boolean;
  /** Messages a claim takes (WINDOW unless set). */
  readonly window?: number;
}
const ALL_VARIANTS: Record<string, Variant> = {
  fk: { setup: `${FK}; ALTER TABLE sms_messages RESET (fillfactor)`, rescan: true },
  'no-fk': { setup: `${NO_FK}; ALTER TABLE sms_messages RESET (fillfactor)`, rescan: true },
  'no-fk, fillfactor 70': { setup: `${NO_FK}; ALTER TABLE sms_messages SET (fillfactor = 70)`, rescan: true },
  'no-fk, fillfactor 50': { setup: `${NO_FK}; ALTER TABLE sms_messages SET (fillfactor = 50)`, rescan: true },
  // The schema of the migrations (no key, fillfactor 70); the close with and without the rescan.
  rescan: { setup: `${NO_FK}; ALTER TABLE sms_messages SET (fillfactor = 70)`, rescan: true },
  'no rescan': { setup: `${NO_FK}; ALTER TABLE sms_messages SET (fillfactor = 70)`, rescan: false },
  'no rescan, no claim past the end': { setup: `${NO_FK}; ALTER TABLE sms_messages SET (fillfactor = 70)`, rescan: false, skipPastEnd: true },
  // Eighth round: room for a row's three versions (30, the migrations'; 35) against 70, and the
  // batch counts' update trigger on ('counts'), without its foreign key, and off ('no counts', to weigh them).
  'fillfactor 70': { setup: `${NO_FK}; ${COUNTS_ON}; ALTER TABLE sms_messages SET (fillfactor = 70)`, rescan: false, skipPastEnd: true },
  'fillfactor 35': { setup: `${NO_FK}; ${COUNTS_ON}; ALTER TABLE sms_messages SET (fillfactor = 35)`, rescan: false, skipPastEnd: true },
  'fillfactor 30': { setup: `${NO_FK}; ${COUNTS_ON}; ALTER TABLE sms_messages SET (fillfactor = 30)`, rescan: false, skipPastEnd: true },
  counts: { setup: `${NO_FK}; ${COUNTS_ON}; ALTER TABLE sms_messages SET (fillfactor = 70)`, rescan: false, skipPastEnd: true },
  'fillfactor 30, counts without key': { setup: `${NO_FK}; ${COUNTS_ON}; ALTER TABLE sms_batch_counts DROP CONSTRAINT sms_batch_counts_batch_id_fkey; ALTER TABLE sms_messages SET (fillfactor = 30)`, rescan: false, skipPastEnd: true },
  'fillfactor 30, no counts': { setup: `${NO_FK}; ALTER TABLE sms_messages DISABLE TRIGGER sms_messages_counts_update; ALTER TABLE sms_messages SET (fillfactor = 30)`, rescan: false, skipPastEnd: true },
  // Ninth round: the parts' smsc_id index only over the parts still waiting for a receipt
  // (those inserted with their receipt, as in this bench, get no entry; the migrations' since
  // 2026-12-07T01-00-00), against the whole index and none; and the batch counts' trigger weighed again.
  'parts index, all': { setup: `${NO_FK}; ${COUNTS_ON}; ${PARTS_INDEX_ALL}; ALTER TABLE sms_messages SET (fillfactor = 30)`, rescan: false, skipPastEnd: true },
  'parts index, waiting': { setup: `${NO_FK}; ${COUNTS_ON}; ${PARTS_INDEX_WAITING}; ALTER TABLE sms_messages SET (fillfactor = 30)`, rescan: false, skipPastEnd: true },
  'parts index, waiting, no counts': { setup: `${NO_FK}; ${PARTS_INDEX_WAITING}; ALTER TABLE sms_messages DISABLE TRIGGER sms_messages_counts_update; ALTER TABLE sms_messages SET (fillfactor = 30)`, rescan: false, skipPastEnd: true },
  'counts fired, returning at once': { setup: `${NO_FK}; ${COUNTS_ON}; ${COUNTS_SKIPPABLE}; ${SKIP(true)}; ${PARTS_INDEX_WAITING}; ALTER TABLE sms_messages SET (fillfactor = 30)`, rescan: false, skipPastEnd: true },
  'parts index, none': { setup: `${NO_FK}; ${COUNTS_ON}; DROP INDEX IF EXISTS sms_message_parts_id_idx; DROP INDEX IF EXISTS sms_message_parts_waiting_idx; ALTER TABLE sms_messages SET (fillfactor = 30)`, rescan: false, skipPastEnd: true },
  // Issue 16, twelfth round: the migrations' schema (2026-12-07T01-00-00) with windows of 200 to
  // 1,000 (a window is two committed statements), and the batch counts' trigger weighed again.
  'window 200': { setup: SCHEMA, rescan: false, skipPastEnd: true },
  'window 400': { setup: SCHEMA, rescan: false, skipPastEnd: true, window: 400 },
  'window 500': { setup: SCHEMA, rescan: false, skipPastEnd: true, window: 500 },
  'window 1000': { setup: SCHEMA, rescan: false, skipPastEnd: true, window: 1000 },
  'window 200, counts without key': { setup: `${SCHEMA}; ALTER TABLE sms_batch_counts DROP CONSTRAINT sms_batch_counts_batch_id_fkey`, rescan: false, skipPastEnd: true },
  'window 200, no counts': { setup: `${SCHEMA}; ${COUNTS_OFF}`, rescan: false, skipPastEnd: true },
  'window 500, no counts': { setup: `${SCHEMA}; ${COUNTS_OFF}`, rescan: false, skipPastEnd: true, window: 500 },
  // Issue 16, fourth Postgres round: the counts' foreign key weighed at windows of 500.
  'window 500, counts without key': { setup: `${SCHEMA}; ALTER TABLE sms_batch_counts DROP CONSTRAINT sms_batch_counts_batch_id_fkey`, rescan: false, skipPastEnd: true, window: 500 },
  'no counts': { setup: `${NO_FK}; ALTER TABLE sms_messages DISABLE TRIGGER sms_messages_counts_update; ALTER TABLE sms_messages SET (fillfactor = 70)`, rescan: false, skipPastEnd: true },
};
const CHOSEN = (process.env.BENCH_SQL_VARIANTS ?? 'rescan,no rescan,no rescan, no claim past the end').split(/,(?! )/);
const VARIANTS = Object.entries(ALL_VARIANTS).filter(([name]) => CHOSEN.includes(name));

/** A chunk's statements besides its windows, as send-chunk.ts runs them (no callback URL: no transaction). */
async function closeChunk(batchId: string, chunk: number, range: { from: number; to: number }, cursor: number, variant: Variant): Promise<void> {
  if (!(variant.skipPastEnd && cursor >= range.to) && (await claimWindow(db, { batchId, from: cursor, to: range.to, size: variant.window ?? WINDOW })).messages.length > 0) {
    throw new Error('claimed past the last window');
  }
  if (variant.rescan && (await claimWindow(db, { batchId, from: range.from, to: range.to, size: variant.window ?? WINDOW })).messages.length > 0) throw new Error('claimed in the rescan');
  // The job's read of its batch at its start, and the look for a cancel after its last window (since issue 16's fourth Postgres round).
  if (!(await findBatchToSend(db, batchId)) || (await batchStatus(db, batchId)) === 'cancelled') throw new Error('batch gone or cancelled');
  const open = await markChunkDone(db, batchId, { chunk, ...range });
  if (open !== 'done') throw new Error(`chunk ${chunk} ${open}`);
  await completeBatchIfDone(db, batchId);
}

/** The plans of the rescan's pick and of markChunkDone's read, on a chunk just sent (its messages' statistics analysed). */
async function explainClose(batchId: string, range: { from: number; to: number }): Promise<void> {
  await sql`ANALYZE sms_messages`.execute(db);
  const where = sql`batch_id = ${batchId} AND seq >= ${range.from} AND seq < ${range.to}`;
  const plans = {
    'rescan pick': sql`EXPLAIN (ANALYZE, BUFFERS) SELECT id FROM sms_messages WHERE ${where} AND status = 'queued' ORDER BY seq LIMIT ${WINDOW} FOR UPDATE SKIP LOCKED`,
    'markChunkDone open': sql`EXPLAIN (ANALYZE, BUFFERS) SELECT status FROM sms_messages WHERE ${where} AND status IN ('queued', 'sending') ORDER BY status <> 'queued' LIMIT 1`,
  };
  for (const [name, query] of Object.entries(plans)) {
    const { rows } = await query.execute(db);
    console.log(`${name}:\n${rows.map((r) => `  ${String(Object.values(r as object)[0])}`).join('\n')}`);
  }
}

/**
 * CPU seconds the backend has been on a CPU (its schedstat, in nanoseconds: one process, one
 * thread): /proc's stat counts in 10 ms ticks, coarser than a chunk's closing statements.
 */
function cpuSeconds(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e9;
}

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
  const totals = new Map<string, { claim: number[]; outcome: number[]; close: number[] }>();
  let explained = !EXPLAIN;
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, variant] of round % 2 === 0 ? VARIANTS : [...VARIANTS].reverse()) {
      await sql.raw(variant.setup).execute(db);
      const before = await tableStats();
      const { id: batchId } = await db.insertInto('sms_batches').values({ organization_id: organizationId, status: 'sending', sender: 'TGG', body: 'Hallo {{naam}}', chunk_size: CHUNK }).returning('id').executeTakeFirstOrThrow();
      const chunks = Math.ceil(MESSAGES / CHUNK);
      await sql`INSERT INTO sms_chunks (batch_id, chunk) SELECT ${batchId}, c FROM generate_series(0, ${chunks - 1}) c`.execute(db);
      await sql`INSERT INTO sms_messages (batch_id, organization_id, seq, channel, phone, fields, text, destination, encoding, segments, cost, status)
        SELECT ${batchId}, ${organizationId}, seq, 'sms', '+3161' || lpad(seq::text, 7, '0'), jsonb_build_object('naam', 'Klant ' || seq),
               'Beste Klant ' || seq || ', uw afspraak staat morgen om 10:00. Tot dan! Met vriendelijke groet, TGG', '3161' || lpad(seq::text, 7, '0'), 'gsm7', 1, 0.075, 'queued'
        FROM generate_series(0, ${MESSAGES - 1}) seq`.execute(db);
      await sql`VACUUM ANALYZE sms_messages`.execute(db);
      let claimCpu = 0;
      let outcomeCpu = 0;
      let closeCpu = 0;
      let smsc = round * 10_000_000;
      for (let chunk = 0; chunk < chunks; chunk++) {
      const range = { from: chunk * CHUNK, to: Math.min(MESSAGES, (chunk + 1) * CHUNK) };
      for (let from = range.from; ; ) {
        let before = cpuSeconds(pid);
        if (from >= range.to) {
          // The chunk's close, as send-chunk.ts makes it (the claim past the last window is empty).
          await closeChunk(batchId, chunk, range, from, variant);
          closeCpu += cpuSeconds(pid) - before;
          break;
        }
        const explaining = AUTO_EXPLAIN && round === 0 && chunk === 5 && from === range.from;
        if (explaining) {
          await sql.raw(`LOAD 'auto_explain'; SET auto_explain.log_min_duration = 0; SET auto_explain.log_analyze = on; SET auto_explain.log_buffers = on; SET auto_explain.log_wal = on; SET auto_explain.log_triggers = on; SET auto_explain.log_nested_statements = on; SET auto_explain.log_timing = on`).execute(db);
          before = cpuSeconds(pid);
        }
        const window = await claimWindow(db, { batchId, from, to: range.to, size: variant.window ?? WINDOW });
        claimCpu += cpuSeconds(pid) - before;
        if (window.messages.length === 0) throw new Error('a window short of its chunk');
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
        if (explaining) await sql.raw('SET auto_explain.log_min_duration = -1').execute(db);
        if (!explained && from >= range.to) {
          explained = true;
          await explainClose(batchId, range);
        }
      }
      }
      const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM sms_messages WHERE batch_id = ${batchId} AND status = 'delivered'`.execute(db);
      if (Number(rows[0]?.n) !== MESSAGES) throw new Error(`${rows[0]?.n} of ${MESSAGES} delivered`);
      if (PLANS) {
        const { rows: plans } = await sql<{ name: string; generic_plans: string; custom_plans: string }>`SELECT name, generic_plans, custom_plans FROM pg_prepared_statements`.execute(db);
        for (const p of plans) console.log(`  ${p.name}: planned generic ${p.generic_plans}, custom ${p.custom_plans} times`);
      }
      const after = await tableStats();
      const hot = (100 * (after.hot - before.hot)) / Math.max(1, after.updates - before.updates);
      const bytes = (after.bytes - before.bytes) / MESSAGES;
      const perThousand = (s: number) => (1000 * s) / (MESSAGES / 1000);
      const entry = totals.get(name) ?? { claim: [], outcome: [], close: [] };
      entry.claim.push(perThousand(claimCpu));
      entry.outcome.push(perThousand(outcomeCpu));
      entry.close.push(perThousand(closeCpu));
      totals.set(name, entry);
      console.log(
        `round ${round + 1}, ${name}: Postgres CPU per 1,000 messages: claim ${perThousand(claimCpu).toFixed(1)} ms + outcome ${perThousand(outcomeCpu).toFixed(1)} ms + close ${perThousand(closeCpu).toFixed(1)} ms = ${perThousand(claimCpu + outcomeCpu + closeCpu).toFixed(1)} ms; ${hot.toFixed(0)} % of the message updates HOT; sms_messages grew ${bytes.toFixed(0)} bytes a message`,
      );
    }
  }
  const list = (v: number[]) => v.map((x) => x.toFixed(1)).join(', ');
  for (const [name, t] of totals) console.log(`${name}: claim ${list(t.claim)}; outcome ${list(t.outcome)}; close ${list(t.close)}; total ${list(t.claim.map((c, i) => c + t.outcome[i]! + t.close[i]!))}`);
} finally {
  await db.destroy();
  await admin(`DROP DATABASE IF EXISTS ${DB_NAME}`);
}
