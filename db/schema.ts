// Table types: one file per family in db/schema/ (a family adds its own with its migration),
// joined here into the one Database that Kysely is typed with. Everyone imports db/schema.js.
import type { CoreDatabase } from './schema/core.js';
import type { EinvoiceDatabase } from './schema/einvoice.js';
import type { IdentityDatabase } from './schema/identity.js';
import type { MailDatabase } from './schema/mail.js';
import type { NewsletterDatabase } from './schema/newsletter.js';
import type { PrivacyDatabase } from './schema/privacy.js';
import type { SmsDatabase } from './schema/sms.js';
import type { TemDatabase } from './schema/tem.js';

export * from './schema/core.js';
export * from './schema/einvoice.js';
export * from './schema/identity.js';
export * from './schema/mail.js';
export * from './schema/newsletter.js';
export * from './schema/privacy.js';
export * from './schema/sms.js';
export * from './schema/tem.js';

export interface Database extends CoreDatabase, IdentityDatabase, MailDatabase, SmsDatabase, TemDatabase, EinvoiceDatabase, NewsletterDatabase, PrivacyDatabase {}
