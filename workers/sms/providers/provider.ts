// The SMS provider, behind the small interface the chunk sender needs (like listmonk's
// Messenger): submit one window of messages, answer per message: the outbox, SMPP or a JSON gateway.
import type { Db } from '../../../db/database.js';
import type { PartState } from '../../../db/schema.js';
import type { Config } from '../../core/config.js';
import type { QueueSet } from '../../../queues/queue-set.js';
import type { Logger } from '../../core/logger.js';
import type { Metrics } from '../../core/metrics.js';
import { createHttpProvider } from './http.js';
import { createOutboxProvider } from './outbox.js';
import { createSmppProvider } from './smpp.js';

export interface OutgoingSms {
  readonly messageId: number;
  readonly sender: string;
  readonly to: string;
  readonly text: string;
  readonly encoding: 'gsm7' | 'ucs2';
  readonly segments: number;
}

/** A part the provider took, under the provider's id for it (the one its receipts name). */
export interface SubmittedPart {
  readonly part: number;
  readonly smscId: string;
  /**
   * Its final state, when its receipt came before the window's results were written. Set in
   * place (the SMPP provider's applyEarlyReceipts), not on a copy of the part and its result.
   */
  state?: PartState | undefined;
  /** With it, what the receipt said: the network's error code and its done date. */
  networkError?: string | undefined;
  doneAt?: Date | undefined;
}

export type SubmitResult =
  | { readonly messageId: number; readonly status: 'sent'; readonly providerMessageId: string; readonly parts: readonly SubmittedPart[] }
  | { readonly messageId: number; readonly status: 'failed'; readonly errorCode: string }
  /** Not taken by the provider (throttled, not connected): safe to send again later. */
  | { readonly messageId: number; readonly status: 'retry'; readonly errorCode: string }
  /** Handed over without an answer: it may have gone out, so it is never sent again by itself. */
  | { readonly messageId: number; readonly status: 'unknown'; readonly errorCode: string; readonly parts?: readonly SubmittedPart[] };

/** Writes a window's results durably (the chunk sender's writeOutcomes). */
export type RecordResults = (results: readonly SubmitResult[]) => Promise<void>;

export interface SmsProvider {
  readonly name: string;
  /**
   * How many messages a chunk claims at a time: at most what the provider takes in a few
   * seconds, so a claimed window never waits long enough to be swept to 'unknown'.
   */
  readonly windowSize: number;
  /**
   * Under a rate (SMS_RATE, SMPP_SESSION_RATE): waits for the tokens of this many parts, taken
   * before the window is claimed, so a claimed window never waits for them (a worker killed
   * while it waits leaves nothing claimed). Rejects when `signal` aborts. Undefined: no rate.
   */
  readonly reserve?: ((parts: number, signal: AbortSignal) => Promise<void>) | undefined;
  /** Resolves true when the provider can take messages now (an SMPP session is bound). */
  ready(timeoutMs: number, signal?: AbortSignal): Promise<boolean>;
  /**
   * Hands a window over and has its results written with `record` before answering. The
   * provider knows when they are written: a delivery receipt that overtakes its own window's
   * results (an SMSC answers in milliseconds) waits for them instead of missing its part.
   */
  submit(window: readonly OutgoingSms[], record: RecordResults): Promise<SubmitResult[]>;
  close(): Promise<void>;
}

export interface ProviderDeps {
  readonly db: Db;
  readonly queues: QueueSet;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

export function createSmsProvider(config: Config, deps: ProviderDeps): SmsProvider {
  switch (config.sms.provider) {
    case 'outbox':
      return createOutboxProvider(deps.db);
    case 'smpp':
      return createSmppProvider(config, deps);
    case 'http':
      return createHttpProvider(config, deps);
  }
}
