// The recipients a batch has seen so far, so a duplicate goes out once. A 1,000,000-row CSV
// must fit a small web process: a Set of a million number strings takes about 80 MB of heap,
// so E.164 numbers (at most 15 digits: exact as a double) are kept in an open-addressing table
// of a Float64Array, 16 bytes a number. E-mail addresses (few) go in an ordinary Set.
const EMPTY = 0; // no E.164 number is 0

export class SeenRecipients {
  // Small at first: most batches are a few recipients, and a 32 kB table each (as it was) is
  // 16 MB a second of garbage at 500 batches a second. It doubles as it fills.
  private table = new Float64Array(16);
  private size = 0;
  private readonly emails = new Set<string>();

  /** True if the recipient was new (and is now seen). */
  add(phone: string | null, email: string | null): boolean {
    if (phone === null) {
      const key = email ?? '';
      if (this.emails.has(key)) return false;
      this.emails.add(key);
      return true;
    }
    return this.addNumber(Number(phone.slice(1)));
  }

  /** add() for an E.164 number given as the number of its digits. */
  addNumber(value: number): boolean {
    if (!Number.isSafeInteger(value) || value === EMPTY) throw new Error('a validated phone number is +digits');
    if (!this.insert(value)) return false;
    this.size += 1;
    if (this.size * 2 > this.table.length) this.grow();
    return true;
  }

  private insert(value: number): boolean {
    const mask = this.table.length - 1;
    // Multiplicative hash of the low and high halves; linear probing.
    let at = (Math.imul(value % 0x7fffffff | 0, 0x9e3779b1) ^ Math.imul(Math.floor(value / 0x7fffffff) | 0, 0x85ebca6b)) & mask;
    for (;;) {
      const found = this.table[at];
      if (found === value) return false;
      if (found === EMPTY) {
        this.table[at] = value;
        return true;
      }
      at = (at + 1) & mask;
    }
  }

  private grow(): void {
    const old = this.table;
    this.table = new Float64Array(old.length * 2);
    for (const value of old) if (value !== EMPTY) this.insert(value);
  }
}
