// What the TEM routes answer: uploads, subscriptions and cost centres as the API shows them.
import { z } from 'zod';
import { TEM_UPLOAD_STATUSES, type TemCostCentre, type TemUpload } from '../../db/schema.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);
/** A `date` column (read as local midnight) as 'YYYY-MM-DD'. */
export const day = (d: Date | null) => (d ? `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}` : null);

export const uploadSchema = z.object({
  id: z.uuid(),
  kind: z.enum(['cdr', 'einvoice']),
  status: z.enum(TEM_UPLOAD_STATUSES),
  profile: z.string().nullable(),
  carrier: z.string().nullable(),
  sha256: z.string(),
  sizeBytes: z.number().int(),
  rowsStored: z.number().int(),
  rowsRefused: z.number().int(),
  errors: z.array(z.object({ line: z.number().int().nullable(), code: z.string(), column: z.string().optional(), message: z.string().optional() })).describe('refused lines by number and reason code (the first 100); never their contents'),
  periodStart: z.string().nullable(),
  periodEnd: z.string().nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});

export const toUpload = (u: TemUpload): z.infer<typeof uploadSchema> => ({
  id: u.id,
  kind: u.kind,
  status: u.status,
  profile: u.profile,
  carrier: u.carrier,
  sha256: u.sha256,
  sizeBytes: Number(u.size_bytes),
  rowsStored: u.rows_stored,
  rowsRefused: u.rows_refused,
  errors: u.errors,
  periodStart: day(u.period_start),
  periodEnd: day(u.period_end),
  createdAt: u.created_at.toISOString(),
  finishedAt: iso(u.finished_at),
});

export const costCentreSchema = z.object({ id: z.uuid(), code: z.string(), name: z.string(), createdAt: z.string() });
export const toCostCentre = (c: TemCostCentre): z.infer<typeof costCentreSchema> => ({ id: c.id, code: c.code, name: c.name, createdAt: c.created_at.toISOString() });
