// Our submit_sm and deliver_sm_resp encoder against the smpp package's own: the same bytes for
// every kind of message the platform sends, and the package reads ours back field for field;
// our submit_sm_resp and deliver_sm reader against the package's decoder.
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import smpp, { type Session } from 'smpp';
import { describe, expect, it } from 'vitest';
import { deliverSmResp, deliverSmRespBytes, encodeSubmitSm, submitSmPdu, type SubmitSm } from '../workers/sms/smpp/pdu-writer.js';
import { relativeValidity, submitParams } from '../workers/sms/smpp/submit-params.js';
import { encodeGsm7 } from '../workers/sms/encoding.js';
import { readPdu } from '../workers/sms/smpp/pdu-reader.js';
import { readWithOwnDecoder } from '../workers/sms/smpp/session-reader.js';
import { receiptText } from './helpers/smsc.js';

const options = { gsmDataCoding: 0, validityPeriod: relativeValidity(48) };
const libraryBytes = (params: SubmitSm, sequence: number): Buffer => new smpp.PDU('submit_sm', { ...params, sequence_number: sequence }).toBuffer();

const cases: Array<[string, { sender: string; to: string; text: string; encoding: 'gsm7' | 'ucs2' }]> = [
  ['GSM-7 from an alphanumeric sender', { sender: 'TGG', to: '+31612345678', text: 'Beste Jan, {uw} afspraak is om 10:00 €', encoding: 'gsm7' }],
  ['UCS-2 from an E.164 sender', { sender: '+3197010203040', to: '+31612345678', text: 'Noël 😀', encoding: 'ucs2' }],
  ['a concatenated GSM-7 text (UDH)', { sender: 'TGG Zorg', to: '+32470123456', text: 'x'.repeat(400), encoding: 'gsm7' }],
  ['a concatenated UCS-2 text (UDH)', { sender: 'TGG', to: '+31612345678', text: 'ë'.repeat(150), encoding: 'ucs2' }],
  ['an empty text', { sender: 'TGG', to: '+31612345678', text: '', encoding: 'gsm7' }],
];

describe('submit_sm encoding', () => {
  it.each(cases)('matches the smpp package byte for byte: %s', (_, message) => {
    const parts = submitParams(message, () => 0x2a, options);
    parts.forEach((params, i) => {
      const sequence = 1_000 + i;
      const ours = encodeSubmitSm(params, sequence);
      expect(ours.equals(libraryBytes(params, sequence))).toBe(true);

      const read = new smpp.PDU(ours);
      expect(read).toMatchObject({ command: 'submit_sm', command_length: ours.length, sequence_number: sequence, source_addr: params.source_addr, destination_addr: params.destination_addr, data_coding: params.data_coding, esm_class: params.esm_class, registered_delivery: 1 });
    });
  });

  it('writes an address past ASCII as the package does, the low byte of each character (intake takes no such sender)', () => {
    const [params] = submitParams({ sender: 'Zörg€😀', to: '+31612345678', text: 'Hoi', encoding: 'gsm7' }, () => 1, options);
    expect(encodeSubmitSm(params!, 5).equals(libraryBytes(params!, 5))).toBe(true);
  });

  it('keeps what submitParams gives with a validity period left to the SMSC', () => {
    const [params] = submitParams(cases[0]![1], () => 1, { gsmDataCoding: 1, validityPeriod: '' });
    expect(encodeSubmitSm(params!, 9).equals(libraryBytes(params!, 9))).toBe(true);
  });

  it('is numbered as Session.send numbers it, after it was encoded', () => {
    const [params] = submitParams(cases[2]![1], () => 7, options);
    const pdu = submitSmPdu(params!);
    pdu.sequence_number = 0x01020304;
    expect(pdu.toBuffer().equals(libraryBytes(params!, 0x01020304))).toBe(true);
  });

  it('refuses, before anything is written, what SMPP 3.4 cannot carry', () => {
    const [params] = submitParams(cases[0]![1], () => 1, options);
    expect(() => submitSmPdu({ ...params!, short_message: Buffer.alloc(255) })).toThrow(RangeError);
    expect(() => submitSmPdu({ ...params!, destination_addr: '1'.repeat(21) })).toThrow(RangeError);
    expect(() => submitSmPdu({ ...params!, validity_period: '0'.repeat(17) })).toThrow(RangeError);
    expect(() => submitSmPdu({ ...params!, esm_class: 0x100 })).toThrow(RangeError);
    expect(() => submitSmPdu({ ...params!, data_coding: -1 })).toThrow(RangeError);
  });
});

