// privacy.process: carries out one verified request by its type, across every family's privacy
// section, and records the outcome per category; the request keeps only keyed hashes of the
// person's identifiers afterwards (for an erasure, the ledger gets them too, so a restore can
// be replayed: npm run privacy:replay). Idempotent: the request is claimed by a conditional
// move, and each family's step is safe to run again.
import { sql, type Kysely } from 'kysely';
import type { Database, PrivacyOutcome, PrivacyRequest } from '../../db/schema.js';
import type { JobRequest } from '../../queues/queue-set.js';
import { audit } from '../core/audit.js';
import type { Handler } from '../core/handler.js';
import { enqueueAfterCommit } from '../core/enqueue-after-commit.js';
import { insertMail } from '../mail/mail-messages.js';
import { suppressEverywhere, unsubscribeEverywhere } from '../newsletter/privacy.js';
import { normalizePhone } from '../phone/e164.js';
import { maskPhone } from '../sms/opt-outs.js';
import { optOutEverywhere } from '../sms/privacy.js';
import { makeExport } from './access-export.js';
import { ledgerKey, recordLedger, type LedgerCopy } from './ledger.js';
import { queueNotices } from './notices.js';
import type { ReachResult, Rectification, Subject } from './reach.js';
import { eachFamily } from './reaches.js';
import { SUPERVISORY_AUTHORITY } from './requests.js';
import { subjectOf } from './subject.js';

interface Settings {
  readonly secretKey: string;
  readonly suppressionKey: string;
  readonly publicUrl: string;
  readonly opsEmail: string;
  /** The ledger's copy outside Postgres (workers/privacy/ledger.ts). */
  readonly ledger?: LedgerCopy;
}

const outcomeOf = (result: ReachResult, note?: string): PrivacyOutcome => ({ categories: result.counts, kept: result.kept, ...(note ? { note } : {}) });

async function restrictionList(db: Kysely<Database>, subject: Subject, requestId: string) {
  if (subject.hashes.length === 0) return;
  await db.insertInto('privacy_restrictions').values(subject.hashes.map((h) => ({ identifier_hash: h, request_id: requestId }))).onConflict((oc) => oc.column('identifier_hash').doNothing()).execute();
}

function rectificationOf(request: PrivacyRequest): Rectification {
  const proposed = request.rectification ?? {};
  const phone = proposed.phone ? normalizePhone(proposed.phone) : undefined;
  return { ...(proposed.name ? { name: proposed.name } : {}), ...(proposed.email ? { email: proposed.email } : {}), ...(phone?.ok ? { e164: phone.e164 } : {}) };
}

