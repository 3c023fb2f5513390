// COPY ... FROM STDIN text format: tab-separated, \N for null, backslash escapes.
import type { Canonical } from './normalise.js';

export const CALL_RECORD_COLUMNS = [
  'organization_id', 'upload_id', 'line', 'msisdn', 'user_name', 'started_at', 'call_type', 'direction', 'destination', 'destination_masked',
  'duration_s', 'billed_s', 'volume_bytes', 'bundle', 'amount', 'currency', 'vat_rate', 'roaming', 'visited_network', 'cost_centre_hint',
] as const;

const SPECIAL = /[\\\t\n\r]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

const text = (value: string | null) => (value === null ? '\\N' : SPECIAL.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c] ?? c) : value);
const num = (value: number | string | null) => (value === null ? '\\N' : String(value));

/** One call record as a COPY line; started_at is local time, read under TimeZone Europe/Amsterdam. */
export function copyLine(organizationId: string, uploadId: string, r: Canonical & { startLocal: string }): string {
  return [
    organizationId, uploadId, r.line, text(r.msisdn), text(r.userName), r.startLocal, r.type, num(r.direction), text(r.destination), r.destinationMasked ? 't' : 'f',
    num(r.durationS), num(r.billedS), num(r.volumeBytes), num(r.bundle), r.amount, r.currency, num(r.vatRate), r.roaming ? 't' : 'f', text(r.visitedNetwork), text(r.costCentreHint),
  ].join('\t') + '\n';
}
