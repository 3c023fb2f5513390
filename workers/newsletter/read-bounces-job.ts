// mail.read-bounces: the scheduled run of the bounce mailbox reader (bounce-reader.ts); with
// BOUNCE_IMAP_URL unset it does nothing. Counts in its log line, its result and the metrics.
import type { Handler } from '../core/handler.js';
import { readBounces } from './bounce-reader.js';
import { noteBounce } from './metrics.js';

export const readBouncesJob: Handler<'mail.read-bounces'> = async (_payload, { deps, log }) => {
  const { config } = deps;
  if (!config.mail.bounceImapUrl) return { read: 0, applied: 0, left: 0 };
  const run = await readBounces(deps.db, {
    imapUrl: config.mail.bounceImapUrl,
    secretKey: config.secretKeys,
    bounceDomain: config.mail.bounceDomain,
    suppressionKey: config.suppressionKey,
    onBounce: (kind) => noteBounce(deps.metrics, kind),
  });
  log.info({ ...run }, 'bounce mailbox read');
  return { ...run };
};
