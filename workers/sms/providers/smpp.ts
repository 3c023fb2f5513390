// The SMPP provider: our own encoding and UDH (submit-params.ts), SMPP_SESSIONS sessions each
// with a submit window (session-pool.ts), the SMS_RATE limit shared by every worker through
// Redis and SMPP_SESSION_RATE per session, taken before a window is claimed (reserve), and the
// SMSC's answers mapped to sent, failed (with the SMPP status named), retry (throttled: never
// taken) or unknown (submit-message.ts, submit-status.ts).
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from '../../core/config.js';
import { takeReceipts } from '../receipts.js';
import { ConcatReferences } from '../smpp/concat-ref.js';
import { handleIncoming, isReceipt, receiptOf } from '../smpp/deliver.js';
import type { ReadPdu } from '../smpp/pdu-reader.js';
import type { DeliverAck } from '../smpp/smpp-client.js';
import { partStateOf, type Receipt } from '../smpp/receipt.js';
import type { OutgoingPdu } from 'smpp';
import { submitSmPdu, type SubmitSm } from '../smpp/pdu-writer.js';
import { SmppSessions } from '../smpp/session-pool.js';
import { submitMessage } from '../smpp/submit-message.js';
import { relativeValidity, submitParams } from '../smpp/submit-params.js';
import { retryDelayMs } from '../smpp/submit-status.js';
import { TokenBucket, sleep } from '../smpp/token-bucket.js';
import { noteUnreadableReceipt } from '../unreadable-receipt.js';
import { receiptKey } from '../smpp/message-ids.js';
import type { OutgoingSms, ProviderDeps, SmsProvider, SubmitResult } from './provider.js';
import { registerSessionMetrics } from '../smpp/session-metrics.js';

export interface SmppProviderOptions {
  /** The wait before attempt n + 1 of a part the SMSC refused for now (tests shorten it). */
  readonly retryDelayMs?: (attempt: number) => number;
}

/** SMS_RATE across every session of every worker: one counter in Redis. */
function sharedRate(config: Config, deps: ProviderDeps) {
  const rate = config.sms.rate;
  if (!rate) return undefined;
  const points = Math.max(1, Math.floor(rate));
  const options = { keyPrefix: `${config.queuePrefix}:smsc-rate`, points, duration: 1 };
  const limiter = new RateLimiterRedis({ ...options, storeClient: deps.queues.connection, rejectIfRedisNotReady: true, insuranceLimiter: new RateLimiterMemory(options) });
  /** Takes `count` tokens, a second's worth at a time (a larger take would never fit in one second). */
  return async (count: number, signal: AbortSignal): Promise<void> => {
    for (let left = count; left > 0; ) {
      const piece = Math.min(left, points);
      try {
        await limiter.consume('smsc', piece);
        left -= piece;
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        await sleep(Math.max(10, rejection.msBeforeNext), signal);
      }
    }
  };
}

/**
 * Messages a second this process may send at most: SMS_RATE, and SMPP_SESSION_RATE times the
 * sessions. A window is a second of it, so its tokens come in about a second and it leaves at
 * once: claimed windows never wait for tokens, and the SMSC never gets more than a second's burst.
 */
