// The upload limit on a body that announces no length (chunked): it is cut off as it streams,
// answered 413 naming the limit, and nothing of it is kept. A small TEM_MAX_UPLOAD_BYTES keeps
// the test quick; the 200 MB default by Content-Length is in tem-uploads.test.ts.
import { describe, expect, it } from 'vitest';
import { createTestContext } from './helpers/context.js';
import { baseUrl } from './helpers/http.js';
import { newOrganization, caller } from './helpers/identity.js';

const LIMIT = 64 * 1024;
const ctx = await createTestContext({ TEM_MAX_UPLOAD_BYTES: String(LIMIT) });
const runtime = await ctx.start({ roles: ['web'] });
const call = caller(runtime);
const org = await newOrganization(call, ctx, 'Gemeente Voorbeeld');


/** `pieces` pieces of 16 KB as a stream: fetch sends it chunked, without Content-Length. */
function chunked(pieces: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent === pieces) return controller.close();
      sent += 1;
      controller.enqueue(new Uint8Array(16 * 1024).fill(0x41));
    },
  });
}

async function post(body: ReadableStream<Uint8Array>, contentType: string) {
  // duplex 'half': Node's fetch streams the body, chunked.
  const init = { method: 'POST', headers: { authorization: `Bearer ${org.key}`, 'content-type': contentType }, body, duplex: 'half' as const };
  const response = await fetch(`${baseUrl(runtime)}/v1/invoices/uploads`, init);
  return { status: response.status, body: (await response.json()) as { errors?: { field: string; message: string }[] } };
}

const kept = async () => {
  const uploads = await ctx.db.selectFrom('tem_uploads').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const chunks = await ctx.db.selectFrom('tem_upload_chunks').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return { uploads: Number(uploads.n), chunks: Number(chunks.n) };
};

describe('the upload limit without Content-Length', () => {
  it('answers 413 to a chunked raw body one piece past TEM_MAX_UPLOAD_BYTES, keeping nothing', async () => {
    const answer = await post(chunked(LIMIT / (16 * 1024) + 1), 'text/csv');
    expect(answer.status).toBe(413);
    expect(answer.body.errors).toEqual([{ field: 'body', message: `larger than ${LIMIT} bytes` }]);
    expect(await kept()).toEqual({ uploads: 0, chunks: 0 });
  });

  it('answers 413 to a chunked multipart body whose file is past the limit, keeping nothing', async () => {
    const boundary = 'tem-limit-boundary';
    const head = new TextEncoder().encode(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\nContent-Type: text/csv\r\n\r\n`);
    const tail = new TextEncoder().encode(`\r\n--${boundary}--\r\n`);
    const file = chunked(LIMIT / (16 * 1024) + 1).getReader();
    let stage = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (stage === 0) {
          stage = 1;
          return controller.enqueue(head);
        }
        const next = await file.read();
        if (!next.done) return controller.enqueue(next.value);
        if (stage === 1) {
          stage = 2;
          return controller.enqueue(tail);
        }
        controller.close();
      },
    });
    const answer = await post(body, `multipart/form-data; boundary=${boundary}`);
    expect(answer.status).toBe(413);
    expect(await kept()).toEqual({ uploads: 0, chunks: 0 });
  });

  it('takes a chunked body of exactly the limit', async () => {
    const answer = await post(chunked(LIMIT / (16 * 1024)), 'text/csv');
    expect(answer.status).toBe(202);
    expect(await kept()).toMatchObject({ uploads: 1 });
  });
});
