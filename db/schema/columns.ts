// Column types the families' table types share.
import type { ColumnType } from 'kysely';

/** Set by the database's default on insert, never updated. */
export type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
export type Timestamp = ColumnType<Date, Date | string, Date | string>;

/** The languages the platform writes to people in (workers/messages/); Dutch is the default. */
export const LANGUAGES = ['nl', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
