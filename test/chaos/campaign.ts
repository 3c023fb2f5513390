// The start of a newsletter chaos case (2, 5): the platform's mail processes against a test SMTP
// server, an organisation with a list of `subscribers`, and a campaign to it under way.
import { expect } from 'vitest';
import type { TestContext } from '../helpers/context.js';
import type { Call } from '../helpers/identity.js';
import { filledList, type CampaignBody } from '../helpers/newsletter.js';
import type { TestSmtp } from '../helpers/smtp.js';
import { chaosEnv, fleet, organisationOn, type Fleet } from './processes.js';

const SUBJECT = 'Nieuws van de vereniging';
const HTML = '<p>Het nieuws van deze maand.</p>';

/** The fleet of a campaign case: its environment sends through `smtp`; `extra` adds to it. */
export function mailFleet(ctx: TestContext, port: number, smtp: TestSmtp, extra: Record<string, string>): Fleet {
  return fleet(chaosEnv(ctx, port, { SMTP_URL: smtp.url, MAIL_FROM: 'TGG <nieuwsbrief@tgg.test>', BOUNCE_DOMAIN: 'bounces.tgg.test', ...extra }));
}

export interface StartedCampaign {
  readonly call: Call;
  readonly key: string;
  readonly id: string;
}

/** A list of `subscribers` addresses (lid0@voorbeeld.nl, …) and a campaign to it, started; its id. */
export async function newCampaign(platform: Fleet, call: Call, key: string, subscribers: number): Promise<string> {
  platform.used(SUBJECT, 'Het nieuws van deze maand');
  const listId = await filledList(call, key, Array.from({ length: subscribers }, (_, i) => ({ email: `lid${i}@voorbeeld.nl` })));
  const campaign = await call<CampaignBody>('post', '/v1/campaigns', { auth: key, body: { listId, subject: SUBJECT, html: HTML } });
  expect(campaign.status).toBe(202);
  return campaign.body.id;
}

/** Runs web, scheduler and worker-mail, and starts a campaign to `subscribers` of a new organisation. */
export async function startCampaign(ctx: TestContext, port: number, platform: Fleet, organisation: string, subscribers: number): Promise<StartedCampaign> {
  platform.run('web');
  platform.run('scheduler');
  platform.run('worker-mail');
  const { call, org } = await organisationOn(platform, ctx, port, organisation);
  return { call, key: org.key, id: await newCampaign(platform, call, org.key, subscribers) };
}
