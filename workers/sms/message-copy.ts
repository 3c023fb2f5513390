// One COPY into sms_messages for the whole of a streamed batch, on a connection of its own:
// slices are written as they are decided, and a slow Postgres holds the writer back (write
// waits for 'drain'), so the upload is read no faster than it is stored. Abandoned, the COPY
// fails and nothing of it is kept. The COPY lasts as long as the upload (a 256 MB file at
// 1 Mbit/s: 35 minutes; the body deadline bounds the client's rate), so it is not bounded as a
// whole; each wait on Postgres is (a slice's 'drain', the COPY's end): one not over within
// DB_LONG_STATEMENT_TIMEOUT_MS plus a grace (a Postgres gone silent) drops the connection and
// fails the upload (503; the batch, still 'validating', is deleted or swept) instead of hanging.
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { QUERY_GRACE_MS, QueryReadTimeoutError, openConnection, type ConnectionSettings, type OwnConnection } from '../../db/database.js';
import { COPY_COLUMNS } from './copy-slice.js';

export class MessageCopy {
  private failure: Error | undefined;

  private constructor(
    private readonly client: OwnConnection,
    private readonly stream: ReturnType<typeof copyFrom>,
    /** How long one wait on Postgres may last (ms; 0: none). */
    private readonly waitBoundMs: number,
  ) {
    stream.on('error', (error: Error) => (this.failure ??= error));
  }

  static async open(settings: ConnectionSettings): Promise<MessageCopy> {
    // A connection lost mid-COPY fails the COPY stream, which the writer sees.
    const client = await openConnection(settings, 'tgg-sms-intake', { unboundedStatements: true });
    const bound = settings.db.longStatementTimeoutMs;
    return new MessageCopy(client, client.query(copyFrom(`COPY sms_messages (${COPY_COLUMNS}) FROM STDIN`)), bound === 0 ? 0 : bound + QUERY_GRACE_MS);
  }

  /** Waits for `work`; past the wait bound the connection is dropped, which fails the COPY stream and with it `work`. */
  private async bounded(work: Promise<unknown>): Promise<void> {
    const timer = this.waitBoundMs === 0 ? undefined : setTimeout(() => this.client.connection.stream.destroy(new QueryReadTimeoutError()), this.waitBoundMs);
    try {
      await work;
    } finally {
      clearTimeout(timer);
    }
  }

  async write(bytes: Uint8Array): Promise<void> {
    this.throwIfFailed();
    if (bytes.length === 0 || this.stream.write(bytes)) return;
    // A slice is megabytes, so nearly every write waits here. The wait's listeners go with it:
    // a finished() left behind per slice piled up on the stream ("MaxListenersExceededWarning:
    // 11 error listeners added to [CopyStreamQuery]" by a 1,000,000-row upload, issue 16).
    const waited = new AbortController();
    try {
      await this.bounded(Promise.race([once(this.stream, 'drain', { signal: waited.signal }), finished(this.stream, { signal: waited.signal })]));
    } finally {
      waited.abort();
    }
    this.throwIfFailed();
  }

  /** Whether every byte written so far has left the process (the buffers it came in may be reused). */
  released(): boolean {
    return this.stream.writableLength === 0 && this.client.connection.stream.writableLength === 0;
  }

  private throwIfFailed(): void {
    const failure = this.failure;
    if (failure) throw failure;
  }

  /** Ends the COPY: every row written is in sms_messages when this resolves. */
  async end(): Promise<void> {
    try {
      this.stream.end();
      await this.bounded(finished(this.stream));
    } finally {
      await this.client.close();
    }
  }

  /** Fails the COPY (none of its rows stay) and closes the connection. */
  async abort(): Promise<void> {
    this.stream.destroy(new Error('upload abandoned'));
    await this.client.close();
  }
}