function ceiling(config: Config): number | undefined {
  const perSessions = config.sms.smppSessionRate ? config.sms.smppSessionRate * config.sms.smppSessions : undefined;
  const rates = [config.sms.rate, perSessions].filter((r): r is number => r !== undefined);
  return rates.length > 0 ? Math.min(...rates) : undefined;
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
        await takeReceipts(deps, batch.map((w) => w.receipt), 'smpp');
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

/** Acknowledges `pdu` once `stored` settles: stored when it resolves, refused when it rejects. */
function ackWhen(stored: Promise<void>, pdu: ReadPdu, ack: DeliverAck): void {
  stored.then(
    () => ack(pdu, true),
    () => ack(pdu, false),
  );
}

/** A window this process is handing over, until its results are written. */
interface OpenWindow {
  /**
   * Its parts the SMSC took, by canonical SMSC id (receiptKey, taken once as each is accepted),
   * each with its final receipt once one came before the results were written (undefined until
   * then). The window's own map, dropped with it: one map of every open window's parts, added
   * to and deleted from per part, cost more CPU than the rest of the receipt's path (its size,
   * a few thousand parts, and its churn; bench/JOURNAL.md, issue 16, fourteenth round). A part
   * accepted after the window ended (one of its submits rejected while others were in flight)
   * goes into a map no longer open, so its receipt goes the usual way instead of waiting for an
   * acknowledgement that already happened.
   */
  readonly parts: Map<string, Receipt | undefined>;
  /**
   * Each early receipt as it came (a copy of one too), with its deliver_sm and that session's
   * acknowledgement, in three arrays rather than an object or a closure per receipt: all
   * acknowledged together once the results are written, or stored one by one if that failed.
   */
  readonly earlyReceipts: Receipt[];
  readonly earlyPdus: ReadPdu[];
  readonly earlyAcks: DeliverAck[];
  /** Set once the results are being written: a receipt after that waits and goes the usual way. */
  recording: boolean;
  /** True once the results are written (with the early receipts), false if that failed. */
  readonly written: Promise<boolean>;
}

/**
 * The windows this process is handing over whose results are not written yet. A fast SMSC
 * sends a part's receipt within milliseconds, before its window is complete: the receipt is
 * then written with the window's results (one row version instead of two, and no lookup), and
 * acknowledged once they are.
 */
class OpenWindows {
  /** Oldest first; a few at a time (one per chunk job of the process). */
  private readonly windows: OpenWindow[] = [];
  /** The window the last receipt was found in: receipts come in about the order their parts were accepted, so most are found in it. */
  private last: OpenWindow | undefined;

  add(window: OpenWindow): void {
    this.windows.push(window);
  }

  remove(window: OpenWindow): void {
    const i = this.windows.indexOf(window);
    if (i >= 0) this.windows.splice(i, 1);
    if (this.last === window) this.last = undefined;
  }

  /** The open window that had this part accepted (an id the SMSC gave twice in open windows is ambiguous: either). */
  private windowOf(key: string): OpenWindow | undefined {
    if (this.last?.parts.has(key)) return this.last;
    for (const window of this.windows) {
      if (window.parts.has(key)) return (this.last = window);
    }
    return undefined;
  }

  /**
   * Acknowledges the receipt's deliver_sm once the receipt is durable: written with its
   * window's results (see endWindow), or else by `store` (its window is being written
   * already, it is not final, or the window's write failed; never before the window's write
   * ends, so the part is found). An early receipt costs no promise, closure or async frame:
   * each took a `then` on the window's promise and the client's frame awaiting it.
   */
  take(receipt: Receipt, pdu: ReadPdu, ack: DeliverAck, store: (receipt: Receipt) => Promise<void>): void {
    const key = receiptKey(receipt.smscId);
    const window = this.windowOf(key);
    if (!window) return ackWhen(store(receipt), pdu, ack);
    if (window.recording || !partStateOf(receipt.stat)) return ackWhen(window.written.then(() => store(receipt)), pdu, ack);
    window.parts.set(key, receipt);
    window.earlyReceipts.push(receipt);
    window.earlyPdus.push(pdu);
    window.earlyAcks.push(ack);
  }
}

/**
 * A window's end for its early receipts: acknowledged together when its results (with them)
 * are written; else each stored the usual way and acknowledged once it is (or refused).
 */
function endWindow(open: OpenWindow, written: boolean, store: (receipt: Receipt) => Promise<void>): void {
  for (let i = 0; i < open.earlyPdus.length; i++) {
    const pdu = open.earlyPdus[i]!;
    const ack = open.earlyAcks[i]!;
    if (written) ack(pdu, true);
    else ackWhen(store(open.earlyReceipts[i]!), pdu, ack);
  }
}

/**
 * Gives each part whose receipt came early its state, in place: the results were copied (a
 * result, a parts array and a part per message), written out field by field since a spread
 * ({ ...p, state }) took V8's slow path.
 */
function applyEarlyReceipts(results: readonly SubmitResult[], open: OpenWindow): void {
  if (open.earlyReceipts.length === 0) return;
  for (const r of results) {
    if (r.status !== 'sent' && r.status !== 'unknown') continue;
    for (const p of r.parts ?? []) {
      const receipt = open.parts.get(receiptKey(p.smscId));
      if (!receipt) continue;
      p.state = partStateOf(receipt.stat);
      p.networkError = receipt.networkError;
      p.doneAt = receipt.doneAt;
    }
  }
}

export function createSmppProvider(config: Config, deps: ProviderDeps, options: SmppProviderOptions = {}): SmsProvider {
  if (!config.sms.smppUrl) throw new Error('SMPP_URL is required for SMS_PROVIDER=smpp');
  const storeReceipt = receiptBatcher(deps);
  const openWindows = new OpenWindows();
  const sessions = new SmppSessions(config.sms.smppSessions, {
    url: config.sms.smppUrl,
    window: config.sms.smppWindow,
    rate: config.sms.smppSessionRate,
    responseTimeoutMs: config.sms.smppResponseTimeoutMs,
    enquireLinkMs: config.sms.smppEnquireLinkMs,
    systemType: config.sms.smppSystemType,
    addressRange: config.sms.smppAddressRange,
    logger: deps.logger,
    onDeliver: (pdu, ack) => {
      if (!isReceipt(pdu)) return ackWhen(handleIncoming(deps, config.suppressionKey, pdu), pdu, ack);
      const reading = receiptOf(pdu);
      if ('unreadable' in reading) {
        noteUnreadableReceipt(deps, 'smpp', reading.unreadable);
        return ack(pdu, true);
      }
      openWindows.take(reading.receipt, pdu, ack, storeReceipt);
    },
  });
  sessions.start();
  registerSessionMetrics(deps.metrics.registry, sessions, config.sms.smppWindow);
  const takeShared = sharedRate(config, deps);
  const sessionRate = config.sms.smppSessionRate;
  // The sessions bound now, at their rate each: a window waits here, not claimed in a session's queue.
  const local = sessionRate ? new TokenBucket(() => sessionRate * Math.max(1, sessions.bound)) : undefined;
  const rate = ceiling(config);
  const references = new ConcatReferences();
  const submitOptions = { gsmDataCoding: config.sms.smppGsmDataCoding, validityPeriod: relativeValidity(config.sms.validityHours) };
  const messageOptions = { retryDelayMs: options.retryDelayMs ?? retryDelayMs, rebindWaitMs: config.sms.smppResponseTimeoutMs };

  /** Not an async function: it returns submitMessage's promise as it is, rather than one more wrapped around it per message. */
  function submitOne(message: OutgoingSms, onAccepted: (smscId: string) => void): Promise<SubmitResult> {
    let params: SubmitSm[];
    let pdus: OutgoingPdu[];
    try {
      params = submitParams(message, () => references.take(message.to), submitOptions);
      pdus = params.map(submitSmPdu);
    } catch {
      // Intake lets nothing through that SMPP cannot carry; should it happen, nothing was sent.
      return Promise.resolve({ messageId: message.messageId, status: 'failed', errorCode: 'unencodable' });
    }
    return submitMessage(sessions, message.messageId, pdus, (i) => submitSmPdu(params[i]!), onAccepted, messageOptions);
  }

  return {
    name: 'smpp',
    // Without a rate, half a chunk of 1,000 (send-chunk.ts, WINDOW): fewer committed statements per message.
    windowSize: rate ? Math.max(1, Math.min(200, Math.floor(rate))) : 500,
    reserve: rate
      ? async (parts, signal) => {
          // The local rate first: shared tokens taken and then held back here would be lost to the other workers.
          await local?.take(parts, signal);
          await takeShared?.(parts, signal);
        }
      : undefined,
    ready: (timeoutMs, signal) => sessions.waitUntilBound(timeoutMs, signal),
    async submit(window, record) {
      let written!: (ok: boolean) => void;
      const open: OpenWindow = {
        parts: new Map(),
        earlyReceipts: [],
        earlyPdus: [],
        earlyAcks: [],
        recording: false,
        written: new Promise<boolean>((resolve) => (written = resolve)),
      };
      const onAccepted = (smscId: string) => {
        open.parts.set(receiptKey(smscId), undefined);
      };
      openWindows.add(open);
      let ok = false;
      try {
        const results = await Promise.all(window.map((m) => submitOne(m, onAccepted)));
        open.recording = true;
        applyEarlyReceipts(results, open);
        await record(results);
        ok = true;
        return results;
      } finally {
        written(ok);
        openWindows.remove(open);
        endWindow(open, ok, storeReceipt);
      }
    },
    close: () => sessions.close(),
  };
}
