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
    // Found by a loop over the few bytes: Buffer.indexOf and toString each went into C++ (six
    // fields per part read); an empty one (a deliver_sm's service_type and times) is no call at all.
    const b = this.b;
    const last = Math.min(end, b.length);
    let nul = this.offset;
    while (nul < last && b[nul] !== 0) nul++;
    if (nul >= last) throw new Unusual();
    const value = nul === this.offset ? '' : b.toString('ascii', this.offset, nul);
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

/** The header fields every PDU starts with. */
interface Header {
  readonly command_length: number;
  readonly command_id: number;
  readonly command_status: number;
  readonly sequence_number: number;
}

// Each PDU is made as one object literal with every field in a fixed order: objects built by a
// spread and then given their fields one at a time took V8's slow path for every field, which
// made this reader twice as costly as the package's (12.4-13.1 s against 9.6 s in the bench).

function readSubmitSmResp(b: Buffer, h: Header): ReadPdu {
  let messageId: string | undefined;
  if (b.length > HEADER) {
    const r = new Reader(b);
    messageId = r.cstring();
    // Optional parameters (a reason for a refusal): the package's.
    if (r.offset + 4 <= b.length) throw new Unusual();
  }
  return {
    command_length: h.command_length,
    command_id: h.command_id,
    command_status: h.command_status,
    sequence_number: h.sequence_number,
    command: 'submit_sm_resp',
    // Undefined for an empty body, where the package has no message_id at all.
    message_id: messageId,
  };
}

function readDeliverSm(b: Buffer, h: Header): ReadPdu {
  const r = new Reader(b);
  const serviceType = r.cstring();
  const sourceTon = r.int8();
  const sourceNpi = r.int8();
  const source = r.cstring();
  const destTon = r.int8();
  const destNpi = r.int8();
  const destination = r.cstring();
  const esmClass = r.int8();
  const protocolId = r.int8();
  const priority = r.int8();
  const schedule = r.emptyTime();
  const validity = r.emptyTime();
  const registered = r.int8();
  const replace = r.int8();
  const dataCoding = r.int8();
  const defaultMsgId = r.int8();
  const length = r.int8();
  if (r.offset + length > b.length) throw new Unusual();
  const shortMessage = decodeMessage(b.subarray(r.offset, r.offset + length), dataCoding, esmClass, false);
  const pdu: ReadPdu = {
    command_length: h.command_length,
    command_id: h.command_id,
    command_status: h.command_status,
    sequence_number: h.sequence_number,
    command: 'deliver_sm',
    service_type: serviceType,
    source_addr_ton: sourceTon,
    source_addr_npi: sourceNpi,
    source_addr: source,
    dest_addr_ton: destTon,
    dest_addr_npi: destNpi,
    destination_addr: destination,
    esm_class: esmClass,
    protocol_id: protocolId,
    priority_flag: priority,
    schedule_delivery_time: schedule,
    validity_period: validity,
    registered_delivery: registered,
    replace_if_present_flag: replace,
    data_coding: dataCoding,
    sm_default_msg_id: defaultMsgId,
    short_message: shortMessage,
  };
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
  const header: Header = { command_length: b.readUInt32BE(0), command_id: commandId, command_status: b.readUInt32BE(8), sequence_number: b.readUInt32BE(12) };
  try {
    if (commandId === SUBMIT_SM_RESP) return readSubmitSmResp(b, header);
    if (commandId === DELIVER_SM) return readDeliverSm(b, header);
  } catch (error) {
    if (!(error instanceof Unusual)) throw error;
  }
  return new smpp.PDU(b);
}
