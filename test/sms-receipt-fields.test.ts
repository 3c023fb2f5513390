// The receipt text's fields as read by workers/sms/smpp/receipt-fields.ts, against the split
// and the four regular expressions it replaced (kept here as the reference): the receipts
// SMSCs send, hand-made edge cases, and random texts from pieces that trip either reading
// (names in any case, Unicode white space, letters that upper-case to ASCII, digit runs of
// every length, "text:" early and late). Every field must be the same, undefined included.
import { describe, expect, it } from 'vitest';
import { receiptFields, type ReceiptFields } from '../workers/sms/smpp/receipt-fields.js';
import { seededRandom } from './helpers/seeded-random.js';

const fieldPattern = (name: string, value: string) => new RegExp(`(?:^|\\s)${name}:\\s*(${value})`, 'i');
const ID = fieldPattern('id', '[^\\s]+');
const STAT = fieldPattern('stat', '[a-z_]+');
const ERR = fieldPattern('err', '[0-9a-z]+');
const DONE_DATE = fieldPattern('done[ _]?date', '\\d{10}(?:\\d{2})?(?!\\d)');
const TEXT = /(?:^|\s)text:/i;

function byRegex(text: string): ReceiptFields {
  const head = text.split(TEXT)[0] ?? '';
  const field = (pattern: RegExp) => pattern.exec(head)?.[1];
  return { id: field(ID), stat: field(STAT), err: field(ERR), doneDate: field(DONE_DATE) };
}

const SAMPLES = [
  'id:1234567890 sub:001 dlvrd:001 submit date:2612051200 done date:2612051201 stat:DELIVRD err:000 text:Beste Jan, uw afspraak',
  'id: 0A1B2C sub:001 dlvrd:000 submit date:2611281200 done date:2611281201 stat:UNDELIVERABLE err:005 text:',
  'ID:abc SUB:001 DLVRD:001 SUBMIT DATE:2612051200 DONE DATE:261205120107 STAT:delivrd ERR:0 TEXT:x',
  'id:abc done_date:2612051201 stat:EXPIRED',
  'id:abc donedate:2612051201 stat:REJECTD err:',
  'id:abc done  date:2612051201 stat:',
  'text:id:abc stat:DELIVRD',
  ' text:id:abc stat:DELIVRD',
  'id:abc text: stat:DELIVRD',
  'id:abc\ttext:x stat:DELIVRD',
  'xid:abc id:def',
  'id:\u00a0abc stat:\u2028DELIVRD',
  'id:abc stat:DELIV_RD9 err:0x1F done date:26120512011',
  'id:abc done date:2612051201234 done date:2612051202',
  'id: ',
  'id:',
  '',
  'stat:DELIVRD',
  'id:a\u0131d:b st\u0131t:X',
  'id:abc stat:\u212aELVIN err:\u017f1',
  'id:abc\u200btext:x stat:DELIVRD',
  'id:abc\ufefftext:x stat:DELIVRD',
  'id:abc \u0130text:x stat:DELIVRD',
  'iD:1 Stat:Enroute eRR:12 dOnE_DaTe:2612051201',
  'id:1 stat :DELIVRD stat: DELIVRD',
];

const PIECES = [
  'id', 'ID', 'Id', 'stat', 'STAT', 'sTaT', 'err', 'ERR', 'done', 'DONE', 'date', 'Date', 'done date', 'done_date', 'donedate', 'text', 'TEXT', 'TeXt',
  ':', ':', ':', ' ', ' ', ' ', '  ', '\t', '\n', '\r', '\u00a0', '\u1680', '\u2003', '\u2028', '\u202f', '\u3000', '\ufeff', '\u200b', '\u0085',
  'a', 'Z', '_', '-', '.', '0', '00', '7', 'DELIVRD', 'undeliv', 'x_y', '\u0131', '\u0130', '\u017f', '\u212a', '\u00e9', '\u00df',
  '26120512', '2612051201', '26120512011', '261205120107', '2612051201071', '123456789012345',
];

function randomText(random: () => number): string {
  const length = Math.floor(random() * 24);
  let out = '';
  for (let i = 0; i < length; i++) out += PIECES[Math.floor(random() * PIECES.length)];
  return out;
}

describe('receipt text fields', () => {
  it('reads what the regular expressions read, for the receipts SMSCs send and the edge cases', () => {
    for (const text of SAMPLES) expect({ text, fields: receiptFields(text) }).toEqual({ text, fields: byRegex(text) });
    expect(receiptFields(SAMPLES[0]!)).toEqual({ id: '1234567890', stat: 'DELIVRD', err: '000', doneDate: '2612051201' });
  });

  it('reads what the regular expressions read, for 50,000 random texts', () => {
    const random = seededRandom(16);
    let differing = 0;
    const firstDifferences: string[] = [];
    for (let n = 0; n < 50_000; n++) {
      const text = randomText(random);
      const ours = receiptFields(text);
      const theirs = byRegex(text);
      if (JSON.stringify(ours) !== JSON.stringify(theirs)) {
        differing += 1;
        if (firstDifferences.length < 5) firstDifferences.push(JSON.stringify({ text, ours, theirs }));
      }
    }
    expect(firstDifferences).toEqual([]);
    expect(differing).toBe(0);
  });
});
