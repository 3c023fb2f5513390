// SMPP_SESSIONS transceiver sessions to one SMSC, used as one: each submit_sm goes to a bound
// session with room in its window (pick, below), so windows spread over the binds. A session
// that drops answers what it had written without a response 'unknown' (at most once, as with
// one session) and what it had not written yet 'not sent': that is written on another bound
// session at once, so its traffic moves to the others. Receipts arrive on any session; each
// session hands them to the same handler.
import type { OutgoingPdu } from 'smpp';
import { SmppClient, type Elsewhere, type SmppClientOptions, type SubmitOutcome } from './smpp-client.js';
import type { PartSubmitter } from './submit-message.js';

const NOT_SENT: SubmitOutcome = Object.freeze({ kind: 'not-sent' });

export class SmppSessions implements PartSubmitter {
  private readonly clients: readonly SmppClient[];
  private next = 0;
  private last: SmppClient | undefined;

  constructor(count: number, options: SmppClientOptions) {
    this.clients = Array.from({ length: count }, (_, i) => new SmppClient({ ...options, logger: options.logger.child({ smppSession: i + 1 }) }));
  }

  start(): void {
    for (const client of this.clients) client.start();
  }

  /** Each session's state, for the metrics read at scrape time. */
  get sessions(): readonly Pick<SmppClient, 'isBound' | 'windowInUse'>[] {
    return this.clients;
  }

  get bound(): number {
    return this.clients.filter((c) => c.isBound).length;
  }

  /**
   * Without SMPP_SESSION_RATE, the session last picked while it has room in its window, so a
   * window's submits leave in one write on one socket: spread one by one they left as a third
   * on each (three system calls and segments per window for the worker and the SMSC alike;
   * the worker's profile with 3 sessions showed twice the time in writev). Otherwise, and
   * once it is full, the bound session with the least in flight (ties go round, so idle
   * sessions share the first windows too); under a rate always that, so each session keeps
   * to its rate.
   */
  private pick(exclude?: ReadonlySet<SmppClient>): SmppClient | undefined {
    const last = this.last;
    if (last && last.isBound && !last.rated && !exclude?.has(last) && last.load < last.window) return last;
    let best: SmppClient | undefined;
    const n = this.clients.length;
    const start = this.next++ % n;
    for (let k = 0; k < n; k++) {
      const client = this.clients[(start + k) % n]!;
      if (!client.isBound || exclude?.has(client)) continue;
      if (!best || client.load < best.load) best = client;
    }
    this.last = best;
    return best;
  }

  submit(pdu: OutgoingPdu, onAccepted?: (messageId: string) => void): Promise<SubmitOutcome> {
    const first = this.pick();
    if (!first) return Promise.resolve(NOT_SENT);
    // The client's promise as it is, no async frame per part: a part it cannot write comes to
    // `elsewhere` (one session has no other to take it).
    if (this.clients.length === 1) return first.submit(pdu, onAccepted);
    return first.submit(pdu, onAccepted, this.elsewhere);
  }

  private readonly elsewhere: Elsewhere = (pdu, onAccepted, from) => this.submitOnOthers(new Set([from]), pdu, onAccepted);

  /**
   * 'not-sent' means nothing was written (the PDU has no sequence number yet): another bound
   * session may take it, each tried once. The set of sessions tried is made only then.
   */
  private submitOnOthers(tried: Set<SmppClient>, pdu: OutgoingPdu, onAccepted: ((messageId: string) => void) | undefined): Promise<SubmitOutcome> {
    const client = this.pick(tried);
    if (!client) return Promise.resolve(NOT_SENT);
    tried.add(client);
    return client.submit(pdu, onAccepted, (again, accepted) => this.submitOnOthers(tried, again, accepted));
  }

  /** Resolves true as soon as any session is bound, false after `timeoutMs`. */
  async waitUntilBound(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (this.clients.some((c) => c.isBound)) return true;
    const settled = new AbortController();
    const stop = () => settled.abort();
    signal?.addEventListener('abort', stop, { once: true });
    try {
      const answers = this.clients.map((c) => c.waitUntilBound(timeoutMs, settled.signal).then((bound) => bound || Promise.reject(new Error('not bound'))));
      return await Promise.any(answers).catch(() => false);
    } finally {
      signal?.removeEventListener('abort', stop);
      settled.abort();
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.close()));
  }
}