/** Does the work of one type; returns the outcome and the jobs to enqueue after. */
async function carryOut(db: Kysely<Database>, request: PrivacyRequest, subject: Subject, settings: Settings): Promise<{ outcome: PrivacyOutcome; jobs: JobRequest[]; members?: ReachResult['members']; noticeKind?: 'erasure' | 'rectification' | 'restriction' }> {
  switch (request.type) {
    case 'access': {
      const made = await makeExport(db, request, subject, settings);
      return { outcome: { categories: made.counts, kept: [], note: made.mailId ? 'the export link was mailed to the verified address' : 'no verified address: ops hand the export over (GET /ops/privacy-requests/{id}/export)' }, jobs: made.mailId ? [{ name: 'mail.send', payload: { messageId: made.mailId } }] : [] };
    }
    case 'erasure': {
      await recordLedger(db, settings.ledger, subject.hashes);
      const result = await eachFamily(db, (reach) => (trx) => reach.erase(trx, subject));
      return { outcome: outcomeOf(result), jobs: [], members: result.members, noticeKind: 'erasure' };
    }
    case 'restriction': {
      await restrictionList(db, subject, request.id);
      const result = await eachFamily(db, (reach) => (reach.restrict ? (trx) => reach.restrict!(trx, subject) : undefined));
      return { outcome: outcomeOf(result, 'no SMS, no mail, not in reports: stored only'), jobs: [], members: result.members, noticeKind: 'restriction' };
    }
    case 'objection': {
      const masks = subject.e164.map((e) => {
        const parsed = normalizePhone(e);
        return parsed.ok ? maskPhone(parsed.e164, parsed.countryCallingCode) : '';
      });
      const counts = await db.transaction().execute(async (trx) => ({
        'sms.opt-outs': { restricted: await optOutEverywhere(trx, subject, masks) },
        'newsletter.subscribers': { restricted: await unsubscribeEverywhere(trx, subject.emails) },
        'newsletter.suppressions': { restricted: await suppressEverywhere(trx, settings.suppressionKey, subject.emails) },
      }));
      return {
        outcome: { categories: counts, kept: [], note: 'all direct marketing stopped: opted out of SMS from every sender that texted this number, unsubscribed from every newsletter and the address suppressed by every organisation that has it' },
        jobs: [],
      };
    }
    case 'rectification': {
      const change = rectificationOf(request);
      const result = await eachFamily(db, (reach) => (reach.rectify ? (trx) => reach.rectify!(trx, subject, change) : undefined));
      return { outcome: outcomeOf(result), jobs: [], members: result.members, noticeKind: 'rectification' };
    }
    case 'complaint': {
      const mailId = await insertMail(db, {
        organization_id: null,
        purpose: 'privacy-complaint',
        to_address: settings.opsEmail,
        subject: `Privacyklacht ${request.id}`,
        text_body: `Een klacht is ontvangen (verzoek ${request.id}). Lees en beantwoord haar via GET /ops/privacy-requests/${request.id}.\n`,
        html_body: null,
      });
      return { outcome: { categories: {}, kept: [], note: `routed to ops; you may also complain to the ${SUPERVISORY_AUTHORITY}` }, jobs: [{ name: 'mail.send', payload: { messageId: mailId } }] };
    }
  }
}

export async function processRequest(db: Kysely<Database>, requestId: string, settings: Settings): Promise<{ jobs: JobRequest[] } | undefined> {
  const request = await db.updateTable('privacy_requests').set({ status: 'processing' }).where('id', '=', requestId).where('status', 'in', ['verified', 'processing']).returningAll().executeTakeFirst();
  if (!request) return undefined;
  // Only what was verified (or checked by ops) identifies the person: a number typed beside a
  // verified address reaches nobody's data.
  const ops = request.filed_by === 'ops';
  const subject = subjectOf({ email: ops || request.email_verified_at ? request.email : null, phone: ops || request.phone_verified_at ? request.phone : null, name: request.name }, settings.suppressionKey);
  const done = await carryOut(db, request, subject, settings);
  return db.transaction().execute(async (trx) => {
    const notices = done.members && done.noticeKind ? await queueNotices(trx, request.id, done.noticeKind, done.members) : [];
    // A complaint keeps its text for ops to read; every other request keeps keyed hashes only.
    const keep = request.type === 'complaint';
    await trx
      .updateTable('privacy_requests')
      .set({
        status: 'done',
        completed_at: sql`now()`,
        outcome: JSON.stringify(done.outcome),
        ...(keep ? {} : { email: null, phone: null, name: null, message: null, rectification: null, identifier_hashes: [...subject.hashes], anonymised_at: sql`now()` }),
      })
      .where('id', '=', request.id)
      .execute();
    const counts = Object.fromEntries(Object.entries(done.outcome.categories).map(([c, n]) => [c, Object.values(n).reduce((a, b) => a + (b ?? 0), 0)]));
    await audit(trx, { actorType: 'system', actorId: null, action: 'privacy.done', entityType: 'privacy_request', entityId: request.id, details: { type: request.type, ...counts } });
    return { jobs: [...done.jobs, ...notices] };
  });
}

export const processHandler: Handler<'privacy.process'> = async ({ requestId }, { deps }) => {
  const { config } = deps;
  const result = await processRequest(deps.db, requestId, {
    secretKey: config.secretKey,
    suppressionKey: config.suppressionKey,
    publicUrl: config.publicUrl,
    opsEmail: config.privacy.opsEmail,
    ledger: { redis: deps.queues.connection, key: ledgerKey(config.queuePrefix) },
  });
  if (result) await enqueueAfterCommit(deps, result.jobs);
  return { done: result ? 1 : 0 };
};
