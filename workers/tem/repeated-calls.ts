// The same calls in two uploads: a carrier's export downloaded again (other bytes: a generation
// date in it, a column more) or a month exported again after its first half. Only a
// byte-identical file is told by its SHA-256 (uploads.ts); any other was stored again and its
// calls counted twice by the cost report. A call is the same when its number, start (to the
// second), type, destination and amount are; a period charge when its number, period, type and
// amount are. Within one file such repeats are kept (two texts to one number in one second).
import type pg from 'pg';
import type { CdrTally } from './cdr-file.js';

export interface Repeated {
  /** The earlier upload holding most of them. */
  readonly uploadId: string;
  /** Rows of this upload also stored by that one. */
  readonly rows: number;
}

/**
 * Inside the parse's transaction, after its rows are written (TimeZone Europe/Amsterdam): the
 * earlier upload holding the most of this upload's calls and charges, or null. The calls are
 * compared only when another parsed upload of the organisation has its latest call at or after
 * this one's earliest (its retain_from): the export of a new month reads a few upload rows.
 * Two parses of one organisation take turns from here to their commit (a transaction-level
 * advisory lock), so two files with the same calls parsed at once do not both get in.
 */
export async function repeatedRows(client: pg.Client, organizationId: string, uploadId: string, tally: CdrTally): Promise<Repeated | null> {
  await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('tem-repeated-calls:' || $1, 0))`, [organizationId]);
  const span = tally.earliestCall !== null && tally.latestCall !== null ? [tally.earliestCall, tally.latestCall] : null;
  const { rows } = await client.query<{ upload_id: string; n: number }>(
    `WITH calls AS (
       -- One read of the organisation's calls in the span, grouped by what makes a call the same:
       -- the groups holding calls of this upload and of another. (A join probing by time met every
       -- call of the same second: 40 s for two files of 100,000 calls at 120 distinct times.)
       SELECT other AS upload_id
         FROM (SELECT array_agg(upload_id) FILTER (WHERE upload_id <> $2) AS others
                 FROM call_records
                WHERE $3::timestamptz IS NOT NULL AND organization_id = $1 AND started_at BETWEEN $3 AND $4
                  -- Another parsed upload whose calls may reach into the span: else nothing to compare.
                  AND EXISTS (SELECT 1 FROM tem_uploads u WHERE u.organization_id = $1 AND u.id <> $2 AND u.kind = 'cdr' AND u.status = 'parsed' AND u.retain_from >= $3::timestamptz)
                GROUP BY started_at, msisdn, call_type, amount, destination
               HAVING bool_or(upload_id = $2) AND bool_or(upload_id <> $2)) g
         CROSS JOIN LATERAL unnest(g.others) other
     ), charges AS (
       SELECT o.upload_id
         FROM tem_period_charges n
         JOIN tem_period_charges o ON o.organization_id = $1 AND o.msisdn = n.msisdn AND o.period_start = n.period_start AND o.period_end = n.period_end
                                  AND o.call_type = n.call_type AND o.amount = n.amount AND o.upload_id <> $2
        WHERE n.organization_id = $1 AND n.upload_id = $2
     )
     SELECT upload_id, count(*)::int AS n FROM (SELECT * FROM calls UNION ALL SELECT * FROM charges) r GROUP BY upload_id ORDER BY n DESC, upload_id LIMIT 1`,
    [organizationId, uploadId, span?.[0] ?? null, span?.[1] ?? null],
  );
  const row = rows[0];
  return row ? { uploadId: row.upload_id, rows: row.n } : null;
}
