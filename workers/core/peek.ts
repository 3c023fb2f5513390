// The first bytes of a streamed body, read ahead to tell its kind (an XML root, a byte order
// mark), then given back in front of the rest.
export const PEEK_BYTES = 64 * 1024;

export async function peek(body: AsyncIterable<Buffer>, limit = PEEK_BYTES): Promise<{ prefix: Buffer; bytes: AsyncIterable<Buffer> }> {
  const iterator = body[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let size = 0;
  let ended = false;
  while (size < limit) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    head.push(next.value);
    size += next.value.length;
  }
  async function* bytes(): AsyncGenerator<Buffer> {
    let done = ended;
    try {
      yield* head;
      while (!done) {
        const next = await iterator.next();
        done = next.done === true;
        if (!done) yield next.value as Buffer;
      }
    } finally {
      // A reader that stops early stops the body too, as its own for-await would (a Readable is destroyed).
      if (!done) await iterator.return?.();
    }
  }
  return { prefix: Buffer.concat(head).subarray(0, limit), bytes: bytes() };
}
