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
