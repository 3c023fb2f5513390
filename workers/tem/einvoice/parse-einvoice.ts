// The parse of one e-invoice upload in one transaction, like the CDR parse: the file streamed
// through saxes, lines written as COPY text into buffers as they close (memory bounded by a
// buffer or two and the header), then the invoice with its findings, the upload's counts and
// the raw file's deletion.
// A refused document (a DOCTYPE, malformed XML, no number or no line, the same invoice again) leaves nothing.
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { TemUploadError } from '../../../db/schema.js';
import { openConnection } from '../../../db/database.js';
import type { Deps } from '../../core/deps.js';
import { CopyBuffers } from '../copy-format.js';
import { lockParsingUpload, type ParseOutcome } from '../parse-transaction.js';
import { openRawFile } from '../raw-file.js';
import { markRestrictedSubscriptions } from '../restricted.js';
import { profileNamed, type Profile } from '../profile.js';
import { lineAllocator } from './allocation.js';
import { calculationFindings, currencyFindings, decimalFindings, invoiceCurrency, mandatoryFindings, overTwoDecimals } from './checks.js';
import { RunningSum, isDecimal } from './decimal.js';
import { LINE_COLUMNS, copyRow, insertInvoice, supplierKey, type Target } from './insert.js';
import { syntaxOf } from './kind.js';
import { readerOf, isLine } from './readers.js';
import type { InvoiceLine } from './model.js';
import { XmlProblem } from './xml-problem.js';
import { readXml, type XmlNode } from './xml-stream.js';

/** COPY text is handed on in pieces of about this many bytes. */
const BYTES_PER_WRITE = 256 * 1024;
export const MAX_INVOICE_LINES = 1_000_000;

interface Claimed {
  readonly id: string;
  readonly organization_id: string;
  readonly profile: string | null;
  /** The charset the sender named; the document's BOM and declaration must agree with it. */
  readonly charset: string | null;
}

const DECIMAL_FIELDS = ['quantity', 'amount', 'price'] as const;

function checked(line: InvoiceLine): InvoiceLine {
  for (const field of DECIMAL_FIELDS) {
    const value = line[field];
    if (value !== null && !isDecimal(value)) throw new XmlProblem('not-a-decimal', `line ${line.lineId ?? '?'}: its ${field} is not a decimal`);
  }
  return line;
}

async function readInvoice(client: pg.Client, deps: Deps, target: Target, profile: Profile, charset: string | null, signal: AbortSignal) {
  const allocate = lineAllocator(profile);
  const prefix = `${target.invoiceId}\t${target.organizationId}\t`;
  // Each line is written into COPY buffers as it closes, so its strings (and the chunk text they are sliced from) die young.
  const out = new CopyBuffers(BYTES_PER_WRITE);
  let count = 0;
  const lineSum = new RunningSum();
  let missingAmounts = 0;
  const manyDecimals = { count: 0, first: null as string | null };
  /** currencyID of the lines' net amounts → lines (CII states the invoice currency after its lines). */
  const lineCurrencies = new Map<string, number>();
  // The buffers go to Postgres while the file streams; waiting for 'drain' keeps about one in memory.
  const rows = new PassThrough();
  const copied = pipeline(rows, client.query(copyFrom(`COPY einvoice_lines (${LINE_COLUMNS.join(', ')}) FROM STDIN`)));
  copied.catch(() => undefined);
  const flush = async (all = false) => {
    for (const buffer of out.take(all)) if (!rows.write(buffer)) await Promise.race([once(rows, 'drain'), copied]);
  };
  let root: XmlNode;
  const raw = openRawFile(deps.config, target.uploadId, signal);
  try {
    root = await readXml(raw, {
      detach: isLine,
      onDetached: (node: XmlNode) => {
        const line = checked(readerOf(node).line(node));
        if (count >= MAX_INVOICE_LINES) throw new XmlProblem('too-many-lines', `more than ${MAX_INVOICE_LINES} invoice lines`);
        if (line.amount === null) missingAmounts += 1;
        else lineSum.add(line.amount);
        if (line.amount !== null && overTwoDecimals(line.amount)) {
          manyDecimals.count += 1;
          manyDecimals.first ??= line.amount;
        }
        const currency = line.amountCurrency;
        // A few currencies are told apart; a file naming more is flagged by those.
        if (currency !== null && (lineCurrencies.size < 10 || lineCurrencies.has(currency))) lineCurrencies.set(currency, (lineCurrencies.get(currency) ?? 0) + 1);
        out.add(copyRow(prefix, count, line, allocate(line)));
        count += 1;
      },
      skipText: (node) => node.local === 'EmbeddedDocumentBinaryObject' || node.local === 'AttachmentBinaryObject',
      afterChunk: () => flush(),
      charset,
    });
    await flush(true);
    rows.end();
    await copied;
  } catch (error) {
    // The COPY is failed (CopyFail) so the transaction can be rolled back.
    rows.destroy(error as Error);
    await copied.catch(() => undefined);
    throw error;
  } finally {
    await raw.close();
  }
  syntaxOf(root);
  const read = readerOf(root).header(root);
  const header = { ...read, currency: invoiceCurrency(read.currency) };
  // A total Postgres would take but is no amount ('NaN', 'Infinity' are numeric values to it).
  for (const [field, value] of Object.entries(header.totals) as [string, string | null][]) {
    if (value !== null && !isDecimal(value)) throw new XmlProblem('not-a-decimal', `the invoice's ${field} is not a decimal`);
  }
  const findings = [...mandatoryFindings(header), ...calculationFindings(header, lineSum.value), ...currencyFindings(read, lineCurrencies), ...decimalFindings(header, manyDecimals)];
  if (missingAmounts > 0) findings.push({ rule: 'BR-24', message: `${missingAmounts} invoice line(s) without a net amount (BT-131)`, expected: null, found: null });
  return { header, count, findings };
}

