// The SMS provider, behind the small interface the chunk sender needs (like listmonk's
// Messenger): submit one window of messages, answer per message. SMPP and HTTP join later.
import type { Db } from '../../../db/database.js';
import type { Config } from '../../core/config.js';
import { createOutboxProvider } from './outbox.js';

export interface OutgoingSms {
  readonly messageId: number;
  readonly sender: string;
  readonly to: string;
  readonly text: string;
  readonly encoding: 'gsm7' | 'ucs2';
  readonly segments: number;
}

export type SubmitResult =
  | { readonly messageId: number; readonly status: 'sent'; readonly providerMessageId: string }
  | { readonly messageId: number; readonly status: 'failed'; readonly errorCode: string };

export interface SmsProvider {
  readonly name: string;
  submit(window: readonly OutgoingSms[]): Promise<SubmitResult[]>;
  close(): Promise<void>;
}

export function createSmsProvider(config: Config, db: Db): SmsProvider {
  switch (config.sms.provider) {
    case 'outbox':
      return createOutboxProvider(db);
    case 'smpp':
    case 'http':
      throw new Error(`SMS_PROVIDER=${config.sms.provider} is not available yet; use outbox`);
  }
}
