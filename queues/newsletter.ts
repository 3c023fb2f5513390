// The newsletter family's jobs, on the `mail` queue (served by the `mail` role). Confirmation
// and test mails go through the mail family's mail.send (FIFO, ahead of every chunk).
import { z } from 'zod';
import { defineContract, defineJob } from './job.js';

export const newsletterContract = defineContract({
  family: 'newsletter',
  queues: ['mail'],
  jobs: {
    /** A campaign whose time has come: snapshot the list into deliveries and fan out its chunks. */
    'newsletter.start-campaign': defineJob({
      queue: 'mail',
      payload: z.strictObject({ campaignId: z.uuid() }),
      jobId: (p) => `newsletter-start-${p.campaignId}`,
      attempts: 5,
    }),
    /** One chunk of a campaign (a range of its deliveries); priority by chunk number keeps small campaigns fast. */
    'newsletter.send-chunk': defineJob({
      queue: 'mail',
      payload: z.strictObject({ campaignId: z.uuid(), chunk: z.number().int().min(0) }),
      jobId: (p) => `newsletter-${p.campaignId}-${p.chunk}`,
      attempts: 10,
    }),
  },
});
