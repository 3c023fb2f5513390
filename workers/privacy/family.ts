// Privacy requests (issue 15): verify, export, correct, erase, restrict, object, complain. Its
// queue is served by the `privacy` role; the data it reaches is declared by each family's
// `privacy` section (workers/privacy/reach.ts), this family's own included.
import { privacyContract } from '../../queues/privacy.js';
import { defineFamily } from '../core/family.js';
import { privacyDueWork } from './due-work.js';
import { privacyMetrics } from './metrics.js';
import { privacyRetention } from './retention.js';
import { privacySelf } from './self.js';

export const privacyFamily = defineFamily({
  name: 'privacy',
  contract: privacyContract,
  handlers: async () => ({
    'privacy.process': (await import('./process.js')).processHandler,
    'privacy.notice-callback': (await import('./notice-callback.js')).noticeCallbackHandler,
    'privacy.daily': (await import('./daily.js')).dailyHandler,
  }),
  dueWork: privacyDueWork,
  roles: { privacy: ['privacy'] },
  retention: privacyRetention,
  privacy: privacySelf,
  metrics: privacyMetrics,
});
