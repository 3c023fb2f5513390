// Stop words per the Dutch SMS Gedragscode: the whole reply, trimmed, case- and width-folded
// (NFKC), punctuation removed, is STOP, STOPPEN, UIT or AFMELDEN (every organisation that
// texted the number), or STOP plus one word (the organisation whose keyword that is; an
// unknown word still stops every organisation: the person's wish is plain).

export type StopReply = { readonly kind: 'all' } | { readonly kind: 'keyword'; readonly keyword: string };

const STOP_ALONE = new Set(['STOP', 'STOPPEN', 'UIT', 'AFMELDEN']);

/** Folded for comparison: NFKC (full-width letters), no punctuation or invisible format characters, single spaces, upper case. */
export function foldReply(text: string): string {
  return text.normalize('NFKC').replace(/[\p{P}\p{Cf}]/gu, '').replace(/\s+/gu, ' ').trim().toUpperCase();
}

export function readStopReply(text: string): StopReply | undefined {
  const words = foldReply(text).split(' ');
  if (words.length === 1 && STOP_ALONE.has(words[0] ?? '')) return { kind: 'all' };
  if (words.length === 2 && words[0] === 'STOP' && words[1]) return { kind: 'keyword', keyword: words[1] };
  return undefined;
}

/** A keyword as stored and matched: folded like a reply, 2 to 20 letters or digits, no stop word itself. */
export function keywordOf(input: string): string | undefined {
  const folded = foldReply(input);
  return /^[\p{L}\p{N}]{2,20}$/u.test(folded) && !STOP_ALONE.has(folded) ? folded : undefined;
}
