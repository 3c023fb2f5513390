// A slice of a streamed (CSV) batch, validated on a pool thread and handed back as the COPY
// lines of its messages in one byte buffer, with what the main thread still decides per
// message (duplicates, opt-outs, totals) in typed arrays. So the web process holds no object
// or string per recipient while Postgres stores the slice: a 1,000,000-row upload otherwise
// left some 200 MB of them to be collected between major GCs (issue 16).
import { copyText } from '../core/copy-text.js';
import { compilePrices, fromUnits, type PriceTable } from './pricing.js';
import { validateSlice, type RecipientInput, type Rejection } from './validate.js';

/** The columns of sms_messages each COPY line gives, in order. */
export const COPY_COLUMNS = 'batch_id, organization_id, seq, channel, phone, email, fields, text, destination, encoding, segments, cost, status';

export interface CopySliceInput {
  readonly body: string;
  readonly firstSeq: number;
  readonly recipients: readonly RecipientInput[];
  readonly batchId: string;
  readonly organizationId: string;
  readonly prices: PriceTable;
}

export interface CopySlice {
  /** One COPY line per message, status queued. */
  readonly copy: Uint8Array;
  /** Per message: where its line ends in `copy`, and where its cost column starts. */
  readonly ends: Uint32Array;
  readonly costAt: Uint32Array;
  readonly seqs: Uint32Array;
  /** The E.164 number without '+' as a number; 0 for an e-mail-only message. */
  readonly phones: Float64Array;
  /** The addresses of the e-mail-only messages, in order. */
  readonly emails: string[];
  readonly segments: Uint8Array;
  /** 1 where the text is UCS-2. */
  readonly ucs2: Uint8Array;
  /** The price in units (pricing.ts) if sent. */
  readonly units: Float64Array;
  readonly rejections: Rejection[];
}

/** The tail of a line for a message suppressed by an opt-out: no cost. */
export const SUPPRESSED_TAIL = `${fromUnits(0)}\tsuppressed\n`;

/**
 * `into`, when given and large enough, receives the COPY lines (the caller's shared buffer, so
 * nothing is allocated or copied per slice); otherwise they get a buffer of their own.
 */
export function copySlice(input: CopySliceInput, into: SharedArrayBuffer | null = null): CopySlice {
  const { messages, rejections } = validateSlice(input);
  const priceOf = compilePrices(input.prices);
  const prefix = `${input.batchId}\t${input.organizationId}\t`;
  const n = messages.length;
  const heads: string[] = new Array<string>(n);
  const tails: string[] = new Array<string>(n);
  const slice = {
    ends: new Uint32Array(n),
    costAt: new Uint32Array(n),
    seqs: new Uint32Array(n),
    phones: new Float64Array(n),
    emails: [] as string[],
    segments: new Uint8Array(n),
    ucs2: new Uint8Array(n),
    units: new Float64Array(n),
  };
  let bytes = 0;
  messages.forEach((m, i) => {
    const units = m.phone ? m.segments * priceOf(m.phone) : 0;
    const head = `${prefix}${m.seq}\t${m.channel}\t${copyText(m.phone)}\t${copyText(m.email)}\t${copyText(m.fieldsJson)}\t${copyText(m.text)}\t${copyText(m.destination)}\t${m.encoding}\t${m.segments}\t`;
    const tail = `${fromUnits(units)}\tqueued\n`;
    heads[i] = head;
    tails[i] = tail;
    bytes += Buffer.byteLength(head);
    slice.costAt[i] = bytes;
    bytes += Buffer.byteLength(tail);
    slice.ends[i] = bytes;
    slice.seqs[i] = m.seq;
    slice.phones[i] = m.phone ? Number(m.phone.slice(1)) : 0;
    if (!m.phone) slice.emails.push(m.email ?? '');
    slice.segments[i] = m.segments;
    slice.ucs2[i] = m.encoding === 'ucs2' ? 1 : 0;
    slice.units[i] = units;
  });
  const copy = into !== null && into.byteLength >= bytes ? Buffer.from(into, 0, bytes) : Buffer.allocUnsafe(bytes);
  let at = 0;
  for (let i = 0; i < n; i++) {
    at += copy.write(heads[i] ?? '', at);
    at += copy.write(tails[i] ?? '', at);
  }
  return { ...slice, copy, rejections };
}
