// Newsletter test helpers: a DKIM key with the DNS answer that publishes it, a list filled
// through the import API, and waiting for a campaign to reach a state.
import { generateKeyPairSync } from 'node:crypto';
import { waitFor } from './context.js';
import type { Call } from './http.js';

export function dkimKey(domain: string, selector: string) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const p = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  return {
    env: { DKIM_DOMAIN: domain, DKIM_SELECTOR: selector, DKIM_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() },
    /** A resolver for mailauth that knows only this key's TXT record. */
    resolver: (name: string, type: string) =>
      name === `${selector}._domainkey.${domain}` && type === 'TXT' ? Promise.resolve([[`v=DKIM1; k=rsa; p=${p}`]]) : Promise.reject(Object.assign(new Error('NXDOMAIN'), { code: 'ENOTFOUND' })),
  };
}

export interface CampaignBody {
  id: string;
  status: string;
  pausedReason: string | null;
  recipients: number;
  counts: Record<string, number>;
}

export async function filledList(call: Call, auth: string, subscribers: readonly { email: string; name?: string; attributes?: Record<string, string> }[]): Promise<string> {
  const list = await call<{ id: string }>('post', '/v1/lists', { auth, body: { name: 'Nieuwsbrief' } });
  const imported = await call<{ added: number }>('post', `/v1/lists/${list.body.id}/subscribers`, { auth, body: { subscribers, basis: 'consent' } });
  if (imported.status !== 200) throw new Error(`import failed: ${imported.status}`);
  return list.body.id;
}

export async function campaignWhen(call: Call, auth: string, id: string, done: (c: CampaignBody) => boolean, timeoutMs = 60_000): Promise<CampaignBody> {
  return waitFor(async () => {
    const answer = await call<CampaignBody>('get', `/v1/campaigns/${id}`, { auth });
    return done(answer.body) ? answer.body : undefined;
  }, `campaign ${id} to reach the state`, timeoutMs);
}
