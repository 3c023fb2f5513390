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

/**
 * One call record as a COPY line, written straight into one string (no array per row);
 * `prefix` is the upload's `organization_id\tupload_id\t`. started_at is local time, read
 * under TimeZone Europe/Amsterdam.
 */
export function copyLine(prefix: string, r: Canonical, startLocal: string): string {
  return `${prefix}${r.line}\t${text(r.msisdn)}\t${text(r.userName)}\t${startLocal}\t${r.type}\t${num(r.direction)}\t${text(r.destination)}\t${r.destinationMasked ? 't' : 'f'}\t${num(r.durationS)}\t${num(r.billedS)}\t${num(r.volumeBytes)}\t${num(r.bundle)}\t${r.amount}\t${r.currency}\t${num(r.vatRate)}\t${r.roaming ? 't' : 'f'}\t${text(r.visitedNetwork)}\t${text(r.costCentreHint)}\n`;
}

export const copyPrefix = (organizationId: string, uploadId: string) => `${organizationId}\t${uploadId}\t`;
