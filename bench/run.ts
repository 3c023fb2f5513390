// npm run bench: every benchmark, each printing its figure beside a same-run baseline.
import { apiLatency } from './api-latency.js';
import { cdrBench } from './cdr.js';
import { invoicesBench } from './invoices.js';
import { mailBench } from './mail.js';
import { phonesBench } from './phones.js';
import { privacyBench } from './privacy.js';
import { smppBench } from './smpp.js';
import { smsBench } from './sms.js';

const benches: Record<string, () => Promise<void>> = {
  api: apiLatency,
  sms: smsBench,
  smpp: smppBench,
  cdr: cdrBench,
  invoices: invoicesBench,
  mail: mailBench,
  privacy: privacyBench,
  phones: phonesBench,
};
const wanted = process.argv.slice(2);
for (const [name, bench] of Object.entries(benches)) {
  if (wanted.length === 0 || wanted.includes(name)) await bench();
}
