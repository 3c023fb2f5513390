import { sql } from 'kysely';
import type { Db } from '../../../db/database.js';
import type { OutgoingSms, RecordResults, SmsProvider, SubmitResult } from './provider.js';

/** The local SMSC stand-in: each window lands in sms_outbox in one statement. */
export function createOutboxProvider(db: Db): SmsProvider {
  return {
    name: 'outbox',
    windowSize: 200,
    ready: () => Promise.resolve(true),
    async submit(window: readonly OutgoingSms[], record: RecordResults) {
      if (window.length === 0) return [];
      const rows = await sql<{ id: number; message_id: number }>`
        INSERT INTO sms_outbox (message_id, sender, recipient, text, encoding, segments)
        SELECT * FROM unnest(
          ${window.map((m) => m.messageId)}::bigint[], ${window.map((m) => m.sender)}::text[], ${window.map((m) => m.to)}::text[],
          ${window.map((m) => m.text)}::text[], ${window.map((m) => m.encoding)}::text[], ${window.map((m) => m.segments)}::int[])
        RETURNING id, message_id`.execute(db);
      // The outbox sends no receipts: no parts to match them to.
      const results = rows.rows.map((r): SubmitResult => ({ messageId: Number(r.message_id), status: 'sent', providerMessageId: `outbox-${r.id}`, parts: [] }));
      await record(results);
      return results;
    },
    close: () => Promise.resolve(),
  };
}