const rejected = (errors: TemUploadError[]): ParseOutcome => ({ kind: 'rejected', refused: 0, errors });

export async function parseEinvoiceInTransaction(deps: Deps, upload: Claimed, signal: AbortSignal): Promise<ParseOutcome> {
  // Bounded as every connection is (openConnection): a Postgres gone silent fails the parse, and the job is retried.
  const client = await openConnection(deps.config, 'tgg-tem-einvoice');
  try {
    await client.query('BEGIN');
    if (!(await lockParsingUpload(client, upload.id))) return { kind: 'skipped' };
    const target: Target = { invoiceId: randomUUID(), organizationId: upload.organization_id, uploadId: upload.id };
    let read;
    try {
      read = await readInvoice(client, deps, target, profileNamed(upload.profile), upload.charset, signal);
    } catch (error) {
      if (!(error instanceof XmlProblem)) throw error;
      await client.query('ROLLBACK');
      return rejected([{ line: null, code: error.code, message: error.message }]);
    }
    const { header, count, findings } = read;
    if (!header.number) {
      await client.query('ROLLBACK');
      return rejected([{ line: null, code: 'no-invoice-number', message: 'the invoice has no number (BT-1)' }]);
    }
    if (count === 0) {
      await client.query('ROLLBACK');
      return rejected([{ line: null, code: 'no-invoice-lines', message: 'the invoice has no invoice line; EN 16931 needs at least one (BR-16, BG-25)' }]);
    }
    // The issue date starts the retention clock (retain_from, the next 1 January): a typo of a year
    // far ahead (9999, 2062) would keep the lines' subscription numbers for ever.
    const ahead = await client.query<{ ahead: boolean }>("SELECT $1::date > current_date + interval '1 year' AS ahead", [header.issueDate ?? '-infinity']);
    if (ahead.rows[0]?.ahead) {
      await client.query('ROLLBACK');
      return rejected([{ line: null, code: 'implausible-date', message: 'the issue date (BT-2) is more than a year ahead' }]);
    }
    const first = await client.query<{ id: string }>('SELECT id FROM einvoices WHERE organization_id = $1 AND supplier_key = $2 AND number = $3', [upload.organization_id, supplierKey(header), header.number]);
    if (first.rows[0]) {
      await client.query('ROLLBACK');
      return rejected([{ line: null, code: 'duplicate-invoice', message: `this supplier's invoice ${header.number} was stored before: invoice ${first.rows[0].id}` }]);
    }
    await insertInvoice(client, target, header, count, findings);
    // The numbers lines bill become subscriptions too, so they can be given a cost centre.
    const billed = await client.query<{ msisdn: string }>(
      `INSERT INTO tem_subscriptions (organization_id, msisdn)
       SELECT DISTINCT organization_id, subscription_ref FROM einvoice_lines WHERE invoice_id = $1 AND subscription_ref IS NOT NULL
       ON CONFLICT (organization_id, msisdn) DO UPDATE SET last_seen_at = now()
       RETURNING msisdn`,
      [target.invoiceId],
    );
    await markRestrictedSubscriptions(client, upload.organization_id, billed.rows.map((r) => r.msisdn), deps.config.suppressionKey);
    const dropRaw = !deps.config.tem.keepRaw;
    await client.query(
      `UPDATE tem_uploads SET status = 'parsed', rows_stored = $2, rows_refused = 0, errors = '[]', period_start = $3, period_end = $4,
         finished_at = now(), raw_deleted_at = CASE WHEN $5 THEN now() END WHERE id = $1`,
      [upload.id, count, header.periodStart ?? header.issueDate, header.periodEnd ?? header.issueDate, dropRaw],
    );
    if (dropRaw) await client.query('DELETE FROM tem_upload_chunks WHERE upload_id = $1', [upload.id]);
    await client.query('COMMIT');
    return { kind: 'parsed', stored: count, refused: 0 };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.close();
  }
}
