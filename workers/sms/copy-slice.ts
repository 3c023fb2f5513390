// A slice of a streamed (CSV) batch, validated on a pool thread and handed back as the COPY
// lines of its messages in one byte buffer, with what the main thread still decides per
// message (duplicates, opt-outs, totals) in typed arrays. So the web process holds no object
// or string per recipient while Postgres stores the slice: a 1,000,000-row upload otherwise
// left some 200 MB of them to be collected between major GCs (issue 16).
import { copyText } from '../core/copy-text.js';
import { suppressionHash } from '../newsletter/suppression.js';
import { phoneHash } from './phone-hash.js';
import { compilePrices, fromUnits, type PriceTable } from './pricing.js';
import { validateSlice, type RecipientInput, type Rejection } from './validate.js';

/** The columns of sms_messages each COPY line gives, in order. */
export const COPY_COLUMNS = 'batch_id, organization_id, seq, channel, phone, email, fields, text, destination, encoding, segments, phone_hash, email_hash, cost, status';

/**
 * Which keyed hashes (SUPPRESSION_KEY) a slice's thread makes: the numbers' when the batch's
 * organisation has an opt-out or the platform a restriction, the addresses' when the platform
 * has a restriction (create-batch.ts decides before the batch's first slice). Written into the
 * lines (phone_hash, email_hash) and handed back for the intake's own lookups, which then hash
 * nothing; none without (the usual case while nothing is to be checked).
 */
export interface Hashing {
  readonly key: string;
  readonly phones: boolean;
  readonly emails: boolean;
}

/** Bytes of one keyed hash (HMAC-SHA-256). */
export const HASH_BYTES = 32;

export interface CopySliceInput {
  readonly body: string;
  readonly firstSeq: number;
  readonly recipients: readonly RecipientInput[];
  readonly batchId: string;
  readonly organizationId: string;
  readonly prices: PriceTable;
  readonly hashing?: Hashing | undefined;
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
  /** The addresses of the messages that have one (`withEmail`), in order. */
  readonly emails: string[];
  /** 1 where the message has an address (every e-mail-only message, and a number's beside it). */
  readonly withEmail: Uint8Array;
  readonly segments: Uint8Array;
  /** 1 where the text is UCS-2. */
  readonly ucs2: Uint8Array;
  /** The price in units (pricing.ts) if sent. */
  readonly units: Float64Array;
  /** With `hashing`: HASH_BYTES per message, its number's hash (of a message with a number, when numbers are hashed) and its address's. */
  readonly phoneHashes: Uint8Array | null;
  readonly emailHashes: Uint8Array | null;
  readonly rejections: Rejection[];
}

/** The tail of a line for a message suppressed by an opt-out: no cost. */
export const SUPPRESSED_TAIL = `${fromUnits(0)}\tsuppressed\n`;

/** phones and units (8 bytes each), ends, costAt and seqs (4), segments, ucs2 and withEmail (1): as columnsOf lays them out. */
const BYTES_PER_MESSAGE = 8 + 8 + 4 + 4 + 4 + 1 + 1 + 1;
/** Bytes a slice of `n` messages takes for its per-message columns (8-byte aligned, so the COPY lines may follow). */
export const columnBytes = (n: number): number => Math.ceil((n * BYTES_PER_MESSAGE) / 8) * 8;

type Columns = Pick<CopySlice, 'ends' | 'costAt' | 'seqs' | 'phones' | 'segments' | 'ucs2' | 'withEmail' | 'units'>;

