// The newsletter family's jobs, on the `mail` queue (served by the `mail` role). Confirmation
// mails go through the mail family's mail.send; campaign jobs join here.
import { defineContract } from './job.js';

export const newsletterContract = defineContract({
  family: 'newsletter',
  queues: ['mail'],
  jobs: {},
});
