// One SMPP transceiver session with what a production ESME needs: bind, enquire_link (a link
// that leaves one unanswered is dropped and bound again, link-check.ts), reconnect with
// jittered backoff, a submit window (several submit_sm in flight) with response timeouts, a
// pause after a throttling answer, and a handler for deliver_sm (receipts and incoming messages).
import { EventEmitter } from 'node:events';
import smpp, { type OutgoingPdu, type PDU, type Session } from 'smpp';
import type { ReadPdu } from './pdu-reader.js';
import { readWithOwnDecoder } from './session-reader.js';
import type { Logger } from '../../core/logger.js';
import { LinkCheck } from './link-check.js';
import { deliverSmRespBytes } from './pdu-writer.js';
import { THROTTLE_PAUSE_MS, refusalOf } from './submit-status.js';
import { TokenBucket } from './token-bucket.js';

/** SMPP 3.4 5.1.3: "temporary application error", which SMSCs answer by retrying. */
const ESME_RX_T_APPN = 0x64;
/** A generic_nack to a submit_sm that carries no status: ESME_RSYSERR, a temporary refusal (submit-status.ts). */
const GENERIC_NACK_STATUS = 0x08;

export interface SmppClientOptions {
  readonly url: string;
  readonly window: number;
  readonly responseTimeoutMs: number;
  /** enquire_link after this long without a PDU from the SMSC; unanswered within responseTimeoutMs, the session is dropped. */
  readonly enquireLinkMs: number;
  /** bind_transceiver's system_type and address_range. */
  readonly systemType?: string;
  readonly addressRange?: string;
  readonly logger: Logger;
  /** submit_sm per second on this session (SMPP_SESSION_RATE), when the SMSC caps each bind. */
  readonly rate?: number | undefined;
  /**
   * Called for every deliver_sm and data_sm with its session's `ack`, which it calls once what
   * the PDU carries is stored (so nothing is lost), or with false when storing failed (refused
   * with ESME_RX_T_APPN): once per PDU. A handler that throws has it refused.
   */
  readonly onDeliver: (pdu: ReadPdu, ack: DeliverAck) => void;
}

/**
 * Answers a deliver_sm or data_sm handed to onDeliver: ESME_ROK when what it carries is stored,
 * ESME_RX_T_APPN when not (the SMSC delivers it again). One per session, not one per PDU: the
 * receipts of a window are acknowledged together as it is written, without a promise and an
 * async frame each.
 */
export type DeliverAck = (pdu: ReadPdu, stored: boolean) => void;

export type SubmitOutcome =
  | { readonly kind: 'accepted'; readonly messageId: string }
  | { readonly kind: 'refused'; readonly status: number }
  /** Never written to the socket: safe to try again. */
  | { readonly kind: 'not-sent' }
  /** Written, but no answer (timeout, connection lost): it may or may not have been taken. */
  | { readonly kind: 'unknown' };

interface PendingSubmit {
  readonly session: Session;
  readonly resolve: (outcome: SubmitOutcome) => void;
  readonly onAccepted: ((messageId: string) => void) | undefined;
  /** performance.now() after which it is 'unknown'. */
  readonly deadline: number;
}

/** A submit waiting for a slot of the window: its promise's resolve, and what to send once it has one. */
interface WaitingSubmit {
  readonly pdu: OutgoingPdu;
  readonly onAccepted: ((messageId: string) => void) | undefined;
  readonly elsewhere: Elsewhere | undefined;
  readonly resolve: (outcome: SubmitOutcome | Promise<SubmitOutcome>) => void;
}

const NOT_SENT: SubmitOutcome = Object.freeze({ kind: 'not-sent' });

/**
 * Where a submit this client could not write goes instead (another session of the pool): it
 * answers the submit's outcome in place of 'not-sent'. Passed down rather than awaited around
 * every part, which cost the pool an async frame per part.
 */
export type Elsewhere = (pdu: OutgoingPdu, onAccepted: ((messageId: string) => void) | undefined, from: SmppClient) => Promise<SubmitOutcome>;

const UNKNOWN: SubmitOutcome = Object.freeze({ kind: 'unknown' });