/** The per-message columns of `n` messages, laid out from the start of `into` (shared), or in buffers of their own. */
function columnsOf(n: number, into: SharedArrayBuffer | null): Columns {
  if (into === null || into.byteLength < columnBytes(n)) {
    return {
      ends: new Uint32Array(n),
      costAt: new Uint32Array(n),
      seqs: new Uint32Array(n),
      phones: new Float64Array(n),
      segments: new Uint8Array(n),
      ucs2: new Uint8Array(n),
      withEmail: new Uint8Array(n),
      units: new Float64Array(n),
    };
  }
  // 8-byte columns first, then 4-byte, then 1-byte: each starts aligned.
  return {
    phones: new Float64Array(into, 0, n),
    units: new Float64Array(into, 8 * n, n),
    ends: new Uint32Array(into, 16 * n, n),
    costAt: new Uint32Array(into, 20 * n, n),
    seqs: new Uint32Array(into, 24 * n, n),
    segments: new Uint8Array(into, 28 * n, n),
    ucs2: new Uint8Array(into, 29 * n, n),
    withEmail: new Uint8Array(into, 30 * n, n),
  };
}

/**
 * `into`, when given, receives the per-message columns and after them, when they fit, the COPY
 * lines: the caller's shared buffer, so nothing is allocated or copied per slice (the columns'
 * 300 KB per 10,000 messages, each in a buffer of its own, reached the main thread's old
 * generation and waited there for a major GC: some 30 MB of a 1,000,000-row upload, issue 16).
 * Lines that do not fit get a buffer of their own.
 */
export function copySlice(input: CopySliceInput, into: SharedArrayBuffer | null = null): CopySlice {
  const { messages, rejections } = validateSlice(input);
  const priceOf = compilePrices(input.prices);
  const prefix = `${input.batchId}\t${input.organizationId}\t`;
  const n = messages.length;
  const heads: string[] = new Array<string>(n);
  const tails: string[] = new Array<string>(n);
  const columns = columnsOf(n, into);
  const hashing = input.hashing;
  const phoneHashes = hashing?.phones ? new Uint8Array(n * HASH_BYTES) : null;
  const emailHashes = hashing?.emails ? new Uint8Array(n * HASH_BYTES) : null;
  const slice = { ...columns, emails: [] as string[], phoneHashes, emailHashes };
  /** A hash as COPY's text format takes a bytea (\\x and hex), kept at `i` of `into`. */
  const hashField = (hash: Buffer, into: Uint8Array, i: number) => {
    into.set(hash, i * HASH_BYTES);
    return `\\\\x${hash.toString('hex')}`;
  };
  let bytes = 0;
  messages.forEach((m, i) => {
    const units = m.phone ? m.segments * priceOf(m.phone) : 0;
    const phoneHashed = phoneHashes && hashing && m.phone ? hashField(phoneHash(hashing.key, m.phone), phoneHashes, i) : '\\N';
    const emailHashed = emailHashes && hashing && m.email ? hashField(suppressionHash(hashing.key, m.email), emailHashes, i) : '\\N';
    const head = `${prefix}${m.seq}\t${m.channel}\t${copyText(m.phone)}\t${copyText(m.email)}\t${copyText(m.fieldsJson)}\t${copyText(m.text)}\t${copyText(m.destination)}\t${m.encoding}\t${m.segments}\t${phoneHashed}\t${emailHashed}\t`;
    const tail = `${fromUnits(units)}\tqueued\n`;
    heads[i] = head;
    tails[i] = tail;
    bytes += Buffer.byteLength(head);
    slice.costAt[i] = bytes;
    bytes += Buffer.byteLength(tail);
    slice.ends[i] = bytes;
    slice.seqs[i] = m.seq;
    slice.phones[i] = m.phone ? Number(m.phone.slice(1)) : 0;
    slice.withEmail[i] = m.email !== null || !m.phone ? 1 : 0;
    if (slice.withEmail[i] === 1) slice.emails.push(m.email ?? '');
    slice.segments[i] = m.segments;
    slice.ucs2[i] = m.encoding === 'ucs2' ? 1 : 0;
    slice.units[i] = units;
  });
  const linesAt = columns.ends.buffer === into ? columnBytes(n) : 0;
  const copy = into !== null && into.byteLength - linesAt >= bytes ? Buffer.from(into, linesAt, bytes) : Buffer.allocUnsafe(bytes);
  let at = 0;
  for (let i = 0; i < n; i++) {
    at += copy.write(heads[i] ?? '', at);
    at += copy.write(tails[i] ?? '', at);
  }
  return { ...slice, copy, rejections };
}
