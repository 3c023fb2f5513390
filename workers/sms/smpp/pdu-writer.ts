// The two PDUs the send path writes once per message part, encoded by us: submit_sm (SMPP 3.4
// section 4.4.1, without optional parameters) and deliver_sm_resp (4.6.2). Byte for byte what
// the smpp package writes (test/sms-smpp-pdu.test.ts compares them), without its generic
// encoder, which walks every field of the command's definition through filters and cost about
// as much CPU per message as the rest of the worker's send path.
import type { OutgoingPdu } from 'smpp';

/** submit_sm as this platform sends it: the text already encoded, no optional parameters. */
export interface SubmitSm {
  readonly source_addr_ton: number;
  readonly source_addr_npi: number;
  readonly source_addr: string;
  readonly dest_addr_ton: number;
  readonly dest_addr_npi: number;
  readonly destination_addr: string;
  readonly esm_class: number;
  readonly registered_delivery: number;
  /** SMPP time format (absolute or relative), or '' for the SMSC's default. */
  readonly validity_period: string;
  readonly data_coding: number;
  /** At most 254 octets: a part's UDH and text. */
  readonly short_message: Buffer;
}

const HEADER_LENGTH = 16;
const SUBMIT_SM = 0x00000004;
const DELIVER_SM_RESP = 0x80000005;
const DATA_SM_RESP = 0x80000103;

/** Called as `charCodeAt.call(s, i)`: inlined whatever the string's representation (see ../encoding.ts). */
const charCodeAt = String.prototype.charCodeAt; // eslint-disable-line @typescript-eslint/unbound-method -- only ever called with .call

/**
 * Writes a C-Octet string (ASCII, then NUL) and returns the offset after it. Each character's
 * low byte, as Buffer.write's latin1 writes it, by a loop: the addresses and times are a few
 * characters, and Buffer.write went into C++ for each of them (five per submit_sm, two empty).
 */
function writeCString(buffer: Buffer, offset: number, value: string): number {
  const length = value.length;
  for (let i = 0; i < length; i++) buffer[offset + i] = charCodeAt.call(value, i);
  buffer[offset + length] = 0;
  return offset + length + 1;
}

function writeHeader(buffer: Buffer, commandId: number, sequence: number, status = 0): void {
  buffer.writeUInt32BE(buffer.length, 0);
  buffer.writeUInt32BE(commandId, 4);
  buffer.writeUInt32BE(status, 8);
  buffer.writeUInt32BE(sequence, 12);
}

/** SMPP 3.4 caps the addresses at 21 octets and the times at 17, each with its NUL. */
const MAX_ADDRESS = 20;
const MAX_TIME = 16;

/** The bytes of a submit_sm; throws a RangeError for anything SMPP 3.4 cannot carry. */
export function encodeSubmitSm(p: SubmitSm, sequence: number): Buffer {
  if (p.short_message.length > 254) throw new RangeError('short_message is longer than 254 octets');
  if (p.source_addr.length > MAX_ADDRESS || p.destination_addr.length > MAX_ADDRESS) throw new RangeError('an address is longer than 20 characters');
  if (p.validity_period.length > MAX_TIME) throw new RangeError('validity_period is longer than 16 characters');
  const length =
    HEADER_LENGTH + 1 + 2 + p.source_addr.length + 1 + 2 + p.destination_addr.length + 1 + 3 + 1 + p.validity_period.length + 1 + 5 + p.short_message.length;
  const b = Buffer.allocUnsafe(length);
  writeHeader(b, SUBMIT_SM, sequence);
  let o = writeCString(b, HEADER_LENGTH, ''); // service_type
  o = b.writeUInt8(p.source_addr_ton, o);
  o = b.writeUInt8(p.source_addr_npi, o);
  o = writeCString(b, o, p.source_addr);
  o = b.writeUInt8(p.dest_addr_ton, o);
  o = b.writeUInt8(p.dest_addr_npi, o);
  o = writeCString(b, o, p.destination_addr);
  o = b.writeUInt8(p.esm_class, o);
  b[o++] = 0; // protocol_id
  b[o++] = 0; // priority_flag
  o = writeCString(b, o, ''); // schedule_delivery_time: at once
  o = writeCString(b, o, p.validity_period);
  o = b.writeUInt8(p.registered_delivery, o);
  b[o++] = 0; // replace_if_present_flag
  o = b.writeUInt8(p.data_coding, o);
  b[o++] = 0; // sm_default_msg_id
  b[o++] = p.short_message.length; // sm_length
  p.short_message.copy(b, o);
  return b;
}

/** A class, so its methods are shared rather than two closures made per part. */
class EncodedSubmitSm implements OutgoingPdu {
  sequence_number = 0;
  constructor(private readonly bytes: Buffer) {}

  isResponse(): boolean {
    return false;
  }

  toBuffer(): Buffer {
    this.bytes.writeUInt32BE(this.sequence_number, 12);
    return this.bytes;
  }
}

/**
 * A submit_sm for Session.send, encoded now (so a message that cannot be encoded is known
 * before anything is written); Session.send numbers it just before it asks for the bytes.
 */
export function submitSmPdu(params: SubmitSm): OutgoingPdu {
  return new EncodedSubmitSm(encodeSubmitSm(params, 0));
}

class DeliverSmResp implements OutgoingPdu {
  constructor(
    readonly sequence_number: number,
    private readonly status: number,
    private readonly dataSm: boolean,
  ) {}

  isResponse(): boolean {
    return true;
  }

  toBuffer(): Buffer {
    return deliverSmRespBytes(this.sequence_number, this.status, this.dataSm);
  }
}

/**
 * The bytes of deliverSmResp, without the object: a slice of Node's shared pool (allocUnsafe),
 * where Buffer.alloc made a memory block of its own for each receipt's 17 bytes.
 */
export function deliverSmRespBytes(sequence: number, status = 0, dataSm = false): Buffer {
  // A refusal is the header alone, as the smpp package writes it; an answer has an empty message_id.
  const b = Buffer.allocUnsafe(HEADER_LENGTH + (status === 0 ? 1 : 0));
  writeHeader(b, dataSm ? DATA_SM_RESP : DELIVER_SM_RESP, sequence, status);
  if (status === 0) b[HEADER_LENGTH] = 0;
  return b;
}

/**
 * The answer to a deliver_sm (or, with `dataSm`, a data_sm): the same sequence number, an
 * empty message_id, status 0 or the refusal given (ESME_RX_T_APPN: the SMSC delivers it again).
 */
export function deliverSmResp(sequence: number, status = 0, dataSm = false): OutgoingPdu {
  return new DeliverSmResp(sequence, status, dataSm);
}
