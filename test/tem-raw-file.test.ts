// An upload's raw file read back through binary COPY (issue 12): the bytes exactly, in seq
// order, in whatever pieces the stream arrives; a stream that is not what it should be is
// refused; the reader's connection is gone after a full read, after close() mid-read, and a
// connection terminated mid-read fails the read instead of hanging it.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { BinaryCopyField, BinaryCopyProblem } from '../workers/tem/binary-copy.js';
import { openRawFile } from '../workers/tem/raw-file.js';
import { createTestContext, waitFor } from './helpers/context.js';
import { insertOrganization } from './helpers/factories.js';

const ctx = await createTestContext();
const org = await insertOrganization(ctx.db);

async function newUpload(chunks: Buffer[], order = chunks.map((_, i) => i)): Promise<string> {
  const upload = await ctx.db
    .insertInto('tem_uploads')
    .values({ organization_id: org.id, kind: 'cdr', profile: null, carrier: null, sha256: randomBytes(32).toString('hex'), size_bytes: 1 })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const seq of order) await ctx.db.insertInto('tem_upload_chunks').values({ upload_id: upload.id, seq, data: chunks[seq] ?? Buffer.alloc(0) }).execute();
  return upload.id;
}

/** An upload of `chunks` rows of 8 MB, stored uncompressed (this test's database only): more than the sockets between Postgres and us hold. */
async function bigUpload(chunks: number): Promise<string> {
  const id = await newUpload([]);
  await sql`ALTER TABLE tem_upload_chunks ALTER COLUMN data SET STORAGE EXTERNAL`.execute(ctx.db);
  await sql`INSERT INTO tem_upload_chunks (upload_id, seq, data) SELECT ${id}, seq, decode(repeat('5a', 8388608), 'hex') FROM generate_series(0, ${chunks - 1}) seq`.execute(ctx.db);
  return id;
}

const readers = async () => (await sql<{ pid: number }>`SELECT pid FROM pg_stat_activity WHERE application_name = 'tgg-tem-raw' AND datname = current_database()`.execute(ctx.db)).rows;

/** A binary COPY stream of one bytea column, built by hand: header (with an extension area), rows, trailer. */
function binaryCopy(fields: Buffer[], extension = Buffer.alloc(0)): Buffer {
  const int16 = (n: number) => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
  const int32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    return b;
  };
  const rows = fields.flatMap((f) => [int16(1), int32(f.length), f]);
  return Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), int32(0), int32(extension.length), extension, ...rows, int16(-1)]);
}

function readAll(stream: Buffer, pieceSizes: number[]): Buffer {
  const field = new BinaryCopyField();
  const out: Buffer[] = [];
  let at = 0;
  for (let i = 0; at < stream.length; i++) {
    const size = pieceSizes[i % pieceSizes.length] ?? 1;
    for (const bytes of field.feed(stream.subarray(at, at + size))) out.push(Buffer.from(bytes));
    at += size;
  }
  field.end();
  return Buffer.concat(out);
}

describe('BinaryCopyField', () => {
  const fields = [randomBytes(1000), Buffer.alloc(0), Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), randomBytes(70_000), Buffer.from([0xff, 0xff])];
  const stream = binaryCopy(fields, Buffer.from('future'));

  it('hands on the fields’ bytes whatever the pieces (every size from 1 to 23, and whole)', () => {
    for (let size = 1; size <= 23; size++) expect(readAll(stream, [size]).equals(Buffer.concat(fields))).toBe(true);
    expect(readAll(stream, [stream.length]).equals(Buffer.concat(fields))).toBe(true);
    expect(readAll(stream, [3, 1, 4096, 7, 65_536]).equals(Buffer.concat(fields))).toBe(true);
  });

  it('refuses what is not a one-column binary COPY, a stream cut off before its trailer and bytes after it', () => {
    expect(() => readAll(Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\x01', 'latin1'), stream.subarray(11)]), [64])).toThrow(BinaryCopyProblem);
    const withOids = Buffer.from(stream);
    withOids.writeUInt32BE(0x10000, 11);
    expect(() => readAll(withOids, [64])).toThrow(/flags/);
    const header = binaryCopy([]).subarray(0, 19);
    expect(() => readAll(Buffer.concat([header, Buffer.from([0, 2, 0, 0, 0, 1, 0x41, 0, 0, 0, 1, 0x42, 0xff, 0xff])]), [5])).toThrow(/2 fields/);
    expect(() => readAll(stream.subarray(0, stream.length - 2), [64])).toThrow(/before its trailer/);
    expect(() => readAll(Buffer.concat([stream, Buffer.from([0])]), [64])).toThrow(/after the trailer/);
  });
});

describe('openRawFile', () => {
  it('reads the chunks back exactly, in seq order, and its connection is gone after the read', async () => {
    const chunks = [randomBytes(300_000), Buffer.alloc(0), Buffer.from('a;b\r\n'), Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(1)];
    const id = await newUpload(chunks, [3, 0, 4, 2, 1]);
    const other = await newUpload([Buffer.from('not this one')]);
    const raw = openRawFile(ctx.config, id);
    const pieces: Buffer[] = [];
    for await (const piece of raw) pieces.push(Buffer.from(piece));
    expect(Buffer.concat(pieces).equals(Buffer.concat(chunks))).toBe(true);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThanOrEqual(64 * 1024);
    expect(await readers()).toEqual([]);
    await raw.close();
    const alone: Buffer[] = [];
    for await (const piece of openRawFile(ctx.config, other)) alone.push(piece);
    expect(Buffer.concat(alone).toString()).toBe('not this one');
  });

  it('an upload without chunks reads as nothing', async () => {
    const raw = openRawFile(ctx.config, await newUpload([]));
    const pieces: Buffer[] = [];
    for await (const piece of raw) pieces.push(piece);
    expect(pieces).toEqual([]);
  });

  it('close() mid-read ends the connection (a parse that stops early leaves no COPY open)', async () => {
    const id = await bigUpload(6);
    const raw = openRawFile(ctx.config, id);
    const reading = raw[Symbol.asyncIterator]();
    expect((await reading.next()).done).toBe(false);
    expect(await readers()).toHaveLength(1);
    await raw.close();
    await waitFor(async () => (await readers()).length === 0, 'the reader connection gone');
    // What was still buffered may come out, then the read ends or fails: it never hangs.
    await expect((async () => { for (let next = await reading.next(); !next.done; next = await reading.next()); })()).rejects.toThrow();
  });

  it('a reader connection terminated mid-read fails the read', async () => {
    const id = await bigUpload(6);
    const raw = openRawFile(ctx.config, id);
    const reading = raw[Symbol.asyncIterator]();
    await reading.next();
    const [reader] = await readers();
    await sql`SELECT pg_terminate_backend(${reader?.pid})`.execute(ctx.db);
    await expect((async () => { for (let next = await reading.next(); !next.done; next = await reading.next()); })()).rejects.toThrow();
    await raw.close();
  });

  it('a signal aborted mid-read stops it and ends the connection', async () => {
    const id = await newUpload([randomBytes(2_000_000)]);
    const abort = new AbortController();
    const raw = openRawFile(ctx.config, id, abort.signal);
    const reading = raw[Symbol.asyncIterator]();
    await reading.next();
    abort.abort(new Error('stopped'));
    await expect((async () => { for (let next = await reading.next(); !next.done; next = await reading.next()); })()).rejects.toThrow('stopped');
    await waitFor(async () => (await readers()).length === 0, 'the reader connection gone');
  });
});
