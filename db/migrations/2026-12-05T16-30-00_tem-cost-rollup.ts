// Issue 17: the cost report reads a monthly rollup instead of aggregating a month of call records
// on every request. tem_cost_rollup holds, per organisation, month, source (call records or
// period charges), number, call type, currency and carrier cost-centre hint, the exact sum and
// count of the rows stored. It is kept in the transactions that change those rows:
// - a CDR parse adds its upload's call records when the upload turns `parsed` (a trigger on
//   tem_uploads: a trigger on the COPY itself would make Postgres copy into the partitioned
//   table row by row, 1.8 times slower measured), so a worker of the release before keeps it too;
// - inserted, updated and deleted period charges, and updated and deleted call records (the
//   retention purge, an erasure, an upload's deletion, cascades) by statement-level triggers
//   over the transition tables: one aggregate per statement;
// - a dropped partition by workers/tem/cost-rollup.ts, called in the drop's transaction.
// A deletion only lowers rows that exist (never makes a negative one) and a row that reaches no
// records goes. tem_report_changes gets a row for each organisation whose report inputs a
// statement changed (the rollup, subscriptions, cost centres, e-invoices and their lines), in the
// same transaction, only ever inserted so writers never wait on each other: the sum per
// organisation is the version a cached report is checked against (workers/tem/report-version.ts).
import { sql, type Kysely, type RawBuilder } from 'kysely';

const KEY = ['organization_id', 'month', 'source', 'msisdn', 'call_type', 'currency', 'cost_centre_hint'];
const keyMatch = (a: string, b: string) => sql.raw(KEY.map((c) => (c === 'cost_centre_hint' ? `${a}.${c} IS NOT DISTINCT FROM ${b}.${c}` : `${a}.${c} = ${b}.${c}`)).join(' AND '));
const keyList = sql.raw(KEY.join(', '));

/** Applies signed rows (`sign` +1 or -1) to the rollup: summed per key, rows ordered by key so concurrent writers lock in one order. */
function applyDelta(signed: RawBuilder<unknown>): RawBuilder<unknown> {
  const delta = sql`SELECT ${keyList}, sum(sign * amount) AS amount, sum(sign)::bigint AS records, max(retain_from) AS retain_from
      FROM (${signed}) s GROUP BY ${keyList} HAVING sum(sign) <> 0 OR sum(sign * amount) <> 0`;
  return sql`
    INSERT INTO tem_cost_rollup AS r (${keyList}, amount, records, retain_from)
    SELECT * FROM (${delta}) d
     WHERE d.records > 0 OR EXISTS (SELECT 1 FROM tem_cost_rollup x WHERE ${keyMatch('x', 'd')})
     ORDER BY ${keyList}
    ON CONFLICT ON CONSTRAINT tem_cost_rollup_key DO UPDATE
      SET amount = r.amount + EXCLUDED.amount, records = r.records + EXCLUDED.records, retain_from = greatest(r.retain_from, EXCLUDED.retain_from);
    DELETE FROM tem_cost_rollup r USING (${delta}) d WHERE d.records < 0 AND ${keyMatch('r', 'd')} AND r.records <= 0;`;
}

/** One table's rows as rollup rows: its month, source and retention clock. */
interface Source {
  readonly table: string;
  readonly source: 'call' | 'charge';
  readonly month: string;
  readonly retainFrom: string;
}
const CALLS: Source = { table: 'call_records', source: 'call', month: "date_trunc('month', started_at AT TIME ZONE 'Europe/Amsterdam')::date", retainFrom: 'started_at' };
const CHARGES: Source = { table: 'tem_period_charges', source: 'charge', month: "date_trunc('month', period_start)::date", retainFrom: "(period_end + 1)::timestamp AT TIME ZONE 'Europe/Amsterdam'" };

const rowsOf = (s: Source, from: string, sign: number) =>
  sql.raw(`SELECT organization_id, ${s.month} AS month, '${s.source}'::text AS source, msisdn, call_type, currency, cost_centre_hint, amount, ${s.retainFrom} AS retain_from, ${sign} AS sign FROM ${from}`);

function rollupFunction(s: Source): RawBuilder<unknown> {
  return sql`
    CREATE FUNCTION ${sql.raw(`tem_cost_rollup_${s.table}`)}() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        ${applyDelta(rowsOf(s, 'new_rows', 1))}
      ELSIF TG_OP = 'UPDATE' THEN
        ${applyDelta(sql`${rowsOf(s, 'new_rows', 1)} UNION ALL ${rowsOf(s, 'old_rows', -1)}`)}
      ELSE
        ${applyDelta(rowsOf(s, 'old_rows', -1))}
      END IF;
      RETURN NULL;
    END $fn$`;
}

const statementTrigger = (name: string, op: 'INSERT' | 'UPDATE' | 'DELETE', table: string, fn: string) => {
  const transition = op === 'INSERT' ? 'NEW TABLE AS new_rows' : op === 'UPDATE' ? 'OLD TABLE AS old_rows NEW TABLE AS new_rows' : 'OLD TABLE AS old_rows';
  return sql.raw(`CREATE TRIGGER ${name} AFTER ${op} ON ${table} REFERENCING ${transition} FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`);
};

