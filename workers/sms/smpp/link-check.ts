// The liveness of one SMPP session: an enquire_link once the SMSC has sent nothing for the
// interval, and the session destroyed (so it is bound again) when the answer does not come in
// time. A submit asks first: it waits for a check under way, and starts one when the link has
// been quiet for the interval, so nothing is written on a link that went silent (the window
// would otherwise turn 'unknown' one response timeout at a time).
import type { Session } from 'smpp';
import type { Logger } from '../../core/logger.js';

export interface LinkCheckOptions {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly logger: Logger;
  /** Called as the session is dropped for not answering (before its socket has closed). */
  readonly onDead: () => void;
}

export class LinkCheck {
  private lastHeard = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private check: Promise<boolean> | undefined;
  private settle: ((alive: boolean) => void) | undefined;
  private stopped = false;

  constructor(
    private readonly session: Session,
    private readonly options: LinkCheckOptions,
  ) {
    session.on('pdu', () => {
      this.lastHeard = Date.now();
    });
  }

  /** Once bound: checks every half interval whether the link has been quiet for a whole one. */
  start(): void {
    this.lastHeard = Date.now();
    this.timer = setInterval(() => {
      if (!this.check && this.quiet()) void this.run();
    }, Math.max(1, Math.floor(this.options.intervalMs / 2)));
    this.timer.unref();
  }

  /** The session is gone: a check under way answers false. */
  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.settle?.(false);
  }

  /** Undefined when the link was heard lately; otherwise its check, true once answered, false once dropped. */
  pending(): Promise<boolean> | undefined {
    if (this.check) return this.check;
    if (this.stopped || !this.timer || !this.quiet()) return undefined;
    return this.run();
  }

  private quiet(): boolean {
    return Date.now() - this.lastHeard >= this.options.intervalMs;
  }

  private run(): Promise<boolean> {
    let resolve!: (alive: boolean) => void;
    const check = new Promise<boolean>((r) => (resolve = r));
    let timer: NodeJS.Timeout | undefined = undefined;
    const done = (alive: boolean) => {
      clearTimeout(timer);
      if (this.check === check) {
        this.check = undefined;
        this.settle = undefined;
      }
      resolve(alive);
    };
    this.check = check;
    this.settle = done;
    timer = setTimeout(() => {
      this.options.logger.warn('SMPP enquire_link unanswered; reconnecting');
      this.options.onDead();
      this.session.destroy();
      done(false);
    }, this.options.timeoutMs);
    if (!this.session.enquire_link({}, () => done(true))) done(false);
    return check;
  }
}
