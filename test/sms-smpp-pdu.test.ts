// Our submit_sm and deliver_sm_resp encoder against the smpp package's own: the same bytes for
// every kind of message the platform sends, and the package reads ours back field for field.
import smpp from 'smpp';
import { describe, expect, it } from 'vitest';
import { deliverSmResp, encodeSubmitSm, submitSmPdu, type SubmitSm } from '../workers/sms/smpp/pdu-writer.js';
import { relativeValidity, submitParams } from '../workers/sms/smpp/submit-params.js';

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
});
