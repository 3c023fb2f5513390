// The newsletter family's JSON shapes: lists, subscribers and campaigns as the API shows them.
import { z } from 'zod';
import { LANGUAGES } from '../../workers/messages/catalogue.js';
import { CAMPAIGN_STATUSES, DELIVERY_STATUSES, SUBSCRIBER_STATUSES, type DeliveryStatus, type NewsletterCampaign, type NewsletterList, type NewsletterSubscriber } from '../../db/schema.js';

export const listSchema = z
  .object({ id: z.uuid(), name: z.string(), description: z.string().nullable(), language: z.enum(LANGUAGES), subscribers: z.number().int(), createdAt: z.string(), updatedAt: z.string() })
  .meta({ id: 'NewsletterList' });

export const subscriberSchema = z
  .object({
    id: z.uuid(),
    email: z.string(),
    name: z.string().nullable(),
    attributes: z.record(z.string(), z.unknown()),
    status: z.enum(SUBSCRIBER_STATUSES),
    language: z.enum(LANGUAGES),
    createdAt: z.string(),
    unsubscribedAt: z.string().nullable(),
  })
  .meta({ id: 'NewsletterSubscriber' });

export const toList = (l: NewsletterList, subscribers: number) => ({
  id: l.id,
  name: l.name,
  description: l.description,
  language: l.language,
  subscribers,
  createdAt: l.created_at.toISOString(),
  updatedAt: l.updated_at.toISOString(),
});

export const toSubscriber = (s: NewsletterSubscriber) => ({
  id: s.id,
  email: s.email,
  name: s.name,
  attributes: s.attributes,
  status: s.status,
  language: s.language,
  createdAt: s.created_at.toISOString(),
  unsubscribedAt: s.unsubscribed_at?.toISOString() ?? null,
});

export const pageQuery = { cursor: z.string().max(200).optional(), limit: z.coerce.number().int().min(1).max(500).default(50) };

export const campaignSchema = z
  .object({
    id: z.uuid(),
    listId: z.uuid().nullable(),
    subject: z.string(),
    status: z.enum(CAMPAIGN_STATUSES),
    pausedReason: z.string().nullable(),
    sendAt: z.string().nullable(),
    recipients: z.number().int(),
    counts: z.record(z.enum(DELIVERY_STATUSES), z.number().int()),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    completedAt: z.string().nullable(),
  })
  .meta({ id: 'NewsletterCampaign' });

export const toCampaign = (c: NewsletterCampaign, counts: Record<DeliveryStatus, number>) => ({
  id: c.id,
  listId: c.list_id,
  subject: c.subject,
  status: c.status,
  pausedReason: c.paused_reason,
  sendAt: c.send_at?.toISOString() ?? null,
  recipients: c.recipients,
  counts,
  createdAt: c.created_at.toISOString(),
  startedAt: c.started_at?.toISOString() ?? null,
  completedAt: c.completed_at?.toISOString() ?? null,
});
