// The pure rules of STOP the Dutch way (issue 11, items 11, 12 and 14): the sender's number
// read with its TON and the Dutch default, the Gedragscode's stop words, the concatenation IE
// of a reply, and the opt-out way a marketing text must carry.
import { describe, expect, it } from 'vitest';
import { senderNumber } from '../workers/phone/sender-address.js';
import { optOutWayProblem } from '../workers/sms/marketing.js';
import { concatOf } from '../workers/sms/reply-parts.js';
import { keywordOf, readStopReply } from '../workers/sms/stop-words.js';

const e164 = (address: string, ton?: number) => {
  const result = senderNumber(address, ton);
  return result.ok ? result.e164 : undefined;
};

describe('the sender of a reply', () => {
  it('reads national, international and unknown-type numbers with the Dutch default', () => {
    expect(e164('31612345678', 1)).toBe('+31612345678');
    expect(e164('+31612345678', 1)).toBe('+31612345678');
    expect(e164('0612345678', 2)).toBe('+31612345678');
    expect(e164('612345678', 2)).toBe('+31612345678');
    expect(e164('0612345678', 0)).toBe('+31612345678');
    expect(e164('0031612345678', 0)).toBe('+31612345678');
    expect(e164('0032470123456', 0)).toBe('+32470123456');
    expect(e164('31612345678', 0)).toBe('+31612345678');
    expect(e164('0612345678')).toBe('+31612345678');
  });

  it('reads no number from an alphanumeric sender or rubbish', () => {
    expect(e164('TGG', 5)).toBeUndefined();
    expect(e164('31612345678', 5)).toBeUndefined();
    expect(e164('Gemeente', 0)).toBeUndefined();
    expect(e164('', 1)).toBeUndefined();
  });
});

describe('stop words (Gedragscode)', () => {
  it('are the whole message, trimmed, case- and width-folded, without punctuation', () => {
    for (const text of ['STOP', 'stop', ' Stop. ', '"STOP"', 'Stoppen', 'STOPPEN!', 'uit', 'Afmelden', 'ＳＴＯＰ', 'ｓｔｏｐｐｅｎ', 'S.T.O.P', 'STOP\u200b']) {
      expect(readStopReply(text), text).toEqual({ kind: 'all' });
    }
  });

  it('are not a sentence that starts with one', () => {
    for (const text of ['Uit de hoogte bekeken', 'Stop met bellen alstublieft', 'Ik wil stoppen', 'Uitstekend', 'stopt u ermee?', '']) {
      expect(readStopReply(text), text).toBeUndefined();
    }
  });

  it('STOP plus one word names a keyword', () => {
    expect(readStopReply('STOP kapsalon')).toEqual({ kind: 'keyword', keyword: 'KAPSALON' });
    expect(readStopReply('  stop   ＫＡＰＳＡＬＯＮ! ')).toEqual({ kind: 'keyword', keyword: 'KAPSALON' });
    expect(readStopReply('UIT kapsalon')).toBeUndefined();
  });

  it('keywords are letters or digits, folded, and never a stop word themselves', () => {
    expect(keywordOf('kapsalon')).toBe('KAPSALON');
    expect(keywordOf('Zorg24')).toBe('ZORG24');
    for (const bad of ['stop', 'UIT', 'a', 'two words', 'x'.repeat(21)]) expect(keywordOf(bad), bad).toBeUndefined();
  });
});

describe('concatenated replies', () => {
  it('reads the 8-bit and the 16-bit reference', () => {
    expect(concatOf([Buffer.from([0x00, 3, 0x2a, 3, 2])])).toEqual({ ref: 0x2a, total: 3, seq: 2 });
    expect(concatOf([Buffer.from([0x08, 4, 0x12, 0x34, 2, 1])])).toEqual({ ref: 0x1234, total: 2, seq: 1 });
    expect(concatOf([Buffer.from([0x24, 1, 0]), Buffer.from([0x00, 3, 7, 2, 2])])).toEqual({ ref: 7, total: 2, seq: 2 });
  });

  it('takes a part outside its count as no concatenation', () => {
    expect(concatOf([Buffer.from([0x00, 3, 1, 2, 3])])).toBeUndefined();
    expect(concatOf([Buffer.from([0x00, 3, 1, 0, 0])])).toBeUndefined();
    expect(concatOf(undefined)).toBeUndefined();
  });
});

describe('the opt-out way of a marketing SMS (Telecommunicatiewet art. 11.7)', () => {
  it('from a number: the text mentions STOP', () => {
    expect(optOutWayProblem('+3197012345678', 'Korting! Geen sms meer? Antwoord STOP')).toBeUndefined();
    expect(optOutWayProblem('+3197012345678', 'Korting! Afmelden: tgg.nl/af')).toMatch(/STOP/);
    expect(optOutWayProblem('+3197012345678', 'Korting op {{STOP}}')).toMatch(/STOP/);
  });

  it('from a name: a link, or STOP to a number', () => {
    expect(optOutWayProblem('Kapsalon', 'Korting! Afmelden: https://kapsalon.nl/afmelden')).toBeUndefined();
    expect(optOutWayProblem('Kapsalon', 'Korting! Afmelden: www.kapsalon.nl')).toBeUndefined();
    expect(optOutWayProblem('Kapsalon', 'Korting! Afmelden: kaps.nl/a')).toBeUndefined();
    expect(optOutWayProblem('Kapsalon', 'Korting! Sms STOP naar 4411')).toBeUndefined();
    expect(optOutWayProblem('Kapsalon', 'Korting! Antwoord STOP')).toMatch(/link or a number/);
    expect(optOutWayProblem('Kapsalon', 'Korting tot 2026!')).toMatch(/link or a number/);
    expect(optOutWayProblem('Kapsalon', 'Korting! Afmelden: {{link}}')).toMatch(/link or a number/);
  });
});
