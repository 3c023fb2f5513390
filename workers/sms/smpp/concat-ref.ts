// Concatenation references (the 8-bit reference of the UDH, 3GPP TS 23.040 9.2.3.24.1), counted
// per destination: two long messages to one number get different references for the next 255
// long messages to it, so a handset never joins the parts of one to the other. Each destination
// starts at a random reference, so a restarted worker, or a second one, does not repeat the
// references it sent last. The least recently used destinations are forgotten beyond `max`.
import { randomInt } from 'node:crypto';

export class ConcatReferences {
  private readonly last = new Map<string, number>();

  constructor(private readonly max = 100_000) {}

  take(destination: string): number {
    const previous = this.last.get(destination);
    const reference = previous === undefined ? randomInt(256) : (previous + 1) & 0xff;
    if (previous !== undefined) this.last.delete(destination);
    else if (this.last.size >= this.max) this.last.delete(this.last.keys().next().value ?? '');
    this.last.set(destination, reference);
    return reference;
  }
}
