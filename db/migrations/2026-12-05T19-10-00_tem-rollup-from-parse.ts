// Issue 17, follow-up: a CDR parse sums its own call records into tem_cost_rollup while it reads
// the file and writes the sums in the transaction that turns its upload `parsed`
// (workers/tem/call-rollup.ts): the aggregate over all the upload's rows at the end of the parse
// (the trigger tem_uploads_rollup_parsed of 2026-12-05T16-30-00_tem-cost-rollup) made the parse
// of 1,000,000 rows 1.95 times a plain COPY, from 1.45-1.60.
// - The trigger stays for a parse of the release before only. The release phase migrates before
//   new processes start, and a worker of the release before may still finish a parse during the
//   rolling deploy: its rows would be in no rollup without the trigger. A parse of this release
//   says it summed its calls (set_config('tgg.cost_rollup_written', 'on', true), local to its
//   transaction) and the trigger's WHEN skips it: it costs this release's parses nothing. The
//   next release's migration drops the trigger and its function.
// - Call records stored other than by a parse (seeds, test helpers, a repair) get into the rollup
//   with tem_cost_rollup_recompute_calls(organisation, month): the organisation's call rows of
//   that month (Amsterdam time) in the rollup recomputed from call_records. It locks the rollup
//   against writers (SHARE ROW EXCLUSIVE) until its transaction ends, so a parse or a deletion
//   committing meanwhile is either in the rows it reads or adds its own change after it.
//   Every other path (charges, updated and deleted call records, a dropped partition) is unchanged.
import { sql, type Kysely } from 'kysely';

const TRIGGER = sql.raw(`CREATE TRIGGER tem_uploads_rollup_parsed AFTER UPDATE OF status ON tem_uploads FOR EACH ROW`);
const OLD_WHEN = sql.raw(`NEW.status = 'parsed' AND OLD.status <> 'parsed' AND NEW.kind = 'cdr'`);

export async function up(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER tem_uploads_rollup_parsed ON tem_uploads`.execute(db);
  await sql`${TRIGGER} WHEN (${OLD_WHEN} AND current_setting('tgg.cost_rollup_written', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION tem_cost_rollup_parsed_upload()`.execute(db);
  await sql`
    CREATE FUNCTION tem_cost_rollup_recompute_calls(organization uuid, day date) RETURNS void LANGUAGE plpgsql AS $fn$
    DECLARE
      month_start date := date_trunc('month', day)::date;
    BEGIN
      LOCK TABLE tem_cost_rollup IN SHARE ROW EXCLUSIVE MODE;
      DELETE FROM tem_cost_rollup WHERE organization_id = organization AND month = month_start AND source = 'call';
      INSERT INTO tem_cost_rollup (organization_id, month, source, msisdn, call_type, currency, cost_centre_hint, amount, records, retain_from)
      SELECT organization, month_start, 'call', c.msisdn, c.call_type, c.currency, c.cost_centre_hint, sum(c.amount), count(*), max(c.started_at)
        FROM call_records c
       WHERE c.organization_id = organization
         AND c.started_at >= month_start::timestamp AT TIME ZONE 'Europe/Amsterdam'
         AND c.started_at < (month_start + interval '1 month') AT TIME ZONE 'Europe/Amsterdam'
       GROUP BY c.msisdn, c.call_type, c.currency, c.cost_centre_hint
       ORDER BY c.msisdn, c.call_type, c.currency, c.cost_centre_hint;
    END $fn$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP FUNCTION tem_cost_rollup_recompute_calls(uuid, date)`.execute(db);
  await sql`DROP TRIGGER tem_uploads_rollup_parsed ON tem_uploads`.execute(db);
  await sql`${TRIGGER} WHEN (${OLD_WHEN}) EXECUTE FUNCTION tem_cost_rollup_parsed_upload()`.execute(db);
}
