// The COPY of a streamed (CSV) batch (workers/sms/message-copy.ts) waits for Postgres on every
// slice: a slice's lines are megabytes, past the stream's buffer, so each write waits for
// 'drain'. That wait once left its listeners on the COPY stream (a finished() per slice), and a
// 1,000,000-row upload warned "MaxListenersExceededWarning: 11 error listeners added to
// [CopyStreamQuery]" from its eleventh slice on (issue 16).
import { sql } from 'kysely';
import { describe, expect, it, onTestFinished } from 'vitest';
import { MessageCopy } from '../workers/sms/message-copy.js';
import { createTestContext } from './helpers/context.js';
import { insertBatch, insertOrganization } from './helpers/factories.js';

const ctx = await createTestContext();

/** `count` COPY lines of sms_messages (COPY_COLUMNS) for `batchId`, from `firstSeq`. */
function lines(batchId: string, organizationId: string, firstSeq: number, count: number): Buffer {
  let text = '';
  for (let seq = firstSeq; seq < firstSeq + count; seq++) {
    text += `${batchId}\t${organizationId}\t${seq}\tsms\t+3161234${String(seq).padStart(4, '0')}\t\\N\t\\N\tHallo, dit is bericht ${seq}\t+3161234${String(seq).padStart(4, '0')}\tgsm7\t1\t\\N\t\\N\t0.0750\tqueued\n`;
  }
  return Buffer.from(text);
}

describe('MessageCopy', () => {
  it('writes slice after slice, each past the buffer, without piling listeners on the COPY stream', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on('warning', onWarning);
    onTestFinished(() => void process.off('warning', onWarning));

    const organization = await insertOrganization(ctx.db);
    const batch = await insertBatch(ctx.db, { organization_id: organization.id, status: 'validating' });
    const copy = await MessageCopy.open(ctx.config);
    const slices = 20;
    const perSlice = 10_000; // about 1 MB a slice, as a CSV slice is: far over the 16 KB a write may buffer
    for (let slice = 0; slice < slices; slice++) await copy.write(lines(batch.id, organization.id, slice * perSlice, perSlice));
    await copy.end();
    // process.emitWarning emits on the next tick.
    await new Promise((resolve) => setImmediate(resolve));

    expect(warnings.filter((w) => w.startsWith('MaxListenersExceededWarning'))).toEqual([]);
    const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM sms_messages WHERE batch_id = ${batch.id}`.execute(ctx.db);
    expect(Number(rows[0]?.n)).toBe(slices * perSlice);
  });
});
