// Column types the families' table types share.
import type { ColumnType } from 'kysely';

/** Set by the database's default on insert, never updated. */
export type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
