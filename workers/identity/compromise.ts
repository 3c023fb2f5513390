// A suspected leak (P9 in ARCHITECTURE.md): every session of the user is revoked at once, with every
// API key the user owns or made (from any session or key of theirs) and every key those keys
// made in turn; a new password is required before the next login, the act is audited, and a
// reset link goes to the user's address through the mailer, saying what was revoked. One
// transaction; the caller enqueues the returned mail job after the commit.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Db } from '../../db/database.js';
import type { JobRequest } from '../../queues/queue-set.js';
import { audit, type AuditEntry } from '../core/audit.js';
import { NotFoundError } from '../core/domain-errors.js';
import { insertMail } from '../mail/mail-messages.js';
import { messages } from '../messages/catalogue.js';
import { RESET_TTL_HOURS, createPasswordReset } from './password-resets.js';

export interface CompromiseOutcome {
  readonly sessionsRevoked: number;
  readonly keysRevoked: number;
  /** Ids and visible prefixes, never a secret. */
  readonly revokedKeys: { id: string; prefix: string }[];
}

/**
 * `reached (id)`: every key a user's account could have reached: its own, those the user made
 * (from any session or key of theirs), and down every line of keys made by those keys. Before
 * the statement that uses it (WITH RECURSIVE …); asked while the user's sessions still exist.
 */
export const keysReachedBy = (user: { id: string; organization_id: string }) => sql`
    WITH RECURSIVE reached (id) AS (
      SELECT id FROM api_keys
      WHERE organization_id = ${user.organization_id}
        AND (user_id = ${user.id} OR created_by_user_id = ${user.id}
             OR created_by_session_id IN (SELECT id FROM sessions WHERE user_id = ${user.id}))
      UNION
      SELECT k.id FROM api_keys k JOIN reached r ON k.created_by_key_id = r.id
    )`;

/**
 * Revokes the keys a leaked account could have reached, down every line of keys made by keys.
 * Again until a pass finds none: a key being made by one of them as the pass ran (its creation
 * holds its maker, live-caller.ts) commits before the pass takes its maker, after the pass read
 * the line; the next pass reads it.
 */
async function revokeKeysOf(trx: Kysely<Database>, user: { id: string; organization_id: string }): Promise<{ id: string; prefix: string }[]> {
  const all: { id: string; prefix: string }[] = [];
  for (;;) {
    const revoked = await sql<{ id: string; prefix: string }>`
      ${keysReachedBy(user)}
      UPDATE api_keys SET revoked_at = now()
      WHERE id IN (SELECT id FROM reached) AND revoked_at IS NULL
      RETURNING id, prefix`.execute(trx);
    if (revoked.rows.length === 0) break;
    all.push(...revoked.rows);
  }
  return all.sort((a, b) => a.prefix.localeCompare(b.prefix));
}

export async function markCompromised(
  deps: { db: Db; publicUrl: string },
  target: { organizationId: string | null; userId: string },
  actor: Pick<AuditEntry, 'actorType' | 'actorId'>,
): Promise<{ outcome: CompromiseOutcome; jobs: JobRequest[] }> {
  return deps.db.transaction().execute(async (trx) => {
    let update = trx
      .updateTable('users')
      .set({ must_change_password: true, compromised_at: sql`now()` })
      .where('id', '=', target.userId)
      .returning(['id', 'organization_id', 'email', 'language']);
    if (target.organizationId !== null) update = update.where('organization_id', '=', target.organizationId);
    const user = await update.executeTakeFirst();
    if (!user) throw new NotFoundError('No such user.');
    const sessions = await trx.updateTable('sessions').set({ revoked_at: sql`now()` }).where('user_id', '=', user.id).where('revoked_at', 'is', null).executeTakeFirst();
    const revokedKeys = await revokeKeysOf(trx, user);
    const sessionsRevoked = Number(sessions.numUpdatedRows);
    const reset = await createPasswordReset(trx, user.id);
    const link = `${deps.publicUrl}/public/password-reset?token=${encodeURIComponent(reset)}&lang=${user.language}`;
    const mail = messages(user.language).passwordResetMail({ sessions: sessionsRevoked, keys: revokedKeys.length, link, hours: RESET_TTL_HOURS });
    const mailId = await insertMail(trx, {
      organization_id: user.organization_id,
      purpose: 'password-reset',
      to_address: user.email,
      subject: mail.subject,
      text_body: mail.text,
      html_body: null,
      error_code: null,
      provider_message_id: null,
      claimed_at: null,
      sent_at: null,
    });
    const outcome = { sessionsRevoked, keysRevoked: revokedKeys.length, revokedKeys };
    await audit(trx, {
      ...actor,
      organizationId: user.organization_id,
      action: 'user.compromised',
      entityType: 'user',
      entityId: user.id,
      details: { sessionsRevoked, keysRevoked: revokedKeys.length, keyIds: revokedKeys.map((k) => k.id).join(',') },
    });
    return { outcome, jobs: [{ name: 'mail.send' as const, payload: { messageId: mailId } }] };
  });
}
