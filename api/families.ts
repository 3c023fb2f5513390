// Each family's routes (workers/families.ts lists the families; workers/ never imports api/,
// so the routes are mapped here). A family missing here, or one that is not in the list, does
// not compile. New routes of a family go in its entry, declared with defineRoute (route.ts).
import type { Deps } from '../workers/core/deps.js';
import type { FamilyName } from '../workers/families.js';
import type { LoginThrottle } from './login-throttle.js';
import type { Route } from './route.js';
import { apiKeyRoutes } from './routes/api-keys.js';
import { callbackSecretRoutes } from './routes/callback-secret.js';
import { contactRoutes } from './routes/contacts.js';
import { mailBounceHookRoutes } from './routes/hooks-mail-bounces.js';
import { smsHttpHookRoutes } from './routes/hooks-sms-http.js';
import { newsletterCampaignRoutes } from './routes/newsletter-campaigns.js';
import { newsletterListRoutes } from './routes/newsletter-lists.js';
import { newsletterPublicRoutes } from './routes/newsletter-public.js';
import { newsletterSubscriberRoutes } from './routes/newsletter-subscribers.js';
import { newsletterUnsubscribeRoutes } from './routes/newsletter-unsubscribe.js';
import { opsNewsletterRoutes } from './routes/ops-newsletter.js';
import { opsOutboxRoutes } from './routes/ops-outbox.js';
import { opsSmsRoutes } from './routes/ops-sms.js';
import { organizationRoutes } from './routes/organizations.js';
import { passwordResetPageRoutes } from './routes/password-reset-page.js';
import { privacyNoticeRoutes } from './routes/privacy-notices.js';
import { privacyOpsRoutes } from './routes/privacy-ops.js';
import { privacyPublicRoutes } from './routes/privacy-public.js';
import { registerRoutes } from './routes/register.js';
import { sessionRoutes } from './routes/sessions.js';
import { smsKeywordRoutes } from './routes/sms-keywords.js';
import { smsReplyRoutes } from './routes/sms-replies.js';
import { smsBatchRoutes } from './routes/sms-batches.js';
import { smsCsvRoutes } from './routes/sms-csv.js';
import { smsToolRoutes } from './routes/sms-tools.js';
import { temRoutes } from './routes/tem.js';
import { userRoutes } from './routes/users.js';

/** What the app holds for routes besides Deps. */
export interface WebContext {
  readonly loginThrottle: LoginThrottle;
}

export type FamilyRoutes = (deps: Deps, web: WebContext) => Route[];

/** In the order they are mounted. */
export const FAMILY_ROUTES = {
  maintenance: (deps) => registerRoutes(deps),
  mail: (deps) => opsOutboxRoutes(deps),
  identity: (deps, { loginThrottle }) => [
    ...organizationRoutes(deps),
    ...sessionRoutes(deps, loginThrottle),
    ...passwordResetPageRoutes(),
    ...userRoutes(deps),
    ...apiKeyRoutes(deps),
    ...contactRoutes(deps),
  ],
  sms: (deps) => [
    ...smsBatchRoutes(deps),
    ...smsCsvRoutes(deps),
    ...opsSmsRoutes(deps),
    ...callbackSecretRoutes(deps),
    ...smsToolRoutes(deps),
    ...smsKeywordRoutes(deps),
    ...smsReplyRoutes(deps),
    ...smsHttpHookRoutes(deps),
  ],
  tem: (deps) => temRoutes(deps),
  newsletter: (deps) => [
    ...newsletterListRoutes(deps),
    ...newsletterSubscriberRoutes(deps),
    ...newsletterPublicRoutes(deps),
    ...newsletterCampaignRoutes(deps),
    ...newsletterUnsubscribeRoutes(deps),
    ...mailBounceHookRoutes(deps),
    ...opsNewsletterRoutes(deps),
  ],
  privacy: (deps) => [...privacyPublicRoutes(deps), ...privacyOpsRoutes(deps), ...privacyNoticeRoutes(deps)],
} satisfies Record<FamilyName, FamilyRoutes>;
