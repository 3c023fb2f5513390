// The newsletter family: lists, subscribers with their consent, double opt-in sign-ups,
// the suppression list and campaigns. Its jobs share the `mail` queue and the `mail` role
// (and the mail family's pooled transport) with transactional mail.
import { newsletterContract } from '../../queues/newsletter.js';
import { defineFamily } from '../core/family.js';
import { newsletterDueWork } from './due-work.js';
import { newsletterMetrics } from './metrics.js';
import { newsletterRetention } from './retention.js';
import { newsletterPrivacy } from './privacy.js';

export const newsletterFamily = defineFamily({
  name: 'newsletter',
  contract: newsletterContract,
  handlers: async () => ({
    'newsletter.start-campaign': (await import('./start-campaign.js')).startCampaign,
    'newsletter.send-chunk': (await import('./send-chunk.js')).sendCampaignChunk,
  }),
  dueWork: newsletterDueWork,
  roles: { mail: ['mail'] },
  retention: newsletterRetention,
  metrics: newsletterMetrics,
  privacy: newsletterPrivacy,
});
