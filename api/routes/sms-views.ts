// How SMS batches and messages look in the API.
import { z } from 'zod';
import { SMS_MESSAGE_STATUSES, type SmsBatch, type SmsMessage, type SmsMessageStatus } from '../../db/schema.js';

export const batchSchema = z
  .object({
    id: z.uuid(),
    status: z.enum(['validating', 'scheduled', 'queued', 'sending', 'completed', 'cancelled']),
    sender: z.string(),
    purpose: z.enum(['service', 'marketing', 'opt-out-confirmation']).describe('opt-out-confirmation: the free SMS that confirms a STOP reply'),
    reference: z.string().nullable(),
    sendAt: z.string().nullable(),
    encoding: z.enum(['gsm7', 'ucs2', 'mixed']).nullable(),
    segments: z.object({ perMessage: z.number().int().nullable(), min: z.number().int().nullable(), max: z.number().int().nullable(), total: z.number().int() }),
    accepted: z.number().int(),
    rejected: z.number().int(),
    rejections: z.array(z.object({ index: z.number().int(), reason: z.string() })).describe('the first 100; index is the recipient position (CSV: data row from 0)'),
    cost: z.string().describe('euros, 4 decimals'),
    counts: z.record(z.enum(SMS_MESSAGE_STATUSES), z.number().int()).optional(),
    createdAt: z.string(),
    completedAt: z.string().nullable(),
    cancelledAt: z.string().nullable(),
  })
  .meta({ id: 'SmsBatch' });

export function toBatch(b: SmsBatch, counts?: Record<SmsMessageStatus, number>) {
  return {
    id: b.id,
    status: b.status,
    sender: b.sender,
    purpose: b.purpose,
    reference: b.reference,
    sendAt: b.send_at?.toISOString() ?? null,
    encoding: b.encoding,
    segments: { perMessage: b.segments_min !== null && b.segments_min === b.segments_max ? b.segments_min : null, min: b.segments_min, max: b.segments_max, total: b.segments_total },
    accepted: b.accepted,
    rejected: b.rejected,
    rejections: b.rejections,
    cost: b.cost,
    ...(counts && { counts }),
    createdAt: b.created_at.toISOString(),
    completedAt: b.completed_at?.toISOString() ?? null,
    cancelledAt: b.cancelled_at?.toISOString() ?? null,
  };
}

export const messageSchema = z
  .object({
    id: z.number().int(),
    index: z.number().int(),
    channel: z.enum(['sms', 'email']),
    phone: z.string().nullable(),
    email: z.string().nullable(),
    status: z.enum(SMS_MESSAGE_STATUSES),
    segments: z.number().int(),
    cost: z.string(),
    errorCode: z.string().nullable(),
    sentAt: z.string().nullable(),
  })
  .meta({ id: 'SmsMessage' });

export function toMessage(m: Pick<SmsMessage, 'id' | 'seq' | 'channel' | 'phone' | 'email' | 'status' | 'segments' | 'cost' | 'error_code' | 'sent_at'>) {
  return {
    id: Number(m.id),
    index: m.seq,
    channel: m.channel,
    phone: m.phone,
    email: m.email,
    status: m.status,
    segments: m.segments,
    cost: m.cost,
    errorCode: m.error_code,
    sentAt: m.sent_at?.toISOString() ?? null,
  };
}
