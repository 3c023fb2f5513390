// sms.callback: POST one signed callback; a non-2xx answer or a network error retries with
// backoff, and the last attempt marks it failed.
import { PublicError } from '../core/errors.js';
import type { Handler } from '../core/handler.js';
import { postCallback } from './callback-post.js';
import { callbackTarget, callbackTargetRules } from './callback-target.js';
import { finishCallback, loadCallback, signCallback } from './callbacks.js';
import { expandCallbackPayload } from './replies.js';

const TIMEOUT_MS = 10_000;

export const sendCallback: Handler<'sms.callback'> = async ({ callbackId }, { deps, job }) => {
  const callback = await loadCallback(deps.db, callbackId);
  if (!callback || callback.status !== 'queued' || !callback.callback_url) return { sent: 0 };
  const body = JSON.stringify(await expandCallbackPayload(deps.db, callback.payload));
  // Checked again at sending time (the host may resolve elsewhere now), and sent to the address checked.
  const target = await callbackTarget(callback.callback_url, callbackTargetRules(deps.config));
  if ('problem' in target) {
    await finishCallback(deps.db, callbackId, { status: 'failed', httpStatus: null });
    return { sent: 0, failed: 1 };
  }
  const headers = { 'content-type': 'application/json', 'x-tgg-signature': signCallback(callback.callback_secret, body), 'user-agent': 'tgg-callbacks/1' };
  const httpStatus = await postCallback(target, headers, body, TIMEOUT_MS);
  if (httpStatus !== null && httpStatus >= 200 && httpStatus < 300) {
    await finishCallback(deps.db, callbackId, { status: 'sent', httpStatus });
    return { sent: 1 };
  }
  const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
  await finishCallback(deps.db, callbackId, { status: last ? 'failed' : 'queued', httpStatus });
  if (last) return { sent: 0, failed: 1 };
  throw new PublicError(`callback answered ${httpStatus ?? 'no response'}`, 'callback-failed');
};
