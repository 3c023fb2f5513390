// Small imports (a sign-up form posting one subscriber at a time) from concurrent requests are
// committed together: one statement for every request waiting (core/batcher.ts), each request
// answered after that commit. Two requests naming the same address for the same list never
// share a statement (the later goes in the next); a statement that fails is retried request
// by request, so a bad one fails alone. The list is checked within the caller's organisation
// in the same statement, and each request's audit entry is written with it.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { AuditEntry } from '../core/audit.js';
import { createBatcher } from '../core/batcher.js';
import { checkRows, importResult, type ImportConsent, type ImportResult, type ImportRow, type ImportTarget } from './import.js';
import { storeImports, type StoredImport } from './store-imports.js';

/** The most rows one request may have to be grouped with others, and the most one statement stores. */
export const GROUPED_ROWS = 1000;

export interface GroupedImport extends ImportTarget {
  readonly basis: ImportConsent['basis'];
  readonly rows: readonly ImportRow[];
  readonly actor: Pick<AuditEntry, 'actorType' | 'actorId'>;
}

/** undefined: the list is not the organisation's. */
export type GroupedImporter = (request: GroupedImport) => Promise<ImportResult | undefined>;

export function createImportGroup(db: Kysely<Database>, options: { privacyStatement: string; suppressionKey: string; concurrency?: number }): GroupedImporter {
  const store = createBatcher<StoredImport, Awaited<ReturnType<typeof storeImports>>[number]>({
    run: (imports) => storeImports(db, imports, options.privacyStatement),
    weightOf: (imp) => Math.max(1, imp.rows.length),
    maxWeight: GROUPED_ROWS,
    concurrency: options.concurrency ?? 2,
    keysOf: (imp) => imp.rows.map((row) => `${imp.listId} ${row.email}`),
  });
  return async (request) => {
    if (request.rows.length > GROUPED_ROWS) throw new RangeError(`a grouped import takes up to ${GROUPED_ROWS} rows`);
    const checked = checkRows(request.rows, options.suppressionKey);
    const outcome = await store({ organizationId: request.organizationId, listId: request.listId, basis: request.basis, rows: checked.rows, actor: request.actor });
    return outcome && importResult(checked, outcome);
  };
}
