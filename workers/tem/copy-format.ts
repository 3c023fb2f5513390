// COPY ... FROM STDIN text format: tab-separated, \N for null, backslash escapes.
import { copyText } from '../core/copy-text.js';
import type { Canonical } from './normalise.js';

export const CALL_RECORD_COLUMNS = [
  'organization_id', 'upload_id', 'line', 'msisdn', 'user_name', 'started_at', 'call_type', 'direction', 'destination', 'destination_masked',
  'duration_s', 'billed_s', 'volume_bytes', 'bundle', 'amount', 'currency', 'vat_rate', 'roaming', 'visited_network', 'cost_centre_hint',
] as const;

const num = (value: number | string | null) => (value === null ? '\\N' : String(value));

/**
 * One call record as a COPY line, written straight into one string (no array per row);
 * `prefix` is the upload's `organization_id\tupload_id\t`. started_at is local time, read
 * under TimeZone Europe/Amsterdam.
 */
export function copyLine(prefix: string, r: Canonical, startLocal: string): string {
  return `${prefix}${r.line}\t${copyText(r.msisdn)}\t${copyText(r.userName)}\t${startLocal}\t${r.type}\t${num(r.direction)}\t${copyText(r.destination)}\t${r.destinationMasked ? 't' : 'f'}\t${num(r.durationS)}\t${num(r.billedS)}\t${num(r.volumeBytes)}\t${num(r.bundle)}\t${r.amount}\t${r.currency}\t${num(r.vatRate)}\t${r.roaming ? 't' : 'f'}\t${copyText(r.visitedNetwork)}\t${copyText(r.costCentreHint)}\n`;
}

export const copyPrefix = (organizationId: string, uploadId: string) => `${organizationId}\t${uploadId}\t`;

/**
 * COPY lines written straight into buffers of about `bytes` each, handed on as they fill: no
 * long string of lines is built (it outlived the young generation and cost the parse its GC).
 */
export class CopyBuffers {
  private buffer: Buffer;
  private used = 0;
  private readonly full: Buffer[] = [];

  constructor(private readonly bytes: number) {
    this.buffer = Buffer.allocUnsafe(bytes);
  }

  add(line: string): void {
    // A UTF-8 character takes at most 3 bytes per UTF-16 unit.
    if (this.used + line.length * 3 > this.bytes) {
      this.seal();
      if (line.length * 3 > this.bytes) {
        this.full.push(Buffer.from(line));
        return;
      }
    }
    this.used += this.buffer.write(line, this.used);
  }

  /** The buffers filled so far (and, with `all`, the one being filled); each is handed out once. */
  take(all = false): Buffer[] {
    if (all) this.seal();
    return this.full.splice(0);
  }

  private seal(): void {
    if (this.used === 0) return;
    this.full.push(this.buffer.subarray(0, this.used));
    this.buffer = Buffer.allocUnsafe(this.bytes);
    this.used = 0;
  }
}
