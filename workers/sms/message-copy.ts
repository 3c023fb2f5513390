// One COPY into sms_messages for the whole of a streamed batch, on a connection of its own:
// slices are written as they are decided, and a slow Postgres holds the writer back (write
// waits for 'drain'), so the upload is read no faster than it is stored. Abandoned, the COPY
// fails and nothing of it is kept. The connection has the bounds of every other (openConnection):
// a Postgres gone silent fails the COPY within DB_LONG_STATEMENT_TIMEOUT_MS plus a grace, and the
// upload with it (503; the batch, still 'validating', is deleted or swept), instead of hanging.
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { openConnection, type ConnectionSettings, type OwnConnection } from '../../db/database.js';
import { COPY_COLUMNS } from './copy-slice.js';

export class MessageCopy {
  private failure: Error | undefined;

  private constructor(
    private readonly client: OwnConnection,
    private readonly stream: ReturnType<typeof copyFrom>,
  ) {
    stream.on('error', (error: Error) => (this.failure ??= error));
  }

  static async open(settings: ConnectionSettings): Promise<MessageCopy> {
    // A connection lost mid-COPY fails the COPY stream, which the writer sees.
    const client = await openConnection(settings, 'tgg-sms-intake');
    return new MessageCopy(client, client.query(copyFrom(`COPY sms_messages (${COPY_COLUMNS}) FROM STDIN`)));
  }

  async write(bytes: Uint8Array): Promise<void> {
    this.throwIfFailed();
    if (bytes.length === 0 || this.stream.write(bytes)) return;
    // A slice is megabytes, so nearly every write waits here. The wait's listeners go with it:
    // a finished() left behind per slice piled up on the stream ("MaxListenersExceededWarning:
    // 11 error listeners added to [CopyStreamQuery]" by a 1,000,000-row upload, issue 16).
    const waited = new AbortController();
    try {
      await Promise.race([once(this.stream, 'drain', { signal: waited.signal }), finished(this.stream, { signal: waited.signal })]);
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
      await finished(this.stream);
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
