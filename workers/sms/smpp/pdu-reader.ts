// The two PDUs the send path reads once per message part, decoded by us: submit_sm_resp and
// deliver_sm (a receipt, or an incoming message). Field for field what the smpp package's
// decoder gives (test/sms-smpp-pdu.test.ts compares them), without its generic walk through
// every field definition and filter, and without its GSM decoder (gsm-decode.ts). Anything
// out of the ordinary (a time field set, a TLV not listed here, a national language table,
// a malformed length) is left to the package, which reads it as it always did.
import smpp, { type PDU } from 'smpp';
import { decodeGsm7, decodeUcs2 } from './gsm-decode.js';

/** A PDU as the client and the deliver_sm handlers read it: ours or the package's. */
export interface ReadPdu {
  command: string;
  command_status: number;
  sequence_number: number;
  message_id?: string | undefined;
  source_addr?: string | undefined;
  destination_addr?: string | undefined;
  esm_class?: number | undefined;
  data_coding?: number | undefined;
  short_message?: PDU['short_message'];
  receipted_message_id?: string | undefined;
  message_state?: number | undefined;
  [field: string]: unknown;
}

const HEADER = 16;
const SUBMIT_SM_RESP = 0x80000004;
const DELIVER_SM = 0x00000005;
const UDHI = 0x40;

type Decoded = { udh?: Buffer[]; message: string | Buffer };

/** The TLVs deliver_sm is read with here, by tag: name and how the package reads the value. */
const TLVS: ReadonlyMap<number, { name: string; type: 'int8' | 'int16' | 'buffer' | 'cstring' | 'message' }> = new Map([
  [0x001e, { name: 'receipted_message_id', type: 'cstring' }],
  [0x0427, { name: 'message_state', type: 'int8' }],
  [0x0423, { name: 'network_error_code', type: 'buffer' }],
  [0x0424, { name: 'message_payload', type: 'message' }],
  [0x0204, { name: 'user_message_reference', type: 'int16' }],
  [0x020a, { name: 'source_port', type: 'int16' }],
  [0x020b, { name: 'dest_port', type: 'int16' }],
  [0x020c, { name: 'sar_msg_ref_num', type: 'int16' }],
  [0x020e, { name: 'sar_total_segments', type: 'int8' }],
  [0x020f, { name: 'sar_segment_seqnum', type: 'int8' }],
  [0x020d, { name: 'language_indicator', type: 'int8' }],
  [0x0019, { name: 'payload_type', type: 'int8' }],
]);

/** Thrown inside the reader: the PDU goes to the package's decoder instead. */
class Unusual extends Error {}

class Reader {
  offset = HEADER;
  constructor(private readonly b: Buffer) {}

  int8(): number {
    if (this.offset >= this.b.length) throw new Unusual();
    return this.b[this.offset++]!;
  }

  /** A C-Octet string, ended by its NUL within `end` (the PDU, or the TLV). */
  cstring(end = this.b.length): string {
    const nul = this.b.indexOf(0, this.offset);
    if (nul < 0 || nul >= end) throw new Unusual();
    const value = this.b.toString('ascii', this.offset, nul);
    this.offset = nul + 1;
    return value;
  }

  /** A C-Octet string that must be empty (a time left to the SMSC). */
  emptyTime(): string {
    if (this.cstring() !== '') throw new Unusual();
    return '';
  }
}

/** The user data header's information elements, as the package splits them. */
function udhOf(header: Buffer): Buffer[] {
  const list: Buffer[] = [];
  for (let cursor = 1; cursor < header.length; ) {
    if (cursor + 1 >= header.length) throw new Unusual();
    const end = cursor + header[cursor + 1]! + 2;
    if (end > header.length) throw new Unusual();
    list.push(header.subarray(cursor, end));
    cursor = end;
  }
  return list;
}

