// Reading a CSV as people save it, for every family that takes one (SMS recipients, TEM call
// details, newsletter subscribers): the text is UTF-8 (a BOM is dropped) unless its bytes are
// not valid UTF-8, then Windows-1252, as Excel saves "CSV" (as opposed to "CSV UTF-8"); a file
// that starts with a UTF-16 byte order mark (Excel's "Unicode text") is UTF-16 in that order. A
// charset the sender names is used instead (for UTF-16, a BOM still says the order), and bytes
// not valid in it are refused. Never a silent U+FFFD. The separator (',', ';' or tab) is the one
// Excel's `sep=` first line names, else read from the header line. All of it streams: the file
// is read once.
import { peek } from './peek.js';

/** What told the encoding: the sender's charset, the file's byte order mark, or the bytes (UTF-8 then not); `unsupported`: a BOM of an encoding not read (UTF-32). */
export type EncodingSource = 'declared' | 'bom' | 'sniffed' | 'unsupported';

export class EncodingProblem extends Error {
  /** `sniffed`: UTF-8 text was followed by bytes that are not UTF-8; else the bytes are not valid in `encoding`. */
  constructor(
    readonly encoding: string,
    readonly source: EncodingSource,
  ) {
    super(source === 'sniffed' ? 'the file mixes UTF-8 and another encoding' : source === 'unsupported' ? `the file is ${encoding}, which is not read` : `the file is not valid ${encoding}`);
    this.name = 'EncodingProblem';
  }
}

/** The canonical name of a charset label (`latin1` is windows-1252, as browsers read it), or null if unknown. */
export function charsetName(label: string): string | null {
  try {
    return new TextDecoder(label.trim()).encoding;
  } catch {
    return null;
  }
}

const NON_ASCII = /[^\u0000-\u007f]/u; // eslint-disable-line no-control-regex -- the ASCII range itself

/** The bytes at the end of a piece a streaming UTF-8 decoder may still hold (an unfinished sequence). */
function heldTail(piece: Buffer): Buffer {
  let start = piece.length;
  while (start > 0 && piece.length - start < 3 && (piece[start - 1] ?? 0) >= 0x80) start -= 1;
  return piece.subarray(start);
}

/** Whether the valid start of `bytes` (up to the first byte that is not UTF-8) has UTF-8 that is not ASCII. */
function validUtf8Before(bytes: Buffer): boolean {
  const text = new TextDecoder('utf-8').decode(bytes);
  return NON_ASCII.test(text.slice(0, text.indexOf('\uFFFD')));
}

/** A UTF-32 byte order mark (no CSV tool saves it; TextDecoder cannot read it): refused by name rather than read as UTF-16 with NULs. */
function utf32Mark(prefix: Buffer): string | null {
  if (prefix.length >= 4 && prefix.readUInt32LE(0) === 0xfeff) return 'utf-32le';
  if (prefix.length >= 4 && prefix.readUInt32BE(0) === 0xfeff) return 'utf-32be';
  return null;
}

/** The UTF-16 its first two bytes announce (a byte order mark), or null. */
function byteOrderMark(prefix: Buffer): 'utf-16le' | 'utf-16be' | null {
  if (prefix[0] === 0xff && prefix[1] === 0xfe) return 'utf-16le';
  if (prefix[0] === 0xfe && prefix[1] === 0xff) return 'utf-16be';
  return null;
}

/** The text of a byte stream; `encoding` is the one read (final once iteration has ended). */
export class DecodedText implements AsyncIterable<string> {
  encoding: string;

  constructor(
    private readonly bytes: AsyncIterable<Buffer>,
    private readonly declared: string | null = null,
  ) {
    this.encoding = declared ?? 'utf-8';
  }

  [Symbol.asyncIterator](): AsyncIterator<string> {
    return this.read();
  }

  private async *read(): AsyncGenerator<string> {
    const { prefix, bytes } = await peek(this.bytes, 4);
    const utf32 = this.declared === null ? utf32Mark(prefix) : null;
    if (utf32) throw new EncodingProblem(utf32, 'unsupported');
    // A UTF-16 BOM says the order of a declared UTF-16 too; a declared charset of another kind wins over it.
    const marked = this.declared === null || this.declared.startsWith('utf-16') ? byteOrderMark(prefix) : null;
    if (marked) this.encoding = marked;
    if (marked) yield* this.strict(bytes, marked, this.declared ? 'declared' : 'bom');
    else if (this.declared) yield* this.strict(bytes, this.declared, 'declared');
    else yield* this.sniffed(bytes);
  }

  private async *strict(bytes: AsyncIterable<Buffer>, encoding: string, source: EncodingSource): AsyncGenerator<string> {
    // Drops the BOM of `encoding` itself (ignoreBOM: false), as the UTF-8 reader does.
    const decoder = new TextDecoder(encoding, { fatal: true });
    try {
      for await (const piece of bytes) yield decoder.decode(piece, { stream: true });
      const rest = decoder.decode();
      if (rest) yield rest;
    } catch (error) {
      throw error instanceof TypeError ? new EncodingProblem(encoding, source) : error;
    }
  }

