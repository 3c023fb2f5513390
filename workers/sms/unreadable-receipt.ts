// A delivery receipt we cannot read (no id, no state, a state no SMSC documents): it is
// acknowledged, so the SMSC does not send it forever, logged with its reason and counted in
// tgg_sms_receipts_unreadable_total, and never applied. Neither its text nor a number is logged.
import type { ProviderDeps } from './providers/provider.js';
import type { UnreadableReason } from './smpp/receipt.js';

export function noteUnreadableReceipt(deps: Pick<ProviderDeps, 'logger' | 'metrics'>, provider: 'smpp' | 'http', reason: UnreadableReason): void {
  deps.metrics.receiptsUnreadable.inc({ provider, reason });
  deps.logger.warn({ provider, reason }, 'delivery receipt unreadable: acknowledged, not applied');
}
