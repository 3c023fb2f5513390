// Batch intake, from a review: an upload cut off mid-file answers (no hanging request, no
// batch left 'validating'); a lone UTF-16 surrogate is refused at the edge like a NUL;
// concurrent batches of an organisation with opt-outs do not wait on each other's connections;
// a cancel stores its callback with it.
//
// Independent of the machine's speed: a cut-off upload ends only when this file ends it (its
// body's idle deadline is an hour, not 30 s), the waits are for what the server does (a slice
// stored, the COPY gone), and only the test's own timeout (minutes) catches a request that hangs.
import { request } from 'node:http';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createTestContext, waitFor } from './helpers/context.js';
import { baseUrl } from './helpers/http.js';
import { caller, fieldsOf, newOrganization, type Answer, type ProblemBody } from './helpers/identity.js';
import { mobile } from './helpers/sms.js';

const ctx = await createTestContext({ HTTP_BODY_IDLE_TIMEOUT_MS: '3600000' });
/** How long a cut-off upload's step may take on a loaded machine (a 10,000-row slice validated and stored took over 10 s at load 20). */
const CUT_OFF_MS = 120_000;
// The web role only: batches stay as accepted, nothing is sent.
const runtime = await ctx.start({ roles: ['web'] });
const call = caller(runtime);
const org = await newOrganization(call, ctx, 'Drukkerij Smit');

interface Batch {
  id: string;
  status: string;
  accepted: number;
  counts?: Record<string, number>;
}

async function stored(): Promise<{ batches: number; messages: number }> {
  const batches = await ctx.db.selectFrom('sms_batches').select((eb) => eb.fn.countAll<string>().as('n')).where('organization_id', '=', org.id).executeTakeFirstOrThrow();
  const messages = await ctx.db.selectFrom('sms_messages').select((eb) => eb.fn.countAll<string>().as('n')).where('organization_id', '=', org.id).executeTakeFirstOrThrow();
  return { batches: Number(batches.n), messages: Number(messages.n) };
}

