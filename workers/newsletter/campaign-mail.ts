// A campaign mail as one subscriber gets it: the templates compiled once per job and filled
// in per delivery (HTML-escaped in the HTML part), a footer in the subscriber's language (why
// they get it, at which address, and a visible unsubscribe link) in both parts, the list
// headers of RFC 2919 and RFC 8058, and the VERP return path naming the delivery.
import type { Kysely } from 'kysely';
import type { Database, NewsletterCampaign } from '../../db/schema.js';
import { ConflictError } from '../core/domain-errors.js';
import { insertMail } from '../mail/mail-messages.js';
import type { OutgoingMail } from '../mail/mailer.js';
import { messages } from '../messages/catalogue.js';
import { restrictedHashes } from '../sms/opt-outs.js';
import type { ClaimedDelivery } from './deliveries.js';
import { isSuppressed, suppressionHash } from './suppression.js';
import { compileTemplate, escapeHtml, render, textFromHtml } from './template.js';
import { unsubscribeUrl } from './unsubscribe.js';
import { verpReturnPath } from './verp.js';

export interface CampaignMailSettings {
  readonly publicUrl: string;
  readonly secretKey: string;
  readonly bounceDomain: string;
}

/** Who sends the campaign, as its footer names them. */
export interface CampaignSender {
  readonly organization: string;
  readonly list: string;
}

function footers(sender: CampaignSender, d: ClaimedDelivery, url: string): { html: string; text: string } {
  const { why, unsubscribe } = messages(d.language).campaignFooter({ ...sender, email: d.email });
  return {
    html: `<hr><p style="font-size:12px;color:#666">${escapeHtml(why)} <a href="${escapeHtml(url)}">${escapeHtml(unsubscribe)}</a></p>`,
    text: `\n\n--\n${why}\n${unsubscribe}: ${url}\n`,
  };
}

/** The organisation's and the list's names, read once per send job. */
export async function campaignSender(db: Kysely<Database>, campaign: Pick<NewsletterCampaign, 'organization_id' | 'list_id'>): Promise<CampaignSender> {
  const org = await db.selectFrom('organizations').select('name').where('id', '=', campaign.organization_id).executeTakeFirst();
  const list = campaign.list_id ? await db.selectFrom('newsletter_lists').select('name').where('id', '=', campaign.list_id).executeTakeFirst() : undefined;
  return { organization: org?.name ?? '', list: list?.name ?? '' };
}

function withHtmlFooter(html: string, footer: string): string {
  const end = html.search(/<\/body\s*>/i);
  return end === -1 ? html + footer : html.slice(0, end) + footer + html.slice(end);
}

/** The list's identifier for List-Id (RFC 2919): the list id under the bounce domain. */
export const listIdHeader = (listId: string | null, bounceDomain: string) => `<${listId ?? 'deleted'}.${bounceDomain}>`;

export function campaignMailer(campaign: NewsletterCampaign, sender: CampaignSender, settings: CampaignMailSettings): (d: ClaimedDelivery) => OutgoingMail {
  const subject = compileTemplate(campaign.subject);
  const html = compileTemplate(campaign.html);
  const text = compileTemplate(campaign.text ?? textFromHtml(campaign.html));
  const listId = listIdHeader(campaign.list_id, settings.bounceDomain);
  return (d) => {
    const url = unsubscribeUrl(settings, d.id, d.subscriberId);
    const footer = footers(sender, d, url);
    return {
      to: d.email,
      subject: render(subject, d, null),
      html: withHtmlFooter(render(html, d, escapeHtml), footer.html),
      text: render(text, d, null) + footer.text,
      fromName: campaign.from_name,
      replyTo: campaign.reply_to,
      returnPath: verpReturnPath(settings, d.id),
      headers: { 'List-Id': listId, 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click', Precedence: 'bulk' },
    };
  };
}

/** Test mails one organisation may send a day: a test is for the team, not a way around the list. */
export const TEST_MAILS_PER_ORGANIZATION_PER_DAY = 50;

/**
 * A test mail of the campaign to one address (a transactional mail, marked "[TEST]" and
 * carrying none of the list headers), filled in from the subscriber of that address when
 * the list has one; the caller enqueues the returned mail's job after the commit. An address
 * the organisation suppresses (unsubscribed, bounced, complained, objected: P12) or a privacy
 * restriction holds gets no test either: a ConflictError, nothing stored.
 */
export async function queueTestMail(db: Kysely<Database>, campaign: NewsletterCampaign, email: string, suppressionKey: string): Promise<string> {
  const hash = suppressionHash(suppressionKey, email);
  if ((await isSuppressed(db, suppressionKey, campaign.organization_id, hash)) || (await restrictedHashes(db, [hash])).length > 0) {
    throw new ConflictError('This address takes no mail of the organisation (unsubscribed, bounced, objected to or restricted), a test neither.', 'body.email');
  }
  const subscriber = campaign.list_id
    ? await db.selectFrom('newsletter_subscribers').select(['name', 'attributes']).where('list_id', '=', campaign.list_id).where('email', '=', email).executeTakeFirst()
    : undefined;
  const recipient = subscriber ?? { name: null, attributes: {} };
  const fill = (template: string, escape: ((s: string) => string) | null) => render(compileTemplate(template), recipient, escape);
  return insertMail(db, {
    organization_id: campaign.organization_id,
    purpose: 'newsletter-test',
    to_address: email,
    subject: `[TEST] ${fill(campaign.subject, null)}`,
    html_body: fill(campaign.html, escapeHtml),
    text_body: fill(campaign.text ?? textFromHtml(campaign.html), null),
  });
}
