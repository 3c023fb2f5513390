// The one column of `COPY (SELECT col ...) TO STDOUT (FORMAT binary)` as its bytes, whatever
// the pieces the stream arrives in: the header (signature, flags, extension) is skipped, each
// row's field is handed on as it comes, in subarrays of the pieces (nothing copied), and the
// trailer ends it. https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.4
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

export class BinaryCopyProblem extends Error {
  constructor(message: string) {
    super(`binary COPY: ${message}`);
    this.name = 'BinaryCopyProblem';
  }
}

type State = 'signature' | 'flags' | 'extension-length' | 'extension' | 'field-count' | 'field-length' | 'field' | 'ended';

export class BinaryCopyField {
  private state: State = 'signature';
  /** The bytes of a fixed-size part read so far (it may span pieces). */
  private held = Buffer.alloc(0);
  /** Bytes still to come of the extension or the current field. */
  private left = 0;

  /** The field bytes in `piece`. */
  *feed(piece: Buffer): Generator<Buffer> {
    let at = 0;
    while (at < piece.length) {
      if (this.state === 'ended') throw new BinaryCopyProblem('bytes after the trailer');
      if (this.state === 'field' || this.state === 'extension') {
        const n = Math.min(this.left, piece.length - at);
        if (this.state === 'field' && n > 0) yield piece.subarray(at, at + n);
        at += n;
        this.left -= n;
        if (this.left === 0) this.state = 'field-count';
        continue;
      }
      const size = this.state === 'signature' ? SIGNATURE.length : this.state === 'field-count' ? 2 : 4;
      const take = Math.min(size - this.held.length, piece.length - at);
      this.held = Buffer.concat([this.held, piece.subarray(at, at + take)]);
      at += take;
      if (this.held.length < size) continue;
      const part = this.held;
      this.held = Buffer.alloc(0);
      this.step(part);
    }
  }

  /** The stream ended: it must have ended with the trailer. */
  end(): void {
    if (this.state !== 'ended') throw new BinaryCopyProblem('the stream ended before its trailer');
  }

  private step(part: Buffer): void {
    switch (this.state) {
      case 'signature':
        if (!part.equals(SIGNATURE)) throw new BinaryCopyProblem('not a binary COPY stream');
        this.state = 'flags';
        return;
      case 'flags':
        // Bits 0-15 are critical (a reader refuses one it does not know); bit 16 would add each row's OID.
        if ((part.readUInt32BE(0) & 0x1ffff) !== 0) throw new BinaryCopyProblem('unexpected header flags');
        this.state = 'extension-length';
        return;
      case 'extension-length':
        this.left = part.readUInt32BE(0);
        this.state = this.left === 0 ? 'field-count' : 'extension';
        return;
      case 'field-count': {
        const count = part.readInt16BE(0);
        if (count === -1) this.state = 'ended';
        else if (count === 1) this.state = 'field-length';
        else throw new BinaryCopyProblem(`a row of ${count} fields, not 1`);
        return;
      }
      case 'field-length': {
        const length = part.readInt32BE(0);
        // NULL (-1) has no bytes.
        this.left = Math.max(0, length);
        this.state = this.left === 0 ? 'field-count' : 'field';
        return;
      }
      case 'extension':
      case 'field':
      case 'ended':
        return;
    }
  }
}
