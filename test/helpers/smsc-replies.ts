// Replies as a real SMSC sends them (through the test SMSC's deliver_sm): from international,
// national and unknown-type numbers or an alphanumeric sender (TON/NPI as given), in UCS-2 when
// the text needs it, and concatenated with the 8-bit (IE 00) or 16-bit (IE 08) reference.
import type { TestSmsc } from './smsc.js';

export interface ReplyOptions {
  /** source_addr_ton: 1 international (default), 2 national, 0 unknown, 5 alphanumeric. */
  readonly ton?: number;
  readonly npi?: number;
  /** destination_addr: the number the reply was sent to. */
  readonly to?: string;
}

const needsUcs2 = (text: string) => /[^\x20-\x7e]/.test(text);

function fields(from: string, options: ReplyOptions, text: string) {
  return {
    source_addr: from,
    source_addr_ton: options.ton ?? 1,
    source_addr_npi: options.npi ?? 1,
    destination_addr: options.to ?? '',
    esm_class: 0,
    data_coding: needsUcs2(text) ? 8 : 1,
  };
}

/** One reply; resolves with the ESME's command_status. */
export function reply(smsc: TestSmsc, from: string, text: string, options: ReplyOptions = {}): Promise<number> {
  return smsc.deliver({ ...fields(from, options, text), short_message: text });
}

/** The UDH (with its length byte) of part `seq` of `total`. */
export function concatUdh(ref: number, total: number, seq: number, sixteenBit: boolean): Buffer {
  return sixteenBit ? Buffer.from([6, 0x08, 4, ref >> 8, ref & 0xff, total, seq]) : Buffer.from([5, 0x00, 3, ref, total, seq]);
}

/** A reply cut into `parts` (texts), sent in `order` (1-based, default in order). */
export async function concatenatedReply(smsc: TestSmsc, from: string, parts: readonly string[], options: ReplyOptions & { ref: number; sixteenBit?: boolean; order?: readonly number[] }): Promise<number[]> {
  const statuses: number[] = [];
  const ucs2 = parts.some(needsUcs2);
  for (const seq of options.order ?? parts.map((_, i) => i + 1)) {
    const text = parts[seq - 1] ?? '';
    const base = { ...fields(from, options, text), data_coding: ucs2 ? 8 : 1, esm_class: 0x40 };
    statuses.push(await smsc.deliver({ ...base, short_message: { udh: concatUdh(options.ref, parts.length, seq, options.sixteenBit ?? false), message: text } }));
  }
  return statuses;
}
