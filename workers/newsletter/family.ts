// The newsletter family: lists, subscribers with their consent, double opt-in sign-ups and
// (next) campaigns. Its jobs share the `mail` queue and the `mail` role with transactional mail.
import { newsletterContract } from '../../queues/newsletter.js';
import { defineFamily } from '../core/family.js';
import { newsletterRetention } from './retention.js';
import { newsletterPrivacy } from './privacy.js';

export const newsletterFamily = defineFamily({
  name: 'newsletter',
  contract: newsletterContract,
  handlers: {},
  roles: { mail: ['mail'] },
  retention: newsletterRetention,
  privacy: newsletterPrivacy,
});
