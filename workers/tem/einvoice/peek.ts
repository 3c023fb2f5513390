// The first bytes of a streamed body, read ahead to tell its kind, then given back in front of the rest.
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
    yield* head;
    if (ended) return;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  }
  return { prefix: Buffer.concat(head).subarray(0, limit), bytes: bytes() };
}
