// Helpers for the TEM tests: upload a file as a member's system would, wait for its parse.
import type { Runtime } from '../../workers/runtime.js';
import { waitFor } from './context.js';
import { baseUrl } from './http.js';
import type { Answer, Call } from './identity.js';

export interface Upload {
  id: string;
  status: string;
  rowsStored: number;
  rowsRefused: number;
  errors: { line: number | null; code: string; column?: string; message?: string }[];
  periodStart: string | null;
  periodEnd: string | null;
  sha256: string;
}

/** POSTs the bytes as the raw body (text/csv unless told). */
export async function uploadRaw(runtime: Runtime, key: string, body: Uint8Array | string, contentType = 'text/csv'): Promise<Answer<Upload>> {
  const response = await fetch(`${baseUrl(runtime)}/v1/invoices/uploads`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': contentType }, body });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Upload };
}

/** Waits until the upload's parse has ended (parsed, rejected or failed). */
export function finished(call: Call, key: string, id: string, timeoutMs = 90_000): Promise<Upload> {
  return waitFor(async () => {
    const answer = await call<Upload>('get', `/v1/invoices/uploads/${id}`, { auth: key });
    return ['parsed', 'rejected', 'failed'].includes(answer.body.status) ? answer.body : undefined;
  }, `upload ${id} parsed`, timeoutMs);
}

/** The local time of the current month's day `day` in dd-mm-yyyy, for files inside the retention window. */
export function thisMonth(day: number, monthsBack = 0): string {
  const now = new Date();
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - monthsBack, day));
  return `${String(d.getUTCDate()).padStart(2, '0')}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${d.getUTCFullYear()}`;
}

/** One call of callsFile: its line (the header is line 1), number as stored (E.164), cents and local start time. */
export interface CallLine {
  readonly line: number;
  readonly msisdn: string;
  readonly cents: number;
  readonly start: string;
}

/** The calls of callsFile(rows, tag), each with its own minute so that every line is one record. */
export function callLines(rows: number, tag: number): CallLine[] {
  return Array.from({ length: rows }, (_, i) => {
    const time = `${String(i % 24).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:${String(tag).padStart(2, '0')}`;
    return { line: i + 2, msisdn: `+316123${String(i % 100_000).padStart(5, '0')}`, cents: i % 100, start: `${thisMonth(1 + (i % 20))} ${time}` };
  });
}

/** A call-detail file (generic layout, `;`, decimal comma, CRLF) of `rows` calls. */
export function callsFile(rows: number, tag: number): string {
  const lines = ['Mobiel nummer;Datum;Starttijd;Verkeerssoort;Bedrag;Kostenplaats'];
  for (const c of callLines(rows, tag)) {
    const [date, time] = c.start.split(' ');
    lines.push(`06${c.msisdn.slice(4)};${date};${time};Spraak;0,${String(c.cents).padStart(2, '0')};KP-${(c.line - 2) % 7}`);
  }
  return lines.join('\r\n');
}