describe('deliver_sm_resp encoding', () => {
  it('matches the response the smpp package makes', () => {
    const deliver = new smpp.PDU('deliver_sm', { sequence_number: 77_001 });
    expect(deliverSmResp(77_001).toBuffer().equals(deliver.response().toBuffer())).toBe(true);
    expect(deliverSmResp(77_001).isResponse()).toBe(true);
  });

  it('matches it for a refusal (ESME_RX_T_APPN) and for data_sm_resp', () => {
    const deliver = new smpp.PDU('deliver_sm', { sequence_number: 77_002 });
    expect(deliverSmResp(77_002, 0x64).toBuffer().equals(deliver.response({ command_status: 0x64 }).toBuffer())).toBe(true);
    const data = new smpp.PDU('data_sm', { sequence_number: 77_003 });
    expect(deliverSmResp(77_003, 0, true).toBuffer().equals(data.response().toBuffer())).toBe(true);
    expect(deliverSmResp(77_003, 0x64, true).toBuffer().equals(data.response({ command_status: 0x64 }).toBuffer())).toBe(true);
  });

  it('is the same without the object, in a slice of the shared pool whatever it held before', () => {
    const deliver = new smpp.PDU('deliver_sm', { sequence_number: 77_004 });
    // Fill the pool with non-zero bytes, so a byte left unwritten would show.
    for (let i = 0; i < 600; i++) Buffer.allocUnsafe(17).fill(0xee);
    expect(deliverSmRespBytes(77_004).equals(deliver.response().toBuffer())).toBe(true);
    expect(deliverSmRespBytes(77_004, 0x64).equals(deliver.response({ command_status: 0x64 }).toBuffer())).toBe(true);
    const data = new smpp.PDU('data_sm', { sequence_number: 77_005 });
    expect(deliverSmRespBytes(77_005, 0, true).equals(data.response().toBuffer())).toBe(true);
  });
});

// Our reader of submit_sm_resp and deliver_sm against the package's decoder: every field the
// same, for every form a receipt or an incoming message takes, and read by us (not handed on).
const deliver = (fields: Record<string, unknown>): Buffer => new smpp.PDU('deliver_sm', { sequence_number: 4_242, ...fields }).toBuffer();
const gsm = (text: string) => encodeGsm7(text);
const utf16be = (text: string) => Buffer.from(text, 'utf16le').swap16();
const udh = Buffer.from([0x05, 0x00, 0x03, 0x2a, 0x02, 0x01]);

const deliveries: Array<[string, Buffer]> = [
  ['a receipt in the text', deliver({ esm_class: 0x04, short_message: Buffer.from(receiptText('1000001', 'DELIVRD')) })],
  [
    'a receipt with receipted_message_id, message_state and network_error_code TLVs',
    deliver({ esm_class: 0x04, short_message: Buffer.from(receiptText('ab12', 'UNDELIV', { err: '034' })), receipted_message_id: 'AB12', message_state: 5, network_error_code: Buffer.from([3, 0, 34]) }),
  ],
  ['a receipt in message_payload, short_message empty', deliver({ esm_class: 0x04, message_payload: Buffer.from(receiptText('77', 'EXPIRED')) })],
  ['an incoming GSM-7 text with extension characters and Greek', deliver({ source_addr: '31612345678', source_addr_ton: 1, source_addr_npi: 1, destination_addr: '3197010', short_message: gsm('Zoé: €5 {x} [y] ~ ^ | \\ ΔΩ_ é @£$ STOP') })],
  ['GSM-7 septets past 7 bits and a lone escape', deliver({ short_message: Buffer.from([0x41, 0x1b, 0x1b, 0x28, 0x90, 0x1b]) })],
  ['an incoming UCS-2 text with an emoji', deliver({ data_coding: 8, short_message: utf16be('Noël 😀 stop') })],
  ['UCS-2 with a byte order mark', deliver({ data_coding: 8, short_message: utf16be('\uFEFFhallo') })],
  ['a concatenated part (UDH) in GSM-7', deliver({ esm_class: 0x40, short_message: Buffer.concat([udh, gsm('deel een')]) })],
  ['a concatenated part (UDH) in UCS-2', deliver({ esm_class: 0x40, data_coding: 8, short_message: Buffer.concat([udh, utf16be('deel één')]) })],
  ['Latin-1 (data_coding 3)', deliver({ data_coding: 3, short_message: Buffer.from('café', 'latin1') })],
  ['binary (data_coding 4), left as bytes', deliver({ data_coding: 4, short_message: Buffer.from([1, 2, 3, 0xff]) })],
  ['message_payload with a UDH', deliver({ esm_class: 0x40, message_payload: Buffer.concat([udh, gsm('lang bericht')]) })],
  ['an empty deliver_sm', deliver({})],
];

