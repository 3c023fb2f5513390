// An upload's raw bytes read back by binary COPY (the e-invoice parse's reader, issue 13): the
// same bytes in the same order whatever the chunk sizes, in pieces of at most 64 KB, headers
// split across network pieces carried over, and the connection gone when the reader stops early.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { binaryCopyField, rawBytesByCopy } from '../workers/tem/raw-copy.js';
import { createTestContext } from './helpers/context.js';
import { insertOrganization } from './helpers/factories.js';

const ctx = await createTestContext();
const org = await insertOrganization(ctx.db);

async function uploadOf(chunks: readonly Buffer[]): Promise<string> {
  const upload = await ctx.db
    .insertInto('tem_uploads')
    .values({ organization_id: org.id, kind: 'cdr', profile: null, carrier: null, sha256: randomBytes(32).toString('hex'), size_bytes: 1 })
    .returning('id')
    .executeTakeFirstOrThrow();
  // Inserted out of order: the reader must follow seq, not insertion.
  for (const [seq, data] of [...chunks.entries()].reverse()) await ctx.db.insertInto('tem_upload_chunks').values({ upload_id: upload.id, seq, data }).execute();
  return upload.id;
}

async function collect(pieces: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const piece of pieces) out.push(Buffer.from(piece));
  return out;
}

describe('rawBytesByCopy', () => {
  it('gives back every chunk row in seq order, byte for byte, in pieces of at most 64 KB', async () => {
    const chunks = [randomBytes(1 << 20), randomBytes(1), randomBytes(70_000), Buffer.from('PGCOPY\n\xff\r\n\0 looks like a header'), randomBytes(300_001)];
    const pieces = await collect(rawBytesByCopy(ctx.config.databaseUrl, await uploadOf(chunks)));
    expect(Buffer.concat(pieces).equals(Buffer.concat(chunks))).toBe(true);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThanOrEqual(64 * 1024);
  });

  it('gives nothing for an upload without chunks', async () => {
    expect(await collect(rawBytesByCopy(ctx.config.databaseUrl, await uploadOf([])))).toEqual([]);
  });

  it('closes its connection when the reader stops early', async () => {
    const id = await uploadOf([randomBytes(1 << 20), randomBytes(1 << 20), randomBytes(1 << 20)]);
    for await (const piece of rawBytesByCopy(ctx.config.databaseUrl, id)) {
      expect(piece.length).toBeGreaterThan(0);
      break;
    }
    const open = async () => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'tgg-tem-raw'`.execute(ctx.db)).rows[0]?.n;
    for (let i = 0; i < 50 && (await open()) !== 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await open()).toBe(0);
  });
});

describe('binaryCopyField', () => {
  /** A binary COPY stream of one bytea column, as Postgres writes it. */
  function stream(fields: readonly Buffer[], extension = Buffer.alloc(0)): Buffer {
    const header = Buffer.alloc(19);
    header.write('PGCOPY\n\xff\r\n\0', 0, 'latin1');
    header.writeUInt32BE(extension.length, 15);
    const tuples = fields.map((f) => {
      const head = Buffer.alloc(6);
      head.writeInt16BE(1, 0);
      head.writeInt32BE(f.length, 2);
      return Buffer.concat([head, f]);
    });
    return Buffer.concat([header, extension, ...tuples, Buffer.from([0xff, 0xff])]);
  }
  const split = (bytes: Buffer, size: number) => Readable.from(Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size)));

  it('reads the fields whatever the network pieces, headers split across them included', async () => {
    const fields = [Buffer.from('abc'), Buffer.alloc(0), randomBytes(1000), Buffer.from([0xff, 0xff, 0, 1])];
    const bytes = stream(fields, Buffer.from('ext'));
    for (const size of [1, 2, 3, 5, 7, 19, 22, 1000, bytes.length]) {
      expect(Buffer.concat(await collect(binaryCopyField(split(bytes, size)))), `pieces of ${size}`).toEqual(Buffer.concat(fields));
    }
  });

  it('refuses a stream cut short or of another shape', async () => {
    const bytes = stream([Buffer.from('abcdef')]);
    await expect(collect(binaryCopyField(split(bytes.subarray(0, bytes.length - 4), 5)))).rejects.toThrow(/ended early/);
    await expect(collect(binaryCopyField(split(Buffer.from('not a copy stream at all'), 4)))).rejects.toThrow(/not a binary COPY/);
    const two = Buffer.from(bytes);
    two.writeInt16BE(2, 19);
    await expect(collect(binaryCopyField(split(two, 64)))).rejects.toThrow(/2 fields/);
  });
});
