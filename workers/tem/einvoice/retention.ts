// E-invoices and their lines are financial records (P8): kept 7 years after the end of the
// fiscal year of their issue date (Dutch AWR art. 52), then deleted. Their clock, retain_from,
// is the first instant of the next year. An erasure request restricts them rather than deleting them.
import type { RetentionCategory } from '../../retention/category.js';

const PURPOSE = "the member's bookkeeping of its carriers' invoices, and telecom expense management of them";
const BASIS = "GDPR art. 6(1)(c): the member's legal obligation to keep its records (AWR art. 52), processed on its instructions (art. 28)";
const KEEP = { years: 7 };
const KEEP_TEXT = '7 years after the end of the fiscal year of the invoice (Dutch AWR art. 52); an erasure request restricts rather than deletes';
const SUBJECTS = "the member's suppliers' and the member's contact persons; users of subscriptions invoiced";

export const einvoiceRetention: readonly RetentionCategory[] = [
  {
    category: 'tem.invoices',
    table: 'einvoices',
    key: 'id',
    clock: 'retain_from',
    keep: KEEP,
    keepText: KEEP_TEXT,
    action: { kind: 'delete' },
    dataSubjects: SUBJECTS,
    personalData: ['supplier and customer names and identifiers', 'buyer and order references'],
    purpose: PURPOSE,
    legalBasis: BASIS,
    processors: ['hosting'],
  },
  {
    category: 'tem.invoice-lines',
    table: 'einvoice_lines',
    key: 'id',
    clock: { column: 'retain_from', via: { table: 'einvoices', foreignKey: 'invoice_id' } },
    keep: KEEP,
    keepText: KEEP_TEXT,
    action: { kind: 'delete' },
    dataSubjects: "users of the member's subscriptions invoiced",
    personalData: ['subscription number (the line object identifier, an item property or the description)', 'item descriptions', 'amounts charged'],
    purpose: PURPOSE,
    legalBasis: BASIS,
    processors: ['hosting'],
  },
];
