// An incoming message's deliver_sm as incoming.ts reads it: the sender with its TON, the number
// it was sent to, the text without its user data header (from short_message, or from the
// message_payload TLV that SMPP 3.4 allows instead), and the concatenation IE, if any.
import type { ReadPdu } from './pdu-reader.js';
import type { IncomingSms } from '../incoming.js';
import { concatOf } from '../reply-parts.js';

type Message = ReadPdu['short_message'];

function textOf(sm: Message): string {
  const message = typeof sm === 'string' || Buffer.isBuffer(sm) ? sm : sm?.message;
  return typeof message === 'string' ? message : (message?.toString('latin1') ?? '');
}

export function incomingOf(pdu: ReadPdu): IncomingSms {
  const sm = textOf(pdu.short_message) === '' && pdu.message_payload !== undefined ? (pdu.message_payload as Message) : pdu.short_message;
  return {
    from: String(pdu.source_addr ?? ''),
    ton: Number(pdu.source_addr_ton ?? 0),
    to: String(pdu.destination_addr ?? ''),
    text: textOf(sm),
    concat: typeof sm === 'object' && !Buffer.isBuffer(sm) ? concatOf(sm.udh) : undefined,
  };
}
