// The newsletter family's JSON shapes: lists and subscribers as the API shows them.
import { z } from 'zod';
import { SUBSCRIBER_STATUSES, type NewsletterList, type NewsletterSubscriber } from '../../db/schema.js';

export const listSchema = z
  .object({ id: z.uuid(), name: z.string(), description: z.string().nullable(), subscribers: z.number().int(), createdAt: z.string(), updatedAt: z.string() })
  .meta({ id: 'NewsletterList' });

export const subscriberSchema = z
  .object({
    id: z.uuid(),
    email: z.string(),
    name: z.string().nullable(),
    attributes: z.record(z.string(), z.unknown()),
    status: z.enum(SUBSCRIBER_STATUSES),
    createdAt: z.string(),
    unsubscribedAt: z.string().nullable(),
  })
  .meta({ id: 'NewsletterSubscriber' });

export const toList = (l: NewsletterList, subscribers: number) => ({
  id: l.id,
  name: l.name,
  description: l.description,
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
  createdAt: s.created_at.toISOString(),
  unsubscribedAt: s.unsubscribed_at?.toISOString() ?? null,
});

export const pageQuery = { cursor: z.string().max(200).optional(), limit: z.coerce.number().int().min(1).max(500).default(50) };
