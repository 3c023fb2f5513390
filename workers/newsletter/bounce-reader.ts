// The bounce mailbox reader (mail.read-bounces, on a schedule): VERP bounces come back as
// mail to BOUNCE_IMAP_URL. It reads the mail that arrived since its last run (UIDs past the
// one it keeps per mailbox, at most BATCH a run), applies each report it can tie to one of
// our deliveries as the webhook does (bounces.ts) and flags that mail \Seen. Everything else
// (mail it cannot tie, out-of-office replies, anyone's mail) it fetches with BODY.PEEK and
// leaves as it was: unread, unflagged, in place.
import { createHash } from 'node:crypto';
import { ImapFlow } from 'imapflow';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { applyBounce, type BounceKind } from './bounces.js';
import { readBounceReport } from './bounce-report.js';
import type { VerpSettings } from './verp.js';

/** Mails read per run; the next run goes on where this one stopped. */
export const BATCH = 500;
/** A bounce report is small; a bigger mail is skipped unread (it is not ours to parse). */
const MAX_BYTES = 2_000_000;

export interface BounceReaderSettings extends VerpSettings {
  readonly imapUrl: string;
  readonly suppressionKey: string;
  /** Told of each delivery's first bounce or complaint (the metrics). */
  readonly onBounce?: (kind: BounceKind) => void;
}

export interface BounceRun {
  readonly read: number;
  readonly applied: number;
  readonly left: number;
}

function connection(imapUrl: string) {
  const url = new URL(imapUrl);
  const mailbox = decodeURIComponent(url.pathname.replace(/^\//, '')) || 'INBOX';
  const user = decodeURIComponent(url.username);
  const secure = url.protocol === 'imaps:';
  const client = new ImapFlow({
    host: url.hostname,
    port: Number(url.port) || (secure ? 993 : 143),
    secure,
    auth: { user, pass: decodeURIComponent(url.password) },
    logger: false,
  });
  const key = createHash('sha256').update(`${url.hostname}:${url.port}/${user}/${mailbox}`).digest('hex');
  return { client, mailbox, key };
}

export async function readBounces(db: Kysely<Database>, settings: BounceReaderSettings): Promise<BounceRun> {
  const { client, mailbox, key } = connection(settings.imapUrl);
  await client.connect();
  try {
    const lock = await client.getMailboxLock(mailbox);
    try {
      const opened = client.mailbox;
      const uidValidity = opened ? Number(opened.uidValidity) : 0;
      const cursor = await db.selectFrom('newsletter_bounce_mailboxes').selectAll().where('mailbox_key', '=', key).executeTakeFirst();
      // A new UIDVALIDITY means the UIDs were renumbered: start from the beginning again (applying a report twice changes nothing).
      const after = cursor && cursor.uid_validity === uidValidity ? cursor.last_uid : 0;
      const uids = ((await client.search({ uid: `${after + 1}:*` }, { uid: true })) || []).filter((uid) => uid > after).sort((a, b) => a - b);
      const batch = uids.slice(0, BATCH);
      let applied = 0;
      for (const uid of batch) {
        const message = await client.fetchOne(String(uid), { uid: true, size: true, source: { maxLength: MAX_BYTES } }, { uid: true });
        if (!message || !message.source || (message.size ?? 0) > MAX_BYTES) continue;
        const report = await readBounceReport(message.source, settings);
        if (!report) continue;
        if (report.kind !== 'none' && (await applyBounce(db, settings.suppressionKey, report.deliveryId, report.kind, settings.onBounce)) !== 'applied') continue;
        await client.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });
        if (report.kind !== 'none') applied += 1;
      }
      const last = batch.at(-1);
      if (last !== undefined) {
        await db
          .insertInto('newsletter_bounce_mailboxes')
          .values({ mailbox_key: key, uid_validity: uidValidity, last_uid: last })
          .onConflict((oc) => oc.column('mailbox_key').doUpdateSet({ uid_validity: uidValidity, last_uid: last, read_at: sql`now()` }))
          .execute();
      }
      return { read: batch.length, applied, left: uids.length - batch.length };
    } finally {
      lock.release();
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
}
