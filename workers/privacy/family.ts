// Privacy requests: verify, export, correct, erase, object. Its queue is served by the
// `privacy` role; its jobs, handlers, due work and retention are added here as it is built.
import { privacyContract } from '../../queues/privacy.js';
import { defineFamily } from '../core/family.js';

export const privacyFamily = defineFamily({
  name: 'privacy',
  contract: privacyContract,
  handlers: {},
  roles: { privacy: ['privacy'] },
});
