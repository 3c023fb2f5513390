// The SMPP provider: our own encoding and UDH (submit-params.ts), a submit window, the
// SMS_RATE limit shared by every worker through Redis, and the SMSC's answers mapped to
// sent, failed (with the SMPP status named), retry (throttled: never taken) or unknown.
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import smpp from 'smpp';
import type { Config } from '../../core/config.js';
import { storeReceipts } from '../receipts.js';
import { handleIncoming, isReceipt, receiptOf } from '../smpp/deliver.js';
import type { Receipt } from '../smpp/receipt.js';
import { SmppClient } from '../smpp/smpp-client.js';
import { submitParams } from '../smpp/submit-params.js';
import { storeParts } from './message-parts.js';
import type { OutgoingSms, ProviderDeps, SmsProvider, SubmitResult } from './provider.js';

const THROTTLED = new Set([smpp.ESME_RTHROTTLED, smpp.ESME_RMSGQFUL]);
const STATUS_NAMES = new Map(Object.entries(smpp.errors).map(([name, code]) => [code, name]));

export function statusName(status: number): string {
  return STATUS_NAMES.get(status) ?? `0x${status.toString(16).padStart(4, '0')}`;
}

function rateLimiter(config: Config, deps: ProviderDeps) {
  const rate = config.sms.rate;
  if (!rate) return undefined;
  const options = { keyPrefix: `${config.queuePrefix}:smsc-rate`, points: Math.max(1, Math.floor(rate)), duration: 1 };
  return new RateLimiterRedis({ ...options, storeClient: deps.queues.connection, rejectIfRedisNotReady: true, insuranceLimiter: new RateLimiterMemory(options) });
}

const RECEIPTS_PER_INSERT = 1_000;

/**
 * Receipts that arrive while one INSERT is under way are stored together by the next (one
 * commit and one job for up to RECEIPTS_PER_INSERT), each deliver_sm still acknowledged only
 * once its receipt is stored. One commit per receipt, at thousands a second, held the pool's
 * connections the send path needs.
 */
function receiptBatcher(deps: ProviderDeps): (receipt: Receipt) => Promise<void> {
  const waiting: Array<{ receipt: Receipt; resolve: () => void; reject: (error: unknown) => void }> = [];
  let flushing = false;
  async function flush(): Promise<void> {
    flushing = true;
    while (waiting.length > 0) {
      const batch = waiting.splice(0, RECEIPTS_PER_INSERT);
      try {
        await storeReceipts(deps, batch.map((w) => w.receipt));
        for (const w of batch) w.resolve();
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
    flushing = false;
  }
  return (receipt) =>
    new Promise<void>((resolve, reject) => {
      waiting.push({ receipt, resolve, reject });
      if (!flushing) void flush();
    });
}

export function createSmppProvider(config: Config, deps: ProviderDeps): SmsProvider {
  if (!config.sms.smppUrl) throw new Error('SMPP_URL is required for SMS_PROVIDER=smpp');
  const storeReceipt = receiptBatcher(deps);
  const client = new SmppClient({
    url: config.sms.smppUrl,
    window: config.sms.smppWindow,
    responseTimeoutMs: config.sms.smppResponseTimeoutMs,
    enquireLinkMs: 30_000,
    logger: deps.logger,
    onDeliver: async (pdu) => {
      if (!isReceipt(pdu)) return handleIncoming(deps, config, pdu);
      const receipt = receiptOf(pdu);
      if (receipt) await storeReceipt(receipt);
    },
  });
  client.start();
  const limiter = rateLimiter(config, deps);
  let reference = 0;

  async function takeTokens(count: number): Promise<void> {
    if (!limiter) return;
    for (;;) {
      try {
        await limiter.consume('smsc', count);
        return;
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        await new Promise((r) => setTimeout(r, Math.max(10, rejection.msBeforeNext)));
      }
    }
  }

  async function submitOne(message: OutgoingSms): Promise<{ result: SubmitResult; parts: Array<{ part: number; smscId: string }> }> {
    reference = (reference + 1) & 0xff;
    const params = submitParams(message, reference, { gsmDataCoding: config.sms.smppGsmDataCoding, validityHours: config.sms.validityHours });
    await takeTokens(params.length);
    const outcomes = await Promise.all(params.map((p) => client.submit(p)));
    const parts = outcomes.flatMap((o, i) => (o.kind === 'accepted' ? [{ part: i + 1, smscId: o.messageId }] : []));
    const id = message.messageId;
    if (parts.length === outcomes.length) return { result: { messageId: id, status: 'sent', providerMessageId: parts[0]?.smscId ?? '' }, parts };
    if (outcomes.some((o) => o.kind === 'unknown') || parts.length > 0) return { result: { messageId: id, status: 'unknown', errorCode: parts.length > 0 ? 'partly-accepted' : 'no-response' }, parts };
    const refused = outcomes.find((o) => o.kind === 'refused');
    if (refused?.kind === 'refused' && !THROTTLED.has(refused.status)) return { result: { messageId: id, status: 'failed', errorCode: statusName(refused.status) }, parts };
    return { result: { messageId: id, status: 'retry', errorCode: refused?.kind === 'refused' ? statusName(refused.status) : 'not-connected' }, parts };
  }

  return {
    name: 'smpp',
    // Ten seconds of SMS_RATE at most, so rate-limited windows are short.
    windowSize: config.sms.rate ? Math.max(1, Math.min(200, Math.floor(config.sms.rate * 10))) : 200,
    ready: (timeoutMs, signal) => client.waitUntilBound(timeoutMs, signal),
    async submit(window) {
      const submitted = await Promise.all(window.map(submitOne));
      const parts = submitted.flatMap(({ result, parts: accepted }) => accepted.map((p) => ({ messageId: result.messageId, ...p })));
      await storeParts(deps.db, parts);
      return submitted.map((s) => s.result);
    },
    close: () => client.close(),
  };
}