export class SmppClient extends EventEmitter {
  private session: Session | undefined;
  private bound = false;
  private closing = false;
  private attempt = 0;
  private inFlight = 0;
  /** Submits waiting for a slot, oldest first. */
  private readonly slotWaiters: WaitingSubmit[] = [];
  /** Waiting submits handed a freed slot, started together in one microtask. */
  private handedOver: WaitingSubmit[] = [];
  /** Submits written and awaiting their answer, by sequence number, oldest first (one timeout for all). */
  private readonly pending = new Map<number, PendingSubmit>();
  /** Armed while something is pending: fires at the oldest submit's deadline. */
  private responseTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  /** The PDUs written in this tick (and their session): they leave together as the tick ends. */
  private outgoing: Buffer[] = [];
  private outgoingSession: Session | undefined;
  /** Nothing is written before this time (ms since the epoch): the SMSC said it is throttling us. */
  private pausedUntil = 0;
  private link: LinkCheck | undefined;
  private readonly bucket: TokenBucket | undefined;

  constructor(private readonly options: SmppClientOptions) {
    super();
    const rate = options.rate;
    this.bucket = rate ? new TokenBucket(() => rate) : undefined;
  }

  get isBound(): boolean {
    return this.bound;
  }

  /** Submits in flight or waiting for a slot, plus a window's worth while the SMSC throttles us. */
  get load(): number {
    const paused = this.pausedUntil !== 0 && this.pausedUntil > Date.now();
    return this.inFlight + this.slotWaiters.length + (paused ? this.options.window : 0);
  }

  /** The submits this session may have in flight (SMPP_WINDOW). */
  get window(): number {
    return this.options.window;
  }

  /** True when SMPP_SESSION_RATE holds this session back. */
  get rated(): boolean {
    return this.bucket !== undefined;
  }

  start(): void {
    this.connect();
  }

  /** For the metrics: submit_sm in flight against the window. */
  get windowInUse(): number {
    return this.inFlight;
  }

  private connect(): void {
    if (this.closing) return;
    const url = new URL(this.options.url);
    const session = smpp.connect({ host: url.hostname, port: Number(url.port || 2775), tls: url.protocol === 'ssmpp:' });
    // The PDUs the SMSC sends are read by our reader (session-reader.ts, pdu-reader.ts), checked
    // field for field against the package's in test/sms-smpp-pdu.test.ts. Its first version was
    // slower than the package's (12.4-13.1 s against 9.6 s for the 100,000-message benchmark):
    // it built each PDU by a spread and then added its fields one by one, which V8 handled on
    // its slow path, at 2.5 times the package's CPU per deliver_sm. Built as one object literal,
    // a deliver_sm costs a tenth of the package's.
    readWithOwnDecoder(session);
    this.session = session;
    const onDead = () => {
      if (this.session === session) this.bound = false;
    };
    const link = new LinkCheck(session, { intervalMs: this.options.enquireLinkMs, timeoutMs: this.options.responseTimeoutMs, logger: this.options.logger, onDead });
    this.link = link;
    session.on('connect', () => {
      // Each PDU leaves at once: SMPP is request and answer, and Nagle's algorithm held small
      // submits back until the SMSC acknowledged the last ones.
      session.socket.setNoDelay(true);
      // An SMSC that never answers the bind is dropped like one that refuses it.
      const bindTimer = setTimeout(() => session.destroy(), this.options.responseTimeoutMs);
      session.once('close', () => clearTimeout(bindTimer));
      const bind = { system_id: decodeURIComponent(url.username), password: decodeURIComponent(url.password), interface_version: 0x34, system_type: this.options.systemType ?? '', address_range: this.options.addressRange ?? '' };
      session.bind_transceiver(bind, (pdu) => {
        clearTimeout(bindTimer);
        if (pdu.command_status === smpp.ESME_ROK) {
          this.bound = true;
          this.attempt = 0;
          link.start();
          this.options.logger.info('SMPP bound');
          this.emit('bound');
        } else {
          this.options.logger.error({ status: pdu.command_status }, 'SMPP bind refused');
          session.destroy();
        }
      });
    });
    const ack: DeliverAck = (pdu, stored) => this.acknowledge(session, pdu, stored);
    const onDeliver = (pdu: ReadPdu) => {
      try {
        this.options.onDeliver(pdu, ack);
      } catch {
        ack(pdu, false);
      }
    };
    session.on('submit_sm_resp', (pdu: ReadPdu) => this.onSubmitResponse(session, pdu));
    // A submit_sm the SMSC could not read is answered by a generic_nack of its sequence number:
    // a refusal (it was not taken), not an answer to wait out into 'unknown'.
    session.on('generic_nack', (pdu: ReadPdu) => this.onSubmitResponse(session, pdu));
    session.on('deliver_sm', onDeliver);
    session.on('data_sm', onDeliver);
    session.on('enquire_link', (pdu: PDU) => session.send(pdu.response()));
    session.on('unbind', (pdu: PDU) => {
      session.send(pdu.response());
      session.close();
    });
    session.on('error', (error: Error) => this.options.logger.warn({ code: (error as { code?: string }).code ?? 'error' }, 'SMPP connection error'));
    session.on('close', () => this.onClose(session));
  }

