// Text of an uploaded file: UTF-8 (a BOM is dropped) unless its bytes are not valid UTF-8,
// then Windows-1252, as Dutch Excel saves CSV. The choice is made on the first byte that is
// not ASCII, so the file is read once, as a stream.
export class EncodingProblem extends Error {
  constructor() {
    super('the file mixes UTF-8 and another encoding');
    this.name = 'EncodingProblem';
  }
}

const NON_ASCII = /[^\u0000-\u007f]/u; // eslint-disable-line no-control-regex -- the ASCII range itself

/** The bytes at the end of a piece a streaming UTF-8 decoder may still hold (an unfinished sequence). */
function heldTail(piece: Buffer): Buffer {
  let start = piece.length;
  while (start > 0 && piece.length - start < 3 && (piece[start - 1] ?? 0) >= 0x80) start -= 1;
  return piece.subarray(start);
}

export async function* decodeText(bytes: AsyncIterable<Buffer>): AsyncGenerator<string> {
  let decoder = new TextDecoder('utf-8', { fatal: true });
  let utf8Seen = false;
  let windows = false;
  let tail: Buffer = Buffer.alloc(0);
  for await (const piece of bytes) {
    if (windows) {
      yield decoder.decode(piece, { stream: true });
      continue;
    }
    try {
      const text = decoder.decode(piece, { stream: true });
      utf8Seen ||= NON_ASCII.test(text);
      tail = heldTail(piece);
      yield text;
    } catch {
      if (utf8Seen) throw new EncodingProblem();
      // Everything so far was ASCII, read the same in both: go on in Windows-1252 from the held bytes.
      decoder = new TextDecoder('windows-1252');
      windows = true;
      yield decoder.decode(Buffer.concat([tail, piece]), { stream: true });
    }
  }
  try {
    const rest = decoder.decode();
    if (rest) yield rest;
  } catch {
    if (utf8Seen) throw new EncodingProblem();
    yield new TextDecoder('windows-1252').decode(tail);
  }
}
