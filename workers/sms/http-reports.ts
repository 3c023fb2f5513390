// The delivery reports of the SMS HTTP gateway (POST /hooks/sms/http) as receipts: a status is
// read as an SMPP receipt's stat word (every state and variant of smpp/receipt-states.ts); one
// we do not know is recorded as UNKNOWN for that report alone (logged and counted), so the rest
// of the post, a STOP among it, still applies.
import type { ProviderDeps } from './providers/provider.js';
import { nonZeroError, type Receipt } from './smpp/receipt.js';
import { stateOfWord } from './smpp/receipt-states.js';
import { noteUnreadableReceipt } from './unreadable-receipt.js';

export interface GatewayReport {
  readonly id: string;
  readonly status: string;
  readonly error?: string | undefined;
  /** ISO 8601: when the network delivered the message or gave up on it. */
  readonly doneAt?: string | undefined;
}

export function receiptsOfReports(deps: Pick<ProviderDeps, 'logger' | 'metrics'>, reports: readonly GatewayReport[]): Receipt[] {
  return reports.map((report) => {
    const stat = stateOfWord(report.status.trim());
    if (!stat) noteUnreadableReceipt(deps, 'http', 'unknown-state');
    return {
      smscId: report.id,
      stat: stat ?? 'UNKNOWN',
      networkError: nonZeroError(report.error),
      doneAt: report.doneAt === undefined ? undefined : new Date(report.doneAt),
    };
  });
}
