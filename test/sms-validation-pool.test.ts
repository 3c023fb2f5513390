// Issue 16: the validation pool of a small web process. No thread at rest, at most 2 by default
// however many cores the host shows, and a streamed slice's COPY lines written into the
// caller's shared buffer (reused slice after slice), after the per-message columns, with the same bytes as in-process, even at
// the worst a slice can be (10,000 texts of 10 segments) under the thread's heap limits.
import { afterAll, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { columnBytes, copySlice, type CopySliceInput } from '../workers/sms/copy-slice.js';
import { CsvRecipients } from '../workers/sms/csv-recipients.js';
import { SliceBuffers } from '../workers/sms/slice-buffers.js';
import { closeValidationPool, copyRecipients, poolThreads, validationThreads } from '../workers/sms/validation-pool.js';

afterAll(closeValidationPool);

const PRICES = { '+31': '0.0750', default: '0.1200' };
const META = { batchId: '00000000-0000-4000-8000-000000000001', organizationId: '00000000-0000-4000-8000-000000000002', prices: PRICES };

/** JSON as a streamed slice carries it: UTF-8 in shared memory. */
function sharedJson(value: unknown): Uint8Array {
  const bytes = Buffer.from(JSON.stringify(value));
  const view = new Uint8Array(new SharedArrayBuffer(bytes.length));
  view.set(bytes);
  return view;
}

function recipients(count: number, name: (i: number) => string) {
  return Array.from({ length: count }, (_, i) => ({ phone: `+316${String(20_000_000 + i)}`, fields: { naam: name(i) } }));
}

describe('poolThreads', () => {
  it('leaves one core to the event loop and takes at most 2 unless configured', () => {
    expect(poolThreads(undefined, 1)).toBe(1);
    expect(poolThreads(undefined, 2)).toBe(1);
    expect(poolThreads(undefined, 3)).toBe(2);
    expect(poolThreads(undefined, 64)).toBe(2);
    expect(poolThreads(5, 2)).toBe(5);
  });
});

describe('SliceBuffers', () => {
  it('lends a buffer again only when given back reusable, and keeps no more than asked', () => {
    const buffers = new SliceBuffers(1024, 1);
    const a = buffers.take();
    const b = buffers.take();
    expect(b).not.toBe(a);
    buffers.give(a);
    buffers.give(b);
    expect(buffers.take()).toBe(a);
    expect(buffers.take()).not.toBe(b);
    buffers.give(a, false);
    expect(buffers.take()).not.toBe(a);
  });
});

describe('copyRecipients on the pool', () => {
  it('starts no thread before the first slice', () => {
    expect(validationThreads()).toBe(0);
  });

  it('writes the COPY lines into the shared buffer, byte for byte as in-process, and into their own buffer when they do not fit', async () => {
    const list = recipients(2_000, (i) => (i % 7 === 0 ? 'Zoë\ttab' : `Anna ${i}`));
    list.push({ phone: 'geen nummer', fields: { naam: 'x' } });
    const input: CopySliceInput = { body: 'Hallo {{naam}}, tot morgen', firstSeq: 40_000, recipients: list, ...META };
    const expected = copySlice(input);
    const into = new SharedArrayBuffer(1 << 20);
    const json = sharedJson(list);
    const shared = await copyRecipients({ body: input.body, firstSeq: input.firstSeq, ...META }, json, into);
    const n = expected.seqs.length;
    expect(shared.copy.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Buffer.from(shared.copy).equals(Buffer.from(expected.copy))).toBe(true);
    // The same memory as the caller's, the columns first and the lines after them: nothing was copied back.
    expect(Buffer.from(into, columnBytes(n), 16).equals(Buffer.from(expected.copy).subarray(0, 16))).toBe(true);
    expect(shared.seqs.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect([...new Uint32Array(into, 24 * n, n)]).toEqual([...expected.seqs]);
    expect(shared.rejections).toEqual([{ index: 42_000, reason: 'invalid-phone' }]);
    for (const column of ['ends', 'costAt', 'seqs', 'phones', 'segments', 'ucs2', 'units'] as const) expect([...shared[column]], column).toEqual([...expected[column]]);

    // Room for the columns, not the lines: the lines come in a buffer of their own.
    const columnsOnly = await copyRecipients({ body: input.body, firstSeq: input.firstSeq, ...META }, json, new SharedArrayBuffer(columnBytes(n) + 1_000));
    expect(columnsOnly.seqs.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(columnsOnly.copy.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    expect(Buffer.from(columnsOnly.copy).equals(Buffer.from(expected.copy))).toBe(true);
    expect([...columnsOnly.ends]).toEqual([...expected.ends]);

    const small = new SharedArrayBuffer(1_000);
    const own = await copyRecipients({ body: input.body, firstSeq: input.firstSeq, ...META }, json, small);
    expect(own.copy.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    expect(own.seqs.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    expect(Buffer.from(own.copy).equals(Buffer.from(expected.copy))).toBe(true);
    expect([...own.units]).toEqual([...expected.units]);
    expect(validationThreads()).toBeGreaterThan(0);
  }, 60_000);

  it('takes a slice at its largest (10,000 texts of 10 segments) within the thread heap limits', async () => {
    const body = `${'x'.repeat(1_500)} {{naam}}`;
    const list = recipients(10_000, (i) => `n${i}`);
    const slice = await copyRecipients({ body, firstSeq: 0, ...META }, sharedJson(list), new SharedArrayBuffer(4 << 20));
    expect(slice.rejections).toEqual([]);
    expect(slice.seqs.length).toBe(10_000);
    expect(Math.max(...slice.segments)).toBe(10);
    // 15 MB of lines: more than the shared buffer, so in one of their own.
    expect(slice.copy.byteLength).toBeGreaterThan(15_000_000);
  }, 120_000);
});

describe('CsvRecipients slices', () => {
  const read = (slice: { json: Uint8Array }) => JSON.parse(Buffer.from(slice.json).toString('utf8')) as { phone: string; fields: { naam: string; notitie: string } }[];

  it('cuts a slice at 2 MB of JSON before its row count, and reuses a released buffer without mixing rows', async () => {
    // 120 rows of 40 fields of 1,000 characters: about 4.8 MB, so at least 3 slices of far fewer than 10,000 rows.
    const header = `phone,${Array.from({ length: 40 }, (_, f) => `f${f}`).join(',')}\n`;
    const line = (i: number) => `+316${20_000_000 + i},${Array.from({ length: 40 }, (_, f) => `${String.fromCharCode(97 + ((i + f) % 26))}`.repeat(1_000)).join(',')}\n`;
    const csv = new CsvRecipients(Readable.from([header, ...Array.from({ length: 120 }, (_, i) => line(i))].map((t) => Buffer.from(t))), { sliceSize: 10_000, maxRows: 1_000, charset: null });
    const counts: number[] = [];
    const buffers = new Set<ArrayBufferLike>();
    let next = 0;
    for await (const slice of csv.slices()) {
      expect(slice.json.byteLength).toBeLessThanOrEqual(2 * 1024 * 1024);
      const rows = read(slice);
      expect(rows.length).toBe(slice.count);
      for (const row of rows) {
        expect(row.phone).toBe(`+316${20_000_000 + next}`);
        expect(Object.values(row.fields)[0]).toBe(String.fromCharCode(97 + (next % 26)).repeat(1_000));
        next += 1;
      }
      counts.push(slice.count);
      buffers.add(slice.json.buffer);
      slice.release();
    }
    expect(next).toBe(120);
    expect(counts.length).toBeGreaterThanOrEqual(3);
    // Released at once, each slice's buffer is the one before's again (one for the writer, one for the next).
    expect(buffers.size).toBeLessThanOrEqual(2);
  });
});
