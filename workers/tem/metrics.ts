// The TEM family's metrics: uploads parsed or rejected by kind (call details, e-invoices), the
// rows they stored and refused, and the findings raised on e-invoices, by rule.
import { Counter } from 'prom-client';
import type { Deps } from '../core/deps.js';
import type { FamilyMetrics } from '../core/metrics.js';
import type { ParseOutcome } from './parse-transaction.js';

export interface TemMetrics {
  readonly uploads: Counter<'kind' | 'outcome'>;
  readonly rows: Counter<'kind' | 'result'>;
  readonly findings: Counter<'rule'>;
}

declare module '../core/metrics.js' {
  interface Metrics {
    readonly tem: TemMetrics;
  }
}

export const temMetrics: FamilyMetrics<'tem'> = {
  create: (registry) => ({
    tem: {
      uploads: new Counter({ name: 'tgg_tem_uploads_total', help: 'Uploads parsed or rejected, by kind', labelNames: ['kind', 'outcome'], registers: [registry] }),
      rows: new Counter({ name: 'tgg_tem_rows_total', help: 'Call-detail rows and invoice lines stored or refused, by kind', labelNames: ['kind', 'result'], registers: [registry] }),
      findings: new Counter({ name: 'tgg_tem_einvoice_findings_total', help: 'Findings raised on parsed e-invoices, by rule', labelNames: ['rule'], registers: [registry] }),
    },
  }),
};

/** After a parse has committed: its counts, and for an e-invoice the findings stored with it. */
export async function noteParse(deps: Deps, uploadId: string, kind: string, outcome: ParseOutcome): Promise<void> {
  if (outcome.kind === 'skipped') return;
  const { tem } = deps.metrics;
  tem.uploads.inc({ kind, outcome: outcome.kind });
  if (outcome.kind === 'parsed') tem.rows.inc({ kind, result: 'stored' }, outcome.stored);
  tem.rows.inc({ kind, result: 'refused' }, outcome.refused);
  if (kind !== 'einvoice' || outcome.kind !== 'parsed') return;
  const invoice = await deps.db.selectFrom('einvoices').select('findings').where('upload_id', '=', uploadId).executeTakeFirst();
  for (const finding of invoice?.findings ?? []) tem.findings.inc({ rule: finding.rule });
}