/** Tables whose changes change a report, and the statements watched (e-invoice lines arrive with their invoice, whose insert is watched: a transition table on their COPY would hold every line again). */
const WATCHED: Record<string, readonly ('INSERT' | 'UPDATE' | 'DELETE')[]> = {
  tem_cost_rollup: ['INSERT', 'UPDATE', 'DELETE'],
  tem_subscriptions: ['INSERT', 'UPDATE', 'DELETE'],
  tem_cost_centres: ['INSERT', 'UPDATE', 'DELETE'],
  einvoices: ['INSERT', 'UPDATE', 'DELETE'],
  einvoice_lines: ['UPDATE', 'DELETE'],
};

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE tem_cost_rollup (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      month date NOT NULL,
      source text NOT NULL CHECK (source IN ('call', 'charge')),
      msisdn text NOT NULL,
      call_type text NOT NULL,
      currency text NOT NULL,
      cost_centre_hint text,
      amount numeric NOT NULL,
      records bigint NOT NULL,
      retain_from timestamptz NOT NULL,
      CONSTRAINT tem_cost_rollup_key UNIQUE NULLS NOT DISTINCT (organization_id, month, source, msisdn, call_type, currency, cost_centre_hint)
    )`.execute(db);
  await sql`CREATE INDEX tem_cost_rollup_retain_idx ON tem_cost_rollup (retain_from)`.execute(db);
  await sql`CREATE INDEX tem_cost_rollup_msisdn_idx ON tem_cost_rollup (msisdn)`.execute(db);
  await sql`
    CREATE TABLE tem_report_changes (
      organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      n bigint NOT NULL DEFAULT 1
    )`.execute(db);
  await sql`CREATE INDEX tem_report_changes_org_idx ON tem_report_changes (organization_id)`.execute(db);

  for (const s of [CALLS, CHARGES]) await rollupFunction(s).execute(db);
  for (const op of ['INSERT', 'UPDATE', 'DELETE'] as const) await statementTrigger(`tem_period_charges_rollup_${op.toLowerCase()}`, op, 'tem_period_charges', 'tem_cost_rollup_tem_period_charges').execute(db);
  for (const op of ['UPDATE', 'DELETE'] as const) await statementTrigger(`call_records_rollup_${op.toLowerCase()}`, op, 'call_records', 'tem_cost_rollup_call_records').execute(db);
  // An upload's call records are only ever stored by its parse, in the transaction that marks it parsed.
  await sql`
    CREATE FUNCTION tem_cost_rollup_parsed_upload() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      ${applyDelta(sql`${rowsOf(CALLS, 'call_records', 1)} WHERE upload_id = NEW.id AND organization_id = NEW.organization_id`)}
      RETURN NULL;
    END $fn$`.execute(db);
  await sql`
    CREATE TRIGGER tem_uploads_rollup_parsed AFTER UPDATE OF status ON tem_uploads
    FOR EACH ROW WHEN (NEW.status = 'parsed' AND OLD.status <> 'parsed' AND NEW.kind = 'cdr') EXECUTE FUNCTION tem_cost_rollup_parsed_upload()`.execute(db);

  // An organisation being deleted (its rows cascading) gets no row: its reports are gone with it.
  await sql`
    CREATE FUNCTION tem_report_changed() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        INSERT INTO tem_report_changes (organization_id) SELECT DISTINCT c.organization_id FROM new_rows c WHERE EXISTS (SELECT 1 FROM organizations o WHERE o.id = c.organization_id);
      ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO tem_report_changes (organization_id) SELECT c.organization_id FROM (SELECT organization_id FROM new_rows UNION SELECT organization_id FROM old_rows) c WHERE EXISTS (SELECT 1 FROM organizations o WHERE o.id = c.organization_id);
      ELSE
        INSERT INTO tem_report_changes (organization_id) SELECT DISTINCT c.organization_id FROM old_rows c WHERE EXISTS (SELECT 1 FROM organizations o WHERE o.id = c.organization_id);
      END IF;
      RETURN NULL;
    END $fn$`.execute(db);
  for (const [table, ops] of Object.entries(WATCHED)) {
    for (const op of ops) await statementTrigger(`${table}_report_changed_${op.toLowerCase()}`, op, table, 'tem_report_changed').execute(db);
  }

  // The rollup of what is stored already; parses still running wait for the triggers above (they lock the tables).
  await sql`INSERT INTO tem_cost_rollup (${keyList}, amount, records, retain_from)
    SELECT ${keyList}, sum(amount), count(*), max(retain_from) FROM (${rowsOf(CALLS, 'call_records', 1)} UNION ALL ${rowsOf(CHARGES, 'tem_period_charges', 1)}) s
    GROUP BY ${keyList}`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const [table, ops] of Object.entries(WATCHED)) {
    for (const op of ops) await sql.raw(`DROP TRIGGER ${table}_report_changed_${op.toLowerCase()} ON ${table}`).execute(db);
  }
  await sql`DROP TRIGGER tem_uploads_rollup_parsed ON tem_uploads`.execute(db);
  for (const op of ['insert', 'update', 'delete']) await sql.raw(`DROP TRIGGER tem_period_charges_rollup_${op} ON tem_period_charges`).execute(db);
  for (const op of ['update', 'delete']) await sql.raw(`DROP TRIGGER call_records_rollup_${op} ON call_records`).execute(db);
  for (const fn of ['tem_report_changed', 'tem_cost_rollup_parsed_upload', 'tem_cost_rollup_call_records', 'tem_cost_rollup_tem_period_charges']) await sql.raw(`DROP FUNCTION ${fn}()`).execute(db);
  await sql`DROP TABLE tem_report_changes`.execute(db);
  await sql`DROP TABLE tem_cost_rollup`.execute(db);
}
