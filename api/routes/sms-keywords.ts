// /v1/sms/keywords (STOP <keyword> opts out of this organisation only) and /v1/sms/settings
// (the text that confirms an opt-out by reply).
import { z } from 'zod';
import type { Deps } from '../../workers/core/deps.js';
import { auditActor } from '../../workers/identity/principal.js';
import { analyse } from '../../workers/sms/encoding.js';
import { MAX_KEYWORDS, addKeyword, listKeywords, optOutConfirmationOf, removeKeyword, setOptOutConfirmation } from '../../workers/sms/keywords.js';
import { DEFAULT_CONFIRMATION } from '../../workers/sms/opt-out-confirmation.js';
import { keywordOf } from '../../workers/sms/stop-words.js';
import { principalOf } from '../auth/bearer.js';
import { badRequest } from '../problem.js';
import { defineRoute, type Route } from '../route.js';

const keywordSchema = z.object({ keyword: z.string(), createdAt: z.string() }).meta({ id: 'SmsKeyword' });
const settingsSchema = z.object({ optOutConfirmation: z.string(), optOutConfirmationIsDefault: z.boolean() }).meta({ id: 'SmsSettings' });
/** The confirmation is free: two GSM-7 segments at most. */
const MAX_CONFIRMATION_SEGMENTS = 2;

function keyword(raw: string, field: string): string {
  const folded = keywordOf(raw);
  if (!folded) throw badRequest('A keyword is 2 to 20 letters or digits, and not a stop word itself.', [{ field, message: 'invalid keyword' }]);
  return folded;
}

export function smsKeywordRoutes(deps: Deps): Route[] {
  const settingsOf = async (organizationId: string) => {
    const text = await optOutConfirmationOf(deps.db, organizationId);
    return { optOutConfirmation: text ?? DEFAULT_CONFIRMATION, optOutConfirmationIsDefault: text === null };
  };
  return [
    defineRoute({
      method: 'post',
      path: '/v1/sms/keywords',
      summary: `Claim a STOP keyword: "STOP <keyword>" opts out of this organisation only (unique on the platform, ${MAX_KEYWORDS} per organisation)`,
      tags: ['sms'],
      security: 'bearer',
      scope: 'sms',
      body: z.strictObject({ keyword: z.string().max(40) }),
      responses: {
        201: { description: 'claimed', schema: keywordSchema },
        200: { description: 'already this organisation\'s', schema: keywordSchema },
        409: { description: 'taken by another organisation, or the organisation has the most it may have' },
      },
      handler: async ({ body }, _req, res) => {
        const principal = principalOf(res);
        const word = keyword(body.keyword, 'body.keyword');
        const outcome = await addKeyword(deps.db, principal.organizationId, word, auditActor(principal));
        const row = (await listKeywords(deps.db, principal.organizationId)).find((k) => k.keyword === word);
        return { status: outcome === 'created' ? 201 : 200, body: { keyword: word, createdAt: row?.created_at.toISOString() ?? new Date().toISOString() } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/sms/keywords',
      summary: "The organisation's STOP keywords",
      tags: ['sms'],
      security: 'bearer',
      scope: 'sms',
      responses: { 200: { description: 'keywords', schema: z.object({ items: z.array(keywordSchema) }) } },
      handler: async (_input, _req, res) => {
        const rows = await listKeywords(deps.db, principalOf(res).organizationId);
        return { body: { items: rows.map((k) => ({ keyword: k.keyword, createdAt: k.created_at.toISOString() })) } };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/sms/keywords/{keyword}',
      summary: 'Give a STOP keyword up (opt-outs made with it stay)',
      tags: ['sms'],
      security: 'bearer',
      scope: 'sms',
      params: z.object({ keyword: z.string().max(40) }),
      responses: { 204: { description: 'removed' }, 404: { description: 'not a keyword of this organisation' } },
      handler: async ({ params }, _req, res) => {
        const principal = principalOf(res);
        const word = keyword(params.keyword, 'params.keyword');
        await removeKeyword(deps.db, principal.organizationId, word, auditActor(principal));
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/sms/settings',
      summary: 'SMS settings: the text that confirms an opt-out by reply',
      tags: ['sms'],
      security: 'bearer',
      scope: 'sms',
      responses: { 200: { description: 'the settings', schema: settingsSchema } },
      handler: async (_input, _req, res) => ({ body: await settingsOf(principalOf(res).organizationId) }),
    }),
    defineRoute({
      method: 'put',
      path: '/v1/sms/settings',
      summary: 'Set the text that confirms an opt-out by reply (null: the Dutch default); at most two GSM-7 segments',
      tags: ['sms'],
      security: 'bearer',
      scope: 'sms',
      body: z.strictObject({ optOutConfirmation: z.string().trim().min(1).max(306).nullable() }),
      responses: { 200: { description: 'the settings', schema: settingsSchema } },
      handler: async ({ body }, _req, res) => {
        const principal = principalOf(res);
        const text = body.optOutConfirmation;
        if (text !== null && analyse(text).segments > MAX_CONFIRMATION_SEGMENTS) {
          throw badRequest(`The confirmation is free: at most ${MAX_CONFIRMATION_SEGMENTS} segments.`, [{ field: 'body.optOutConfirmation', message: 'too long' }]);
        }
        await setOptOutConfirmation(deps.db, principal.organizationId, text, auditActor(principal));
        return { body: await settingsOf(principal.organizationId) };
      },
    }),
  ];
}