  /** A deliver_sm or data_sm's answer (see DeliverAck), with the PDUs written in this tick. */
  private acknowledge(session: Session, pdu: ReadPdu, stored: boolean): void {
    if (!stored) this.options.logger.warn({ command: pdu.command }, 'deliver_sm not stored; answered ESME_RX_T_APPN');
    this.write(session, deliverSmRespBytes(pdu.sequence_number, stored ? smpp.ESME_ROK : ESME_RX_T_APPN, pdu.command === 'data_sm'));
  }

  private onClose(session: Session): void {
    if (this.session !== session) return;
    this.bound = false;
    this.session = undefined;
    this.link?.stop();
    this.link = undefined;
    for (const [seq, waiting] of this.pending) this.settle(seq, waiting, UNKNOWN);
    if (this.closing) return;
    // Jittered (half to all of the doubling step), so the workers of a platform do not all
    // knock on a recovering SMSC at the same moment.
    const step = Math.min(30_000, 250 * 2 ** this.attempt++);
    const delay = Math.round(step / 2 + (Math.random() * step) / 2);
    this.options.logger.warn({ retryInMs: delay }, 'SMPP connection closed; reconnecting');
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  /**
   * The PDUs written in one tick leave together, as one buffer in one write when the tick
   * ends: a window's submits, or the acknowledgements of the receipts stored by one
   * transaction. Written one by one, each was its own system call and its own TCP segment;
   * corked, each was still a stream write with its own callback (the package's send). False
   * when the socket takes nothing more: then nothing was written.
   */
  private write(session: Session, bytes: Buffer): boolean {
    if (!session.socket.writable) return false;
    if (this.outgoingSession !== session) {
      this.flush();
      this.outgoingSession = session;
      process.nextTick(this.flush);
    }
    this.outgoing.push(bytes);
    return true;
  }

  /** Writes what this tick queued. A socket gone meanwhile takes none of it: its pending submits end 'unknown' as it closes. */
  private readonly flush = (): void => {
    const session = this.outgoingSession;
    const list = this.outgoing;
    if (!session || list.length === 0) return;
    this.outgoingSession = undefined;
    this.outgoing = [];
    if (session.socket.writable) session.socket.write(list.length === 1 ? list[0]! : Buffer.concat(list));
  };

  /**
   * A submit_sm numbered on the session (as the package's send numbers it), its answer awaited
   * by onSubmitResponse (the session's submit_sm_resp event: no callback is filed in the
   * package's table and taken out again per part); 0 when the socket takes nothing more
   * (nothing was written).
   */
  private writeRequest(session: Session, pdu: OutgoingPdu): number {
    if (!session.socket.writable) return 0;
    if (session.sequence === 0x7fffffff) session.sequence = 0;
    const sequence = ++session.sequence;
    pdu.sequence_number = sequence;
    return this.write(session, pdu.toBuffer()) ? sequence : 0;
  }

  /**
   * Every submit_sm_resp of this client's sessions, matched to its submit by sequence number:
   * one function for all, where each part had two closures of its own (its callback and its end).
   * An answer nothing waits for (past its timeout, or to no submit of ours) changes nothing.
   */
  private onSubmitResponse(session: Session, response: ReadPdu): void {
    const sequence = response.sequence_number;
    const waiting = this.pending.get(sequence);
    if (!waiting || waiting.session !== session) return;
    if (response.command_status !== smpp.ESME_ROK || response.command === 'generic_nack') {
      // A generic_nack is never an acceptance, even one without a status.
      const status = response.command_status === smpp.ESME_ROK ? GENERIC_NACK_STATUS : response.command_status;
      // Paused as the answer is read, before the next part or message is written.
      if (refusalOf(status) === 'throttled') this.pausedUntil = Date.now() + THROTTLE_PAUSE_MS;
      this.settle(sequence, waiting, { kind: 'refused', status });
      return;
    }
    const messageId = String(response.message_id ?? '');
    waiting.onAccepted?.(messageId);
    this.settle(sequence, waiting, { kind: 'accepted', messageId });
  }

  /**
   * One timer for the pending submits, at the oldest one's deadline (all wait as long, so the
   * oldest is the first in the map), instead of one made and cleared per part. Unreferenced:
   * it keeps no process alive (a pending submit has its socket open).
   */
  private armResponseTimer(): void {
    if (this.responseTimer) return;
    const oldest = this.pending.values().next().value;
    if (!oldest) return;
    this.responseTimer = setTimeout(this.onResponseTimer, Math.max(0, oldest.deadline - performance.now())).unref();
  }

  private readonly onResponseTimer = (): void => {
    this.responseTimer = undefined;
    const now = performance.now();
    let expired: Session | undefined;
    for (const [sequence, waiting] of this.pending) {
      if (waiting.deadline > now) break;
      this.settle(sequence, waiting, UNKNOWN);
      expired = waiting.session;
    }
    if (expired) {
      // An SMSC that stops answering is treated as gone: reconnect, so the rest of the
      // window is 'not sent' (safe to retry) instead of waiting out one timeout each.
      this.options.logger.warn('SMPP response timeout; reconnecting');
      expired.destroy();
    }
    this.armResponseTimer();
  };

  /** Resolves once bound, or false after `timeoutMs`. */
  waitUntilBound(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (this.bound) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (value: boolean) => {
        clearTimeout(timer);
        this.off('bound', onBound);
        signal?.removeEventListener('abort', onAbort);
        resolve(value);
      };
      const onBound = () => done(true);
      const onAbort = () => done(false);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.on('bound', onBound);
      signal?.addEventListener('abort', onAbort);
    });
  }

  /**
   * A freed slot goes to the oldest waiting submit (inFlight stays as it is), so a waiter never
   * wakes to find the slot taken and never waits twice. It starts in a microtask, as the
   * resolved slot of an awaiting submit did: after the code that freed it has run (a response
   * timeout destroys the session first, so the waiters it frees end 'not sent').
   */
  private release(): void {
    const next = this.slotWaiters.shift();
    if (!next) {
      this.inFlight -= 1;
      return;
    }
    this.handedOver.push(next);
    if (this.handedOver.length === 1) queueMicrotask(this.startHandedOver);
  }

  private readonly startHandedOver = (): void => {
    const list = this.handedOver;
    this.handedOver = [];
    for (const waiting of list) {
      if (this.mayWriteNow()) this.dispatch(waiting.pdu, waiting.onAccepted, waiting.elsewhere, waiting.resolve);
      else waiting.resolve(this.submitWhenAllowed(waiting.pdu, waiting.onAccepted, waiting.elsewhere));
    }
  };

  /** No pause, no rate, no link to check first: a submit holding a slot is written at once. */
  private mayWriteNow(): boolean {
    return (this.pausedUntil === 0 || this.pausedUntil <= Date.now()) && !this.bucket && !this.link?.pending();
  }

  /**
   * `onAccepted` runs as the submit_sm_resp is read, before any PDU after it (such as the
   * receipt an SMSC sends right behind it) is handled; the returned promise settles later.
   * The slot taken here is released as the submit settles (answer, timeout, closed session).
   */
  submit(pdu: OutgoingPdu, onAccepted?: (messageId: string) => void, elsewhere?: Elsewhere): Promise<SubmitOutcome> {
    if (this.inFlight < this.options.window) {
      this.inFlight += 1;
      // The usual case (a free slot, no pause, no rate, a link heard lately) takes no turn of
      // the event loop and makes no async frame of its own: they were four turns per part,
      // then one frame of this method per part, a tenth of what the worker allocated per message.
      if (this.mayWriteNow()) return this.send(pdu, onAccepted, elsewhere);
      return this.submitWhenAllowed(pdu, onAccepted, elsewhere);
    }
    // No slot: one promise and a plain entry, resolved by the submit's outcome once release()
    // hands it a slot. An async method awaiting a slot cost a frame, the slot's promise and
    // the send's (a window of 400 with 1,600 messages claimed keeps most submits waiting here:
    // 13 % of what the worker allocated).
    return new Promise<SubmitOutcome>((resolve) => this.slotWaiters.push({ pdu, onAccepted, elsewhere, resolve }));
  }

  /** A submit holding a slot, written once the pause, the rate and the link check allow it. */
  private async submitWhenAllowed(pdu: OutgoingPdu, onAccepted: ((messageId: string) => void) | undefined, elsewhere: Elsewhere | undefined): Promise<SubmitOutcome> {
    try {
      while (this.pausedUntil > Date.now()) await new Promise((r) => setTimeout(r, this.pausedUntil - Date.now()));
      if (this.bucket) await this.bucket.take(1);
      // A link that may be dead is checked (and dropped when it is) before anything goes on it.
      const check = this.link?.pending();
      if (check && !(await check)) {
        this.release();
        return this.notSent(pdu, onAccepted, elsewhere);
      }
    } catch (error) {
      this.release();
      throw error;
    }
    return this.send(pdu, onAccepted, elsewhere);
  }

  /** Writes a submit in the slot the caller took; the slot is released as it settles. */
  private send(pdu: OutgoingPdu, onAccepted: ((messageId: string) => void) | undefined, elsewhere: Elsewhere | undefined): Promise<SubmitOutcome> {
    return new Promise<SubmitOutcome>((resolve) => this.dispatch(pdu, onAccepted, elsewhere, resolve));
  }

  /** send's work, resolving the caller's promise: the submit's outcome, or 'not sent' (or elsewhere's) when nothing was written. */
  private dispatch(pdu: OutgoingPdu, onAccepted: ((messageId: string) => void) | undefined, elsewhere: Elsewhere | undefined, resolve: (outcome: SubmitOutcome | Promise<SubmitOutcome>) => void): void {
    const session = this.session;
    const sequence = session && this.bound ? this.writeRequest(session, pdu) : 0;
    if (!session || sequence === 0) {
      this.release();
      resolve(this.notSent(pdu, onAccepted, elsewhere));
      return;
    }
    this.pending.set(sequence, { session, resolve, onAccepted, deadline: performance.now() + this.options.responseTimeoutMs });
    this.armResponseTimer();
  }

  /** A submit nothing of which was written: 'not-sent', or what `elsewhere` makes of it. */
  private notSent(pdu: OutgoingPdu, onAccepted: ((messageId: string) => void) | undefined, elsewhere: Elsewhere | undefined): Promise<SubmitOutcome> {
    return elsewhere ? elsewhere(pdu, onAccepted, this) : Promise.resolve(NOT_SENT);
  }

  /** A written submit's end: out of the pending ones, its slot free again, its outcome given. */
  private settle(sequence: number, waiting: PendingSubmit, outcome: SubmitOutcome): void {
    this.pending.delete(sequence);
    this.release();
    waiting.resolve(outcome);
  }

  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.responseTimer);
    this.responseTimer = undefined;
    this.link?.stop();
    // What this tick queued goes before the unbind.
    this.flush();
    const session = this.session;
    if (!session) return;
    await new Promise<void>((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        session.destroy();
        resolve();
      };
      const timer = setTimeout(finish, 2_000);
      if (!this.bound || !session.unbind({}, finish)) finish();
    });
  }
}