/** short_message or message_payload as the package's message filter decodes it. */
function decodeMessage(value: Buffer, dataCoding: number, esmClass: number, skipUdh: boolean): Decoded {
  let message = value;
  let udh: Buffer[] | undefined;
  if (!skipUdh && value.length > 0 && esmClass & UDHI) {
    if (value[0]! + 1 > value.length) throw new Unusual();
    udh = udhOf(value.subarray(0, value[0]! + 1));
    message = value.subarray(value[0]! + 1);
    // National language shift tables: the package decodes those its own way.
    if (udh.some((ie) => ie[0] === 0x24 || ie[0] === 0x25)) throw new Unusual();
  }
  const coding = dataCoding & 0x0f;
  let text: string | Buffer = message;
  if (coding === 0 || coding === 1) text = decodeGsm7(message);
  else if (coding === 3) text = message.toString('latin1');
  else if (coding === 8) text = decodeUcs2(message) ?? throwUnusual();
  return udh ? { udh, message: text } : { message: text };
}

function throwUnusual(): never {
  throw new Unusual();
}

function readSubmitSmResp(b: Buffer, pdu: ReadPdu): ReadPdu {
  if (b.length > HEADER) {
    const r = new Reader(b);
    pdu.message_id = r.cstring();
    // Optional parameters (a reason for a refusal): the package's.
    if (r.offset + 4 <= b.length) throw new Unusual();
  }
  return pdu;
}

function readDeliverSm(b: Buffer, pdu: ReadPdu): ReadPdu {
  const r = new Reader(b);
  pdu.service_type = r.cstring();
  pdu.source_addr_ton = r.int8();
  pdu.source_addr_npi = r.int8();
  pdu.source_addr = r.cstring();
  pdu.dest_addr_ton = r.int8();
  pdu.dest_addr_npi = r.int8();
  pdu.destination_addr = r.cstring();
  const esmClass = (pdu.esm_class = r.int8());
  pdu.protocol_id = r.int8();
  pdu.priority_flag = r.int8();
  pdu.schedule_delivery_time = r.emptyTime();
  pdu.validity_period = r.emptyTime();
  pdu.registered_delivery = r.int8();
  pdu.replace_if_present_flag = r.int8();
  const dataCoding = (pdu.data_coding = r.int8());
  pdu.sm_default_msg_id = r.int8();
  const length = r.int8();
  if (r.offset + length > b.length) throw new Unusual();
  const shortMessage = decodeMessage(b.subarray(r.offset, r.offset + length), dataCoding, esmClass, false);
  pdu.short_message = shortMessage;
  let o = r.offset + length;
  while (o + 4 <= b.length) {
    const tag = b.readUInt16BE(o);
    const size = b.readUInt16BE(o + 2);
    o += 4;
    const tlv = TLVS.get(tag);
    if (!tlv || o + size > b.length || (tlv.type === 'int8' && size < 1) || (tlv.type === 'int16' && size < 2)) throw new Unusual();
    const value = b.subarray(o, o + size);
    if (tlv.type === 'int8') pdu[tlv.name] = b.readUInt8(o);
    else if (tlv.type === 'int16') pdu[tlv.name] = b.readUInt16BE(o);
    else if (tlv.type === 'buffer') pdu[tlv.name] = value;
    else if (tlv.type === 'cstring') {
      const reader = new Reader(b);
      reader.offset = o;
      pdu[tlv.name] = reader.cstring(o + size);
    } else pdu[tlv.name] = decodeMessage(value, dataCoding, esmClass, shortMessage.message.length > 0);
    o += size;
  }
  if (o !== b.length) throw new Unusual();
  return pdu;
}

/** One whole PDU (its command_length bytes). */
export function readPdu(b: Buffer): ReadPdu {
  const commandId = b.readUInt32BE(4);
  const header = { command_length: b.readUInt32BE(0), command_id: commandId, command_status: b.readUInt32BE(8), sequence_number: b.readUInt32BE(12) };
  try {
    if (commandId === SUBMIT_SM_RESP) return readSubmitSmResp(b, { ...header, command: 'submit_sm_resp' });
    if (commandId === DELIVER_SM) return readDeliverSm(b, { ...header, command: 'deliver_sm' });
  } catch (error) {
    if (!(error instanceof Unusual)) throw error;
  }
  return new smpp.PDU(b);
}
