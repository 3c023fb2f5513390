// Privacy requests (verify, export, correct, erase, object): its queue, served by the
// `privacy` role; its jobs are added here as the family is built.
import { defineContract } from './job.js';

export const privacyContract = defineContract({
  family: 'privacy',
  queues: ['privacy'],
  jobs: {},
});
