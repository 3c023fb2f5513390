// The limits of one recipient, the same for the JSON batch and the CSV upload: how many
// personalisation fields, what a field may be called, how long a value or an address may be.
import { z } from 'zod';

export const MAX_FIELDS = 50;
/** Letters, digits, `_`, `.` and `-`: a name a template can use, never a formula (`=cmd`). */
export const FIELD_NAME = /^[\w.-]{1,64}$/;
export const FIELD_NAME_RULE = '1 to 64 letters, digits, _ . or -';
export const MAX_FIELD_VALUE = 1000;
export const MAX_PHONE = 40;
export const MAX_EMAIL = 254;
/** The longest row of a valid CSV (its values, not counting separators): longer is refused while it is read. */
export const MAX_CSV_ROW = MAX_PHONE + MAX_EMAIL + MAX_FIELDS * MAX_FIELD_VALUE;

export const recipientSchema = z.strictObject({
  phone: z.string().max(MAX_PHONE).optional(),
  email: z.string().max(MAX_EMAIL).optional(),
  fields: z
    .record(z.string().regex(FIELD_NAME, FIELD_NAME_RULE), z.string().max(MAX_FIELD_VALUE))
    .refine((fields) => Object.keys(fields).length <= MAX_FIELDS, `at most ${MAX_FIELDS} fields`)
    .optional(),
});

/** How long a value of this CSV column may be. */
export const maxValueOf = (column: string): number => (column === 'phone' ? MAX_PHONE : column === 'email' ? MAX_EMAIL : MAX_FIELD_VALUE);
