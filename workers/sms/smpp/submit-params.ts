// submit_sm parameters for one message: we encode the text ourselves (the library would
// label GSM text data_coding 1, pick Latin-1 for ë, and turn non-GSM characters into @ under
// data_coding 0; text-coding.ts), and build the concatenation UDH ourselves (the library does
// not split).
import type { SubmitSm } from './pdu-writer.js';
import { partCoding } from './text-coding.js';

export interface SmppOptions {
  /** data_coding for GSM-7: 0 is "SMSC default alphabet", which is GSM-7 at most SMSCs; 1 and 3 are encoded for. */
  readonly gsmDataCoding: number;
  /** The validity period, as relativeValidity gives it. */
  readonly validityPeriod: string;
}

const UDH_INDICATOR = 0x40;

/** SMPP relative time: YYMMDDhhmmss000R. */
export function relativeValidity(hours: number): string {
  const days = Math.floor(hours / 24);
  const rest = hours % 24;
  const two = (n: number) => String(n).padStart(2, '0');
  return `0000${two(days)}${two(rest)}0000000R`;
}

function addressOf(sender: string): { ton: number; npi: number; addr: string } {
  return sender.startsWith('+') ? { ton: 1, npi: 1, addr: sender.slice(1) } : { ton: 5, npi: 0, addr: sender };
}

/** `reference` gives the concatenation reference; it is asked only for a text of several parts. */
export function submitParams(message: { sender: string; to: string; text: string; encoding: 'gsm7' | 'ucs2' }, reference: () => number, options: SmppOptions): SubmitSm[] {
  const { payloads, dataCoding } = partCoding(message, options.gsmDataCoding);
  const source = addressOf(message.sender);
  const ref = payloads.length > 1 ? reference() & 0xff : 0;
  return payloads.map((payload, i) => {
    const udh = payloads.length > 1 ? Buffer.from([0x05, 0x00, 0x03, ref, payloads.length, i + 1]) : undefined;
    return {
      source_addr_ton: source.ton,
      source_addr_npi: source.npi,
      source_addr: source.addr,
      dest_addr_ton: 1,
      dest_addr_npi: 1,
      destination_addr: message.to.startsWith('+') ? message.to.slice(1) : message.to,
      esm_class: udh ? UDH_INDICATOR : 0,
      registered_delivery: 1,
      validity_period: options.validityPeriod,
      data_coding: dataCoding,
      short_message: udh ? Buffer.concat([udh, payload]) : payload,
    };
  });
}
