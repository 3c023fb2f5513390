// The SMPP provider: our own encoding and UDH (submit-params.ts), a submit window, the
// SMS_RATE limit shared by every worker through Redis, and the SMSC's answers mapped to
// sent, failed (with the SMPP status named), retry (throttled: never taken) or unknown.
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import smpp from 'smpp';
import type { Config } from '../../core/config.js';
import { takeReceipts } from '../receipts.js';
import { handleIncoming, isReceipt, receiptOf } from '../smpp/deliver.js';
import type { Receipt } from '../smpp/receipt.js';
import { SmppClient } from '../smpp/smpp-client.js';
import { submitParams } from '../smpp/submit-params.js';
import { receiptKey } from '../smpp/message-ids.js';
import type { OutgoingSms, ProviderDeps, SmsProvider, SubmitResult, SubmittedPart } from './provider.js';

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
 * Receipts that arrive while one transaction is under way are taken together by the next (up
 * to RECEIPTS_PER_INSERT), each deliver_sm still acknowledged only once its receipt is stored.
 * One commit per receipt, at thousands a second, held the pool's connections the send path needs.
 */
function receiptBatcher(deps: ProviderDeps): (receipt: Receipt) => Promise<void> {
  const waiting: Array<{ receipt: Receipt; resolve: () => void; reject: (error: unknown) => void }> = [];
  let flushing = false;
  async function flush(): Promise<void> {
    flushing = true;
    while (waiting.length > 0) {
      const batch = waiting.splice(0, RECEIPTS_PER_INSERT);
      try {
        await takeReceipts(deps, batch.map((w) => w.receipt));
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

/**
 * The parts this process handed over whose window's results are not written yet, by SMSC
 * id. A receipt for one of them (a fast SMSC answers within milliseconds, before the window is
 * complete) waits until they are, then finds its part at once instead of waiting for the job.
 */
class UnwrittenParts {
  private readonly windows = new Map<string, Promise<void>>();

  add(smscId: string, written: Promise<void>): void {
    this.windows.set(receiptKey(smscId), written);
  }

  remove(smscIds: readonly string[], written: Promise<void>): void {
    for (const id of smscIds) {
      const key = receiptKey(id);
      if (this.windows.get(key) === written) this.windows.delete(key);
    }
  }

  /** Resolves at once, or when the window of this SMSC id is written (or failed to be). */
  async settled(smscId: string): Promise<void> {
    await this.windows.get(receiptKey(smscId));
  }
}

export function createSmppProvider(config: Config, deps: ProviderDeps): SmsProvider {
  if (!config.sms.smppUrl) throw new Error('SMPP_URL is required for SMS_PROVIDER=smpp');
  const storeReceipt = receiptBatcher(deps);
  const unwritten = new UnwrittenParts();
  const client = new SmppClient({
    url: config.sms.smppUrl,
    window: config.sms.smppWindow,
    responseTimeoutMs: config.sms.smppResponseTimeoutMs,
    enquireLinkMs: 30_000,
    logger: deps.logger,
    onDeliver: async (pdu) => {
      if (!isReceipt(pdu)) return handleIncoming(deps, config, pdu);
      const receipt = receiptOf(pdu);
      if (!receipt) return;
      await unwritten.settled(receipt.smscId);
      await storeReceipt(receipt);
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

  async function submitOne(message: OutgoingSms, onAccepted: (smscId: string) => void): Promise<SubmitResult> {
    reference = (reference + 1) & 0xff;
    const params = submitParams(message, reference, { gsmDataCoding: config.sms.smppGsmDataCoding, validityHours: config.sms.validityHours });
    await takeTokens(params.length);
    const outcomes = await Promise.all(params.map((p) => client.submit(p, onAccepted)));
    const parts = outcomes.flatMap((o, i): SubmittedPart[] => (o.kind === 'accepted' ? [{ part: i + 1, smscId: o.messageId }] : []));
    const id = message.messageId;
    if (parts.length === outcomes.length) return { messageId: id, status: 'sent', providerMessageId: parts[0]?.smscId ?? '', parts };
    if (outcomes.some((o) => o.kind === 'unknown') || parts.length > 0) return { messageId: id, status: 'unknown', errorCode: parts.length > 0 ? 'partly-accepted' : 'no-response', parts };
    const refused = outcomes.find((o) => o.kind === 'refused');
    if (refused?.kind === 'refused' && !THROTTLED.has(refused.status)) return { messageId: id, status: 'failed', errorCode: statusName(refused.status) };
    return { messageId: id, status: 'retry', errorCode: refused?.kind === 'refused' ? statusName(refused.status) : 'not-connected' };
  }

  return {
    name: 'smpp',
    // Ten seconds of SMS_RATE at most, so rate-limited windows are short.
    windowSize: config.sms.rate ? Math.max(1, Math.min(200, Math.floor(config.sms.rate * 10))) : 200,
    ready: (timeoutMs, signal) => client.waitUntilBound(timeoutMs, signal),
    async submit(window, record) {
      let written!: () => void;
      const recorded = new Promise<void>((resolve) => (written = resolve));
      const accepted: string[] = [];
      const onAccepted = (smscId: string) => {
        accepted.push(smscId);
        unwritten.add(smscId, recorded);
      };
      try {
        const results = await Promise.all(window.map((m) => submitOne(m, onAccepted)));
        await record(results);
        return results;
      } finally {
        written();
        unwritten.remove(accepted, recorded);
      }
    },
    close: () => client.close(),
  };
}