describe('submit_sm_resp and deliver_sm decoding', () => {
  it.each(deliveries)('reads every field as the smpp package does: %s', (_, bytes) => {
    const ours = readPdu(bytes);
    expect(ours).not.toBeInstanceOf(smpp.PDU);
    expect({ ...ours }).toEqual({ ...new smpp.PDU(bytes) });
  });

  it('reads submit_sm_resp as the package does, accepted and refused', () => {
    const accepted = new smpp.PDU('submit_sm_resp', { sequence_number: 9, message_id: '5f3a-01' }).toBuffer();
    const refused = new smpp.PDU('submit_sm_resp', { sequence_number: 10, command_status: 0x58 }).toBuffer();
    for (const bytes of [accepted, refused]) {
      expect(readPdu(bytes)).not.toBeInstanceOf(smpp.PDU);
      expect({ ...readPdu(bytes) }).toEqual({ ...new smpp.PDU(bytes) });
    }
  });

  it('leaves what it does not read itself to the package: other commands, other TLVs, a set time', () => {
    const others = [
      new smpp.PDU('enquire_link', { sequence_number: 3 }).toBuffer(),
      new smpp.PDU('submit_sm_resp', { sequence_number: 4, message_id: '1', additional_status_info_text: 'x' }).toBuffer(),
      deliver({ short_message: Buffer.from('hoi'), its_session_info: Buffer.from([1, 2]) }),
      deliver({ short_message: Buffer.from('hoi'), validity_period: '261205120000000+' }),
    ];
    for (const bytes of others) expect(readPdu(bytes)).toBeInstanceOf(smpp.PDU);
  });

  it('takes PDUs from the socket however the bytes are cut, answering the waiting callback', () => {
    const bytes = [deliveries[0]![1], new smpp.PDU('submit_sm_resp', { sequence_number: 11, message_id: '42' }).toBuffer(), deliveries[5]![1]];
    const all = Buffer.concat(bytes);
    for (let cut = 1; cut < all.length; cut += 7) {
      const session = Object.assign(new EventEmitter(), { socket: new PassThrough(), _callbacks: {} }) as unknown as Session;
      const seen: string[] = [];
      let answered = '';
      session._callbacks[11] = (pdu) => (answered = String(pdu.message_id));
      session.on('pdu', (pdu: { command: string }) => seen.push(pdu.command));
      readWithOwnDecoder(session);
      session.socket.write(all.subarray(0, cut));
      session.socket.write(all.subarray(cut));
      expect(seen).toEqual(['deliver_sm', 'submit_sm_resp', 'deliver_sm']);
      expect(answered).toBe('42');
      expect(session._callbacks[11]).toBeUndefined();
    }
  });

  const fakeSession = () => Object.assign(new EventEmitter(), { socket: new PassThrough(), _callbacks: {} }) as unknown as Session;

  it('reads a stream cut into pieces of every size, down to one byte, field for field as the package', () => {
    const pdus = [...deliveries.map(([, b]) => b), ...Array.from({ length: 20 }, (_, i) => new smpp.PDU('submit_sm_resp', { sequence_number: 100 + i, message_id: `id-${i}` }).toBuffer())];
    const all = Buffer.concat(pdus);
    const expected = pdus.map((b) => ({ ...new smpp.PDU(b) }));
    for (const size of [1, 2, 3, 5, 16, 17, 100, 4_096]) {
      const session = fakeSession();
      const seen: unknown[] = [];
      session.on('pdu', (pdu: object) => seen.push({ ...pdu }));
      readWithOwnDecoder(session);
      for (let at = 0; at < all.length; at += size) session.socket.write(all.subarray(at, at + size));
      expect(seen).toEqual(expected);
    }
  });

  it('drops a peer that announces a PDU longer than 16 KiB or shorter than its header, without reading on', () => {
    for (const length of [16_385, 15, 0]) {
      const session = fakeSession();
      const errors: string[] = [];
      const seen: string[] = [];
      session.on('error', (error: Error) => errors.push(error.message));
      session.on('pdu', (pdu: { command: string }) => seen.push(pdu.command));
      readWithOwnDecoder(session);
      const bad = Buffer.alloc(16);
      bad.writeUInt32BE(length, 0);
      session.socket.write(Buffer.concat([deliveries[0]![1].subarray(0, 10)]));
      session.socket.write(Buffer.concat([deliveries[0]![1].subarray(10), bad, deliveries[1]![1]]));
      expect(seen).toEqual(['deliver_sm']);
      expect(errors).toEqual([`PDU length ${length} is out of bounds`]);
      expect(session.socket.destroyed).toBe(true);
    }
  });
});