/** COPYs of a CSV intake (workers/sms/message-copy.ts) open on this test's database. */
async function intakeCopies(): Promise<number> {
  const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'tgg-sms-intake' AND query LIKE 'COPY%'`.execute(ctx.db);
  return Number(rows[0]?.n ?? 0);
}

async function post<T = ProblemBody>(path: string, contentType: string, body: string, headers: Record<string, string> = {}): Promise<Answer<T>> {
  const response = await fetch(`${baseUrl(runtime)}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${org.key}`, 'content-type': contentType, ...headers },
    body,
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as T };
}

const boundary = 'intake-review-boundary';

/** A multipart upload of sender, body and a CSV file cut inside a row: no closing boundary. */
function cutOffUpload(rows: number): string {
  const part = (headers: string, content: string) => `--${boundary}\r\n${headers}\r\n\r\n${content}`;
  const lines = Array.from({ length: rows }, (_, i) => `${mobile(i)},Klant ${i}`);
  return [
    part('Content-Disposition: form-data; name="sender"', 'Smit\r\n'),
    part('Content-Disposition: form-data; name="body"', 'Hoi {{naam}}\r\n'),
    part('Content-Disposition: form-data; name="file"; filename="klanten.csv"\r\nContent-Type: text/csv', `phone,naam\n${lines.join('\n')}\n+316123`),
  ].join('');
}

describe('a CSV upload cut off mid-file', { timeout: 2.5 * CUT_OFF_MS }, () => {
  it('answers 400 naming body.file and keeps no batch, even after a slice was stored', async () => {
    const before = await stored();
    const answer = await post('/v1/sms/batches/csv', `multipart/form-data; boundary=${boundary}`, cutOffUpload(15_000));
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toMatch(/json/);
    expect(fieldsOf(answer)).toEqual(['body.file']);
    expect(await stored()).toEqual(before);
  });

  it('abandons the batch when the client goes away mid-file', async () => {
    const before = await stored();
    const url = new URL('/v1/sms/batches/csv', baseUrl(runtime));
    const req = request(url, { method: 'POST', headers: { authorization: `Bearer ${org.key}`, 'content-type': `multipart/form-data; boundary=${boundary}` } });
    req.on('error', () => undefined);
    req.write(cutOffUpload(12_000));
    // The batch exists ('validating', its first slice being copied into sms_messages) while the upload is still open.
    await waitFor(async () => (await stored()).batches > before.batches && (await intakeCopies()) > 0, 'the first slice being copied', CUT_OFF_MS);
    req.destroy();
    await waitFor(async () => {
      const now = await stored();
      return now.batches === before.batches && now.messages === before.messages && (await intakeCopies()) === 0;
    }, 'the batch abandoned, its COPY failed', CUT_OFF_MS);
  });

  it('is harmless when its Idempotency-Key is a replay: the first batch, the file unread', async () => {
    const headers = { 'idempotency-key': 'cut-off-replay' };
    const first = new FormData();
    first.append('sender', 'Smit');
    first.append('body', 'Hoi {{naam}}');
    first.append('file', new Blob(['phone,naam\n0612345678,Anna\n'], { type: 'text/csv' }), 'klanten.csv');
    const accepted = await fetch(`${baseUrl(runtime)}/v1/sms/batches/csv`, { method: 'POST', headers: { authorization: `Bearer ${org.key}`, ...headers }, body: first });
    expect(accepted.status).toBe(202);
    const { id } = (await accepted.json()) as Batch;
    const again = await post<Batch>('/v1/sms/batches/csv', `multipart/form-data; boundary=${boundary}`, cutOffUpload(10), headers);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(id);
    // The server is still there.
    expect((await call('get', `/v1/sms/batches/${id}`, { auth: org.key })).status).toBe(200);
  });
});

describe('a lone UTF-16 surrogate', () => {
  const batchWithName = (escaped: string) => `{"sender":"Smit","body":"Hoi {{naam}}","recipients":[{"phone":"0612345678","fields":{"naam":"${escaped}"}}]}`;

  it('is refused with 400 naming the field, like a NUL, and keeps no batch', async () => {
    const before = await stored();
    const answer = await post('/v1/sms/batches', 'application/json', batchWithName('\\ud800'));
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([{ field: 'body.recipients.0.fields.naam', message: 'contains a lone surrogate' }]);
    expect(await stored()).toEqual(before);
  });

  it('is not a surrogate pair: an emoji is accepted', async () => {
    const answer = await post<Batch>('/v1/sms/batches', 'application/json', batchWithName('\\ud83d\\ude00'));
    expect(answer.status).toBe(202);
    expect(answer.body.accepted).toBe(1);
  });
});

describe('concurrent batches of an organisation with opt-outs', () => {
  it('all get in: a batch transaction asks nothing of a second connection', async () => {
    const optedOut = mobile(900_001);
    expect((await call('post', '/v1/sms/opt-outs', { auth: org.key, body: { phone: optedOut } })).status).toBe(201);
    // More batches at once than the runtime's 10 pooled connections.
    const answers = await Promise.all(
      Array.from({ length: 14 }, (_, b) =>
        call<Batch>('post', '/v1/sms/batches', {
          auth: org.key,
          body: { sender: 'Smit', body: 'Uw drukwerk is klaar.', recipients: [{ phone: optedOut }, ...Array.from({ length: 50 }, (_, i) => ({ phone: mobile(100_000 + b * 100 + i) }))] },
        }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 202));
    for (const answer of answers) {
      const batch = await call<Batch>('get', `/v1/sms/batches/${answer.body.id}`, { auth: org.key });
      expect(batch.body.counts).toMatchObject({ queued: 50, suppressed: 1 });
    }
  });
});

describe('cancel', () => {
  it("stores the 'cancelled' callback with the cancel", async () => {
    const submitted = await call<Batch>('post', '/v1/sms/batches', {
      auth: org.key,
      body: { sender: 'Smit', body: 'Later', sendAt: new Date(Date.now() + 86_400_000).toISOString(), callbackUrl: 'http://127.0.0.1:9/hooks', recipients: [{ phone: mobile(800_001) }] },
    });
    expect(submitted.status).toBe(202);
    const cancel = await call<Batch>('post', `/v1/sms/batches/${submitted.body.id}/cancel`, { auth: org.key });
    expect(cancel.status).toBe(200);
    const callbacks = await ctx.db.selectFrom('sms_callbacks').select('payload').where('batch_id', '=', submitted.body.id).execute();
    expect(callbacks.map((c) => c.payload)).toEqual([expect.objectContaining({ type: 'batch.status', status: 'cancelled', batchId: submitted.body.id })]);
  });
});

describe('the callback secret', () => {
  it("rotates to a new one from the column's default, never cached", async () => {
    const before = await call<{ callbackSecret: string }>('get', '/v1/callback-secret', { auth: org.key });
    const rotated = await call<{ callbackSecret: string }>('post', '/v1/callback-secret/rotate', { auth: org.key });
    expect(rotated.status).toBe(200);
    expect(rotated.headers.get('cache-control')).toBe('no-store');
    expect(rotated.body.callbackSecret).toMatch(/^[0-9a-f]{64}$/);
    expect(rotated.body.callbackSecret).not.toBe(before.body.callbackSecret);
    expect((await call<{ callbackSecret: string }>('get', '/v1/callback-secret', { auth: org.key })).body.callbackSecret).toBe(rotated.body.callbackSecret);
  });
});
