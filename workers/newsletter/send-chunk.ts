// newsletter.send-chunk: claims one window of a campaign's chunk at a time (queued → sending),
// hands each mail to the pooled transport, and writes the window's outcomes back in one
// statement. At most once: a row once claimed is never claimed again, so a mail whose
// connection dropped after the final '.' stays 'unknown'. 4xx answers go back to 'queued' with
// a backoff; 5xx fail the recipient; a window that mostly fails pauses the campaign for ops.
import { pause } from '../core/pause.js';
import type { Handler, JobContext } from '../core/handler.js';
import type { Mailer } from '../mail/mailer.js';
import { classifyMailFailure } from '../mail/send-mail.js';
import { campaignMailer, campaignSender } from './campaign-mail.js';
import { noteWindow } from './metrics.js';
import { findCampaign } from './campaigns.js';
import { completeCampaignIfDone, markCampaignSending, pauseCampaign } from './campaign-state.js';
import { cancelQueuedDeliveries, claimDeliveries, markCampaignChunkDone, nextQueuedAt, writeDeliveryOutcomes, type ClaimedDelivery, type DeliveryOutcome } from './deliveries.js';

const WINDOW = 100;
/** A window smaller than this never pauses a campaign (one refusal of three is no burst). */
const MIN_BURST = 10;
/** Retries due sooner than this are waited for in the job; later ones are the reconciler's. */
const MAX_INLINE_WAIT_MS = 5_000;
const PROGRESS_EVERY_MS = 1_000;

/** Why campaigns may not go out through this transport, if they may not. */
export function sendRefusal(deps: Pick<JobContext['deps'], 'config' | 'mailer'>): string | undefined {
  return deps.config.env === 'production' && deps.mailer.name === 'smtp' && !deps.mailer.signs ? 'dkim-missing' : undefined;
}

async function sendOne(mailer: Mailer, mail: Parameters<Mailer['send']>[0], d: ClaimedDelivery, retryBaseMs: number): Promise<DeliveryOutcome> {
  try {
    await mailer.send(mail);
    return { id: d.id, status: 'sent', smtpCode: 250, errorCode: null, retryMs: 0 };
  } catch (error) {
    const verdict = classifyMailFailure(error);
    const code = (error as { responseCode?: unknown }).responseCode;
    return { id: d.id, status: verdict.status, smtpCode: typeof code === 'number' ? code : null, errorCode: verdict.errorCode, retryMs: retryBaseMs * 2 ** (d.attempts - 1) };
  }
}

export const sendCampaignChunk: Handler<'newsletter.send-chunk'> = async ({ campaignId, chunk }, { deps, job, log, signal }) => {
  const campaign = await findCampaign(deps.db, null, campaignId);
  if (!campaign) return { sent: 0 };
  const range = { campaignId, from: chunk * campaign.chunk_size, to: (chunk + 1) * campaign.chunk_size };
  if (campaign.status === 'cancelled') {
    await cancelQueuedDeliveries(deps.db, range);
    return { sent: 0 };
  }
  if (campaign.status !== 'queued' && campaign.status !== 'sending') return { sent: 0 };
  const refusal = sendRefusal(deps);
  if (refusal) {
    await pauseCampaign(deps.db, campaignId, refusal);
    log.warn({ campaignId, reason: refusal }, 'campaign paused');
    return { sent: 0 };
  }
  if (campaign.status === 'queued') await markCampaignSending(deps.db, campaignId);
  const { mail } = deps.config;
  const mailOf = campaignMailer(campaign, await campaignSender(deps.db, campaign), { publicUrl: deps.config.publicUrl, secretKey: deps.config.secretKey, bounceDomain: mail.bounceDomain });
  let cursor = range.from;
  let sent = 0;
  let failed = 0;
  let reported = 0;
  for (;;) {
    signal.throwIfAborted();
    const { deliveries, lastSeq, held } = await claimDeliveries(deps.db, { ...range, from: cursor }, WINDOW);
    if (lastSeq === null) {
      if (cursor !== range.from) {
        cursor = range.from; // once more from the start, for retries that came due behind the cursor
        continue;
      }
      const current = await findCampaign(deps.db, null, campaignId);
      if (current?.status === 'cancelled') await cancelQueuedDeliveries(deps.db, range);
      if (current?.status !== 'queued' && current?.status !== 'sending') return { sent, failed };
      const next = await nextQueuedAt(deps.db, range);
      if (next === null) break;
      const wait = next.getTime() - Date.now();
      if (wait > MAX_INLINE_WAIT_MS) return { sent, failed, deferred: 1 }; // the reconciler enqueues the chunk again when they are due
      await pause(Math.max(wait, 20), signal);
      continue;
    }
    cursor = lastSeq + 1;
    const outcomes = await Promise.all(deliveries.map((d) => sendOne(deps.mailer, mailOf(d), d, mail.retryBaseMs)));
    noteWindow(deps.metrics, await writeDeliveryOutcomes(deps.db, outcomes), held);
    const refused = outcomes.filter((o) => o.status !== 'sent').length;
    sent += outcomes.length - refused;
    failed += refused;
    // Refused for good or lost count toward a burst; a 4xx deferral (a relay busy for a while) backs off and comes again instead.
    const lost = outcomes.filter((o) => o.status === 'failed' || o.status === 'unknown').length;
    if (outcomes.length >= MIN_BURST && lost / outcomes.length >= mail.pauseFailureRatio) {
      if (await pauseCampaign(deps.db, campaignId, 'failure-burst')) log.warn({ campaignId, refused: lost, window: outcomes.length }, 'campaign paused: burst of failures');
      return { sent, failed };
    }
    if (Date.now() - reported >= PROGRESS_EVERY_MS) {
      reported = Date.now();
      await job.updateProgress({ sent, failed });
    }
  }
  await job.updateProgress({ sent, failed });
  if (await markCampaignChunkDone(deps.db, { ...range, chunk })) await completeCampaignIfDone(deps.db, campaignId);
  return { sent, failed };
};
