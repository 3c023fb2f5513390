// Issue 9: organisations get a unique slug to log in with, usernames become unique within
// their organisation only, and every API key records who created it, so that a compromised
// user's keys can all be found.
import { sql, type Kysely } from 'kysely';

// The slug rule of workers/identity/slugs.ts as it was when this migration was written:
// migrations are frozen in time and import nothing from the code that keeps changing.
function slugOf(name: string): string {
  const slug = name.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, 48).replace(/^-+|-+$/g, '');
  return slug === '' ? 'organization' : slug;
}

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('organizations').addColumn('slug', 'text').execute();
  const organizations = await db.selectFrom('organizations').select(['id', 'name']).orderBy('created_at').orderBy('id').execute();
  const taken = new Set<string>();
  for (const organization of organizations as { id: string; name: string }[]) {
    let slug = slugOf(organization.name);
    for (let n = 2; taken.has(slug); n++) slug = `${slugOf(organization.name)}-${n}`;
    taken.add(slug);
    await db.updateTable('organizations').set({ slug }).where('id', '=', organization.id).execute();
  }
  await db.schema.alterTable('organizations').alterColumn('slug', (c) => c.setNotNull()).execute();
  await db.schema.createIndex('organizations_slug_key').on('organizations').column('slug').unique().execute();

  await sql`DROP INDEX users_username_key`.execute(db);
  await sql`CREATE UNIQUE INDEX users_org_username_key ON users (organization_id, lower(username))`.execute(db);

  await db.schema
    .alterTable('api_keys')
    .addColumn('created_by_user_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_by_session_id', 'uuid', (c) => c.references('sessions.id').onDelete('set null'))
    .addColumn('created_by_key_id', 'uuid', (c) => c.references('api_keys.id').onDelete('set null'))
    .addColumn('created_by_ops', 'text')
    .execute();
  await sql`CREATE INDEX api_keys_created_by_user_idx ON api_keys (created_by_user_id) WHERE created_by_user_id IS NOT NULL`.execute(db);
  await sql`CREATE INDEX api_keys_created_by_key_idx ON api_keys (created_by_key_id) WHERE created_by_key_id IS NOT NULL`.execute(db);
  // What is known of existing keys: a user's own key was made by that user; the audit log
  // names the user or key that made the others, while they exist.
  await sql`UPDATE api_keys SET created_by_user_id = user_id WHERE user_id IS NOT NULL`.execute(db);
  await sql`
    UPDATE api_keys k SET
      created_by_user_id = coalesce(k.created_by_user_id, (SELECT u.id FROM users u WHERE a.actor_type = 'user' AND u.id::text = a.actor_id)),
      created_by_key_id = (SELECT c.id FROM api_keys c WHERE a.actor_type = 'api_key' AND c.id::text = a.actor_id)
    FROM audit_log a
    WHERE a.action = 'api_key.created' AND a.entity_id = k.id::text`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('api_keys').dropColumn('created_by_user_id').dropColumn('created_by_session_id').dropColumn('created_by_key_id').dropColumn('created_by_ops').execute();
  // Fails when two organisations have since chosen the same username, as it should.
  await sql`DROP INDEX users_org_username_key`.execute(db);
  await sql`CREATE UNIQUE INDEX users_username_key ON users (lower(username))`.execute(db);
  await db.schema.alterTable('organizations').dropColumn('slug').execute();
}
