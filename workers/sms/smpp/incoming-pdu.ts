// An incoming message's deliver_sm as incoming.ts reads it: the sender with its TON, the number
// it was sent to, the text without its user data header, and the concatenation IE, if any.
import type { PDU } from 'smpp';
import type { IncomingSms } from '../incoming.js';
import { concatOf } from '../reply-parts.js';

export function incomingOf(pdu: PDU): IncomingSms {
  const sm = pdu.short_message;
  const message = typeof sm === 'string' || Buffer.isBuffer(sm) ? sm : sm?.message;
  const text = typeof message === 'string' ? message : (message?.toString('latin1') ?? '');
  return {
    from: String(pdu.source_addr ?? ''),
    ton: Number(pdu.source_addr_ton ?? 0),
    to: String(pdu.destination_addr ?? ''),
    text,
    concat: typeof sm === 'object' && !Buffer.isBuffer(sm) ? concatOf(sm.udh) : undefined,
  };
}
