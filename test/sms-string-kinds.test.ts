// The SMS scanners read characters through String.prototype.charCodeAt called as a constant
// (encoding.ts says why: V8's generic LoadIC on every character once a function has seen strings
// of more than four representations). They must answer the same for a text however V8 holds it:
// a literal, a flat string decoded from bytes (one- or two-byte), a concatenation, a slice.
// Each function is called with every representation in turn, often enough to be optimised with
// that mixed feedback, and every answer is compared with the one for the literal.
import { describe, expect, it } from 'vitest';
import { encodeGsm7, encodeUcs2, encodingOf, splitParts } from '../workers/sms/encoding.js';
import { receiptFields } from '../workers/sms/smpp/receipt-fields.js';
import { parseReceipt } from '../workers/sms/smpp/receipt.js';
import { receiptKey } from '../workers/sms/smpp/message-ids.js';
import { partCoding } from '../workers/sms/smpp/text-coding.js';

/** The same text as V8 may hold it: literal, flat from bytes, concatenated and sliced. */
function representations(text: string): string[] {
  const half = Math.floor(text.length / 2);
  const padded = `##${text}##`;
  return [
    text,
    Buffer.from(text, 'utf8').toString('utf8'),
    `${text.slice(0, half)}${text.slice(half)}`,
    padded.slice(2, padded.length - 2),
    [...text].join(''),
  ];
}

const ROUNDS = 100;

function sameForEveryRepresentation<T>(texts: readonly string[], read: (text: string) => T): void {
  const expected = texts.map((text) => JSON.stringify(read(text)));
  const kinds = texts.map(representations);
  for (let round = 0; round < ROUNDS; round++) {
    kinds.forEach((forms, t) => {
      for (const form of forms) {
        expect(form).toBe(texts[t]);
        const got = JSON.stringify(read(form));
        if (got !== expected[t]) expect(got).toBe(expected[t]);
      }
    });
  }
}

const TEXTS = [
  'Hallo Jan, uw afspraak is morgen om 10:00 bij de tandarts. Bel 020-1234567 om te verzetten.',
  'Prijs: € 12,50 {incl.} [btw] ~ ok | \\ ^',
  'Ελλάδα ΔΦΓ and café à Åsa',
  'Noël 🎉 ç',
  'x'.repeat(170),
];

const RECEIPTS = [
  'id:0A1B2C3D sub:001 dlvrd:001 submit date:2612061000 done date:2612061001 stat:DELIVRD err:000 text:Hallo',
  'ID:12345678901234567890 SUB:001 DLVRD:000 SUBMIT DATE:261206100000 DONE_DATE:261206100130 STAT:UNDELIV ERR:0a1 TEXT:id:fake',
  'id:  abc\u00a0stat:expired err:7 donedate:2612061001',
];

describe('the SMS scanners, whatever the string representation', () => {
  it('encode and measure texts alike', () => {
    sameForEveryRepresentation(TEXTS, (text) => {
      const encoding = encodingOf(text);
      let gsm: number[] | string;
      try {
        gsm = [...encodeGsm7(text)];
      } catch (error) {
        gsm = (error as Error).message;
      }
      return { encoding, gsm, ucs2: [...encodeUcs2(text)], parts: splitParts(text), coding: partCoding({ text, encoding }, 3).payloads.map((p) => [...p]) };
    });
  });

  it('read receipts alike', () => {
    sameForEveryRepresentation(RECEIPTS, (text) => ({ fields: receiptFields(text), reading: parseReceipt(text, {}) }));
  });

  it('key message ids alike', () => {
    sameForEveryRepresentation(['0a1b2c3d', '0A1B2C3D', '12345678901234567890', ' 007 ', 'abc-def'], receiptKey);
  });
});