  private async *sniffed(bytes: AsyncIterable<Buffer>): AsyncGenerator<string> {
    let decoder = new TextDecoder('utf-8', { fatal: true });
    let utf8Seen = false;
    let windows = false;
    let tail: Buffer = Buffer.alloc(0);
    for await (const piece of bytes) {
      if (windows) {
        yield decoder.decode(piece, { stream: true });
        continue;
      }
      let text: string;
      try {
        text = decoder.decode(piece, { stream: true });
      } catch {
        if (utf8Seen || validUtf8Before(Buffer.concat([tail, piece]))) throw new EncodingProblem('utf-8', 'sniffed');
        // Everything so far was ASCII, read the same in both: go on in Windows-1252 from the held bytes.
        decoder = new TextDecoder('windows-1252');
        windows = true;
        this.encoding = 'windows-1252';
        yield decoder.decode(Buffer.concat([tail, piece]), { stream: true });
        continue;
      }
      utf8Seen ||= NON_ASCII.test(text);
      tail = heldTail(piece);
      yield text;
    }
    try {
      const rest = decoder.decode();
      if (rest) yield rest;
    } catch {
      if (utf8Seen) throw new EncodingProblem('utf-8', 'sniffed');
      this.encoding = 'windows-1252';
      yield new TextDecoder('windows-1252').decode(tail);
    }
  }
}

/** Reads `bytes` as text: in `declared` (a canonical name from charsetName) if given, else UTF-16 by its BOM, UTF-8 or Windows-1252 as above. */
export function decodeText(bytes: AsyncIterable<Buffer>, declared: string | null = null): DecodedText {
  return new DecodedText(bytes, declared);
}

const SEPARATORS = [';', ',', '\t'] as const;
export type CsvSeparator = (typeof SEPARATORS)[number];

/** Excel's hint before the header of a file made for it: `sep=;` names the separator (a BOM may come before it). */
const SEP_LINE = /^\uFEFF?sep=([;,\t])[ \t]*(\r\n|\n|\r)/i;

/**
 * Excel's `sep=` line at the start of `head` (read up to the line break after it): the separator
 * it names and its length with its line break, or null. Every CSV reader asks this before
 * detectSeparator, so a file made for Excel is read alike everywhere.
 */
export function excelSeparatorLine(head: string): { readonly separator: CsvSeparator; readonly length: number } | null {
  const hint = SEP_LINE.exec(head);
  return hint ? { separator: hint[1] as CsvSeparator, length: hint[0].length } : null;
}

/** The separator the header line uses most (outside quotes); ';' when it has none (one column). */
export function detectSeparator(headerLine: string): CsvSeparator {
  const unquoted = headerLine.replace(/"[^"]*"/g, '');
  const counts = SEPARATORS.map((s) => unquoted.split(s).length - 1);
  const best = Math.max(...counts);
  return best === 0 ? ';' : (SEPARATORS[counts.indexOf(best)] ?? ';');
}

/** Text is handed on in pieces this long: the rows one piece makes stay few (bounded memory). */
const PIECE_CHARS = 64 * 1024;

/** `first`, then the rest of `rest`, in pieces of at most `pieceChars`. */
export async function* textPieces(first: string, rest: AsyncIterator<string>, pieceChars = PIECE_CHARS): AsyncGenerator<string> {
  let text = first;
  for (;;) {
    for (let at = 0; at < text.length; at += pieceChars) yield text.slice(at, at + pieceChars);
    const next = await rest.next();
    if (next.done) return;
    text = next.value;
  }
}

export interface SniffedCsv {
  readonly separator: CsvSeparator;
  /** Nothing but blanks before the first line break (or the end). */
  readonly empty: boolean;
  /** The file's line number of the header: 2 after Excel's `sep=` line, else 1. */
  readonly headerLine: number;
  /** The whole text (BOM and a `sep=` line dropped), header line included, in pieces of at most 64 K characters. */
  readonly text: AsyncGenerator<string>;
}

/** How much is read looking for the header line's end: past it the reader's own row limit speaks. */
const MAX_HEAD_CHARS = 1024 * 1024;

const LINE_BREAK = /[\r\n]/g;

/** Whether `text` has a line break at or after `from` that is not its last character (a last '\r' may be half of "\r\n"). */
function hasLineBreak(text: string, from: number): boolean {
  LINE_BREAK.lastIndex = from;
  const found = LINE_BREAK.exec(text);
  return found !== null && found.index < text.length - 1;
}

/**
 * Reads up to the end of the header line (at most about MAX_HEAD_CHARS) to find the separator:
 * Excel's `sep=` line when the file starts with one (the header is then the line after it),
 * else the header line's. The text read is given back in `text`. Only each new piece is
 * searched for a line break (and the last character before it): searching the whole head again
 * per piece took 52 s of the web process's CPU for a 30 MB file without one.
 */
export async function sniffCsv(text: AsyncIterable<string>): Promise<SniffedCsv> {
  const source = text[Symbol.asyncIterator]();
  let head = '';
  const readLine = async () => {
    for (let from = 0; !hasLineBreak(head, from) && head.length <= MAX_HEAD_CHARS; ) {
      from = Math.max(0, head.length - 1);
      const next = await source.next();
      if (next.done) return;
      head += next.value;
    }
  };
  await readLine();
  head = head.replace(/^\uFEFF/, '');
  const hint = excelSeparatorLine(head);
  if (hint) {
    head = head.slice(hint.length);
    await readLine();
  }
  const headerLine = head.split(/\r?\n|\r/, 1)[0] ?? '';
  return { separator: hint?.separator ?? detectSeparator(headerLine), empty: head.trim() === '', headerLine: hint ? 2 : 1, text: textPieces(head, source) };
}
