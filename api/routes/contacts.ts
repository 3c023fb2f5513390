// /v1/contacts: the organisation's contact persons with their role (main, billing, support).
import { z } from 'zod';
import type { Contact } from '../../db/schema.js';
import type { Deps } from '../../workers/core/deps.js';
import { createContact, deleteContact, findContact, listContacts, updateContact } from '../../workers/identity/contacts.js';
import { normalizePhone } from '../../workers/phone/e164.js';
import { auditActor } from '../../workers/identity/principal.js';
import { principalOf } from '../auth/bearer.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { defineRoute, type Route } from '../route.js';

const role = z.enum(['main', 'billing', 'support']);
export const phone = z
  .string()
  .max(40)
  .transform((value, ctx) => {
    const result = normalizePhone(value);
    if (result.ok) return result.e164;
    ctx.addIssue({ code: 'custom', message: 'not a valid phone number (E.164, or Dutch national format)' });
    return z.NEVER;
  });
const fields = {
  role,
  name: z.string().trim().min(1).max(200),
  email: z.email().max(254).nullable(),
  phone: phone.nullable(),
};
const createBody = z
  .strictObject({ ...fields, email: fields.email.default(null), phone: fields.phone.default(null) })
  .refine((c) => c.email !== null || c.phone !== null, { message: 'give an e-mail address, a phone number or both', path: ['email'] });
const updateBody = z.strictObject(fields).partial().refine((c) => Object.keys(c).length > 0, { message: 'change at least one field' });

const contactSchema = z
  .object({ id: z.uuid(), role, name: z.string(), email: z.string().nullable(), phone: z.string().nullable(), createdAt: z.string(), updatedAt: z.string() })
  .meta({ id: 'Contact' });

const toContact = (c: Contact) => ({
  id: c.id,
  role: c.role,
  name: c.name,
  email: c.email,
  phone: c.phone,
  createdAt: c.created_at.toISOString(),
  updatedAt: c.updated_at.toISOString(),
});

const idParams = z.object({ id: z.uuid() });

export function contactRoutes(deps: Deps): Route[] {
  return [
    defineRoute({
      method: 'post',
      path: '/v1/contacts',
      summary: 'Add a contact person',
      tags: ['contacts'],
      security: 'bearer',
      scope: 'admin',
      body: createBody,
      responses: { 201: { description: 'created', schema: contactSchema } },
      handler: async ({ body }, _req, res) => {
        const principal = principalOf(res);
        const contact = await createContact(deps.db, principal.organizationId, body, auditActor(principal));
        return { status: 201, body: toContact(contact) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/contacts',
      summary: 'Contact persons, oldest first, keyset-paginated',
      tags: ['contacts'],
      security: 'bearer',
      scope: 'admin',
      query: z.object({ role: role.optional(), cursor: z.string().max(200).optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }),
      responses: { 200: { description: 'a page', schema: z.object({ items: z.array(contactSchema), nextCursor: z.string().nullable() }) } },
      handler: async ({ query }, _req, res) => {
        const page = await listContacts(deps.db, principalOf(res).organizationId, {
          limit: query.limit,
          ...(query.role && { role: query.role }),
          ...(query.cursor && { after: decodeCursor(query.cursor) }),
        });
        return { body: { items: page.items.map(toContact), nextCursor: page.next ? encodeCursor(page.next) : null } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/contacts/{id}',
      summary: 'One contact person',
      tags: ['contacts'],
      security: 'bearer',
      scope: 'admin',
      params: idParams,
      responses: { 200: { description: 'the contact', schema: contactSchema }, 404: { description: 'no such contact in this organisation' } },
      handler: async ({ params }, _req, res) => {
        return { body: toContact(await findContact(deps.db, principalOf(res).organizationId, params.id)) };
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/v1/contacts/{id}',
      summary: 'Correct a contact person',
      tags: ['contacts'],
      security: 'bearer',
      scope: 'admin',
      params: idParams,
      body: updateBody,
      responses: { 200: { description: 'updated', schema: contactSchema }, 404: { description: 'no such contact in this organisation' } },
      handler: async ({ params, body }, _req, res) => {
        const principal = principalOf(res);
        return { body: toContact(await updateContact(deps.db, principal.organizationId, params.id, body, auditActor(principal))) };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/contacts/{id}',
      summary: 'Delete a contact person',
      tags: ['contacts'],
      security: 'bearer',
      scope: 'admin',
      params: idParams,
      responses: { 204: { description: 'deleted' }, 404: { description: 'no such contact in this organisation' } },
      handler: async ({ params }, _req, res) => {
        const principal = principalOf(res);
        await deleteContact(deps.db, principal.organizationId, params.id, auditActor(principal));
        return { status: 204 };
      },
    }),
  ];
}
