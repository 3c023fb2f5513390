// What each family adds to GET /ops/status, the page on-call reads first (workers/ never
// imports api/, so the sections are mapped here, as routes are in families.ts). A section is
// counts and times only, read by domain code of the family; `undefined` says the family has
// none yet. The compiler asks for an entry for every family.
import type { Deps } from '../workers/core/deps.js';
import type { FamilyName } from '../workers/families.js';
import { countOpen } from '../workers/privacy/requests.js';
import { lastRuns } from '../workers/retention/runs.js';
import { countUnknownMail } from '../workers/mail/metrics.js';
import { newsletterAttention } from '../workers/newsletter/ops-view.js';
import { countUnknownMessages } from '../workers/sms/metrics.js';

export type StatusSection = (deps: Deps) => Promise<Record<string, unknown>>;

export const FAMILY_STATUS = {
  maintenance: async ({ db }) => {
    const runs = await lastRuns(db);
    const hours = runs.lastFinishedAt ? (Date.now() - runs.lastFinishedAt.getTime()) / 3_600_000 : null;
    return { retention: { ...runs, hoursSinceLastFinished: hours === null ? null : Math.round(hours * 10) / 10 } };
  },
  sms: async ({ db }) => {
    const unknown = await countUnknownMessages(db);
    return { unknownMessagesLast7Days: unknown.messages, batchesWithUnknownLast7Days: unknown.batches };
  },
  identity: undefined,
  mail: async ({ db }) => {
    const unknown = await countUnknownMail(db);
    return { unknownTransactionalLast7Days: unknown.transactional };
  },
  tem: undefined,
  // Campaigns waiting for ops: GET /ops/campaigns lists them.
  newsletter: async ({ db }) => newsletterAttention(db),
  // Open and overdue privacy requests (P13: due one month after receipt), per type.
  privacy: async ({ db }) => {
    const rows = await countOpen(db);
    const sum = (field: 'open' | 'overdue') => rows.reduce((n, r) => n + r[field], 0);
    return { openRequests: sum('open'), overdueRequests: sum('overdue'), byType: Object.fromEntries(rows.map((r) => [r.type, { open: r.open, overdue: r.overdue }])) };
  },
} satisfies Record<FamilyName, StatusSection | undefined>;
