// A suspected leak (REQUIREMENTS P9): every session and API key of the user is revoked at once,
// a new password is required before the next login, the act is audited, and a reset link goes
// to the user's address through the mailer.
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import type { QueueSet } from '../../queues/queue-set.js';
import { audit, type AuditEntry } from '../core/audit.js';
import { insertMail } from '../mail/mail-messages.js';
import { enqueueMails } from '../mail/enqueue.js';
import type { Logger } from '../core/logger.js';
import { createPasswordReset } from './password-resets.js';

export interface CompromiseOutcome {
  readonly sessionsRevoked: number;
  readonly keysRevoked: number;
}

export async function markCompromised(
  deps: { db: Db; queues: QueueSet; logger: Logger; publicUrl: string },
  target: { organizationId: string | null; userId: string },
  actor: Pick<AuditEntry, 'actorType' | 'actorId'>,
): Promise<CompromiseOutcome | undefined> {
  const result = await deps.db.transaction().execute(async (trx) => {
    let update = trx
      .updateTable('users')
      .set({ must_change_password: true, compromised_at: sql`now()` })
      .where('id', '=', target.userId)
      .returning(['id', 'organization_id', 'email']);
    if (target.organizationId !== null) update = update.where('organization_id', '=', target.organizationId);
    const user = await update.executeTakeFirst();
    if (!user) return undefined;
    const sessions = await trx.updateTable('sessions').set({ revoked_at: sql`now()` }).where('user_id', '=', user.id).where('revoked_at', 'is', null).executeTakeFirst();
    const keys = await trx.updateTable('api_keys').set({ revoked_at: sql`now()` }).where('user_id', '=', user.id).where('revoked_at', 'is', null).executeTakeFirst();
    const reset = await createPasswordReset(trx, user.id);
    const link = `${deps.publicUrl}/public/password-reset?token=${encodeURIComponent(reset)}`;
    const mailId = await insertMail(trx, {
      organization_id: user.organization_id,
      purpose: 'password-reset',
      to_address: user.email,
      subject: 'Your TGG password must be changed',
      text_body: [
        'Your TGG account was marked as possibly compromised. Every session and API key of your account',
        'has been revoked, and you need a new password before you can log in again.',
        '',
        `Choose a new password here (valid for 24 hours): ${link}`,
        '',
        'If you did not expect this mail, contact your administrator.',
      ].join('\n'),
      html_body: null,
      error_code: null,
      provider_message_id: null,
      claimed_at: null,
      sent_at: null,
    });
    const outcome = { sessionsRevoked: Number(sessions.numUpdatedRows), keysRevoked: Number(keys.numUpdatedRows) };
    await audit(trx, {
      ...actor,
      organizationId: user.organization_id,
      action: 'user.compromised',
      entityType: 'user',
      entityId: user.id,
      details: outcome,
    });
    return { outcome, mailId };
  });
  if (!result) return undefined;
  await enqueueMails(deps.queues, deps.logger, [result.mailId]);
  return result.outcome;
}
