// Privacy requests (issue 15): verify, export, correct, erase, restrict, object, complain. Its
// queue is served by the `privacy` role; the data it reaches is declared by each family's
// `privacy` section (workers/privacy/reach.ts), this family's own included.
import { privacyContract } from '../../queues/privacy.js';
import { defineFamily } from '../core/family.js';
import { dailyHandler } from './daily.js';
import { privacyDueWork } from './due-work.js';
import { privacyMetrics } from './metrics.js';
import { noticeCallbackHandler } from './notices.js';
import { processHandler } from './process.js';
import { privacyRetention } from './retention.js';
import { privacySelf } from './self.js';

export const privacyFamily = defineFamily({
  name: 'privacy',
  contract: privacyContract,
  handlers: {
    'privacy.process': processHandler,
    'privacy.notice-callback': noticeCallbackHandler,
    'privacy.daily': dailyHandler,
  },
  dueWork: privacyDueWork,
  roles: { privacy: ['privacy'] },
  retention: privacyRetention,
  privacy: privacySelf,
  metrics: privacyMetrics,
});
