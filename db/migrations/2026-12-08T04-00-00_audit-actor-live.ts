// A request resolves its caller (a session's user, or a key) before it writes. A user removed
// (DELETE /v1/users/{id}) between the two would find their request writing anyway, audited in the
// name of someone who no longer exists. Every audit entry of a user or key actor now locks that
// user or key row (FOR KEY SHARE, as a foreign key check does) in the writing transaction, and
// refuses with 23503 under the constraint name audit_log_actor_live when it is gone: the removal
// waits for a write that locked first, a write that comes second rolls back whole. The API
// answers that 401 (workers/identity/actor-gone.ts, api/error-handler.ts). Actors of other kinds
// (ops, system, data subjects) are not looked up.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE FUNCTION audit_log_actor_live() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.actor_type = 'user' THEN
        PERFORM 1 FROM users WHERE id = NEW.actor_id::uuid FOR KEY SHARE;
      ELSIF NEW.actor_type = 'api_key' THEN
        PERFORM 1 FROM api_keys WHERE id = NEW.actor_id::uuid FOR KEY SHARE;
      ELSE
        RETURN NEW;
      END IF;
      IF NOT FOUND THEN
        RAISE EXCEPTION 'the acting % no longer exists', NEW.actor_type
          USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'audit_log_actor_live', TABLE = 'audit_log';
      END IF;
      RETURN NEW;
    END $$`.execute(db);
  await sql`CREATE TRIGGER audit_log_actor_live BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_actor_live()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER audit_log_actor_live ON audit_log`.execute(db);
  await sql`DROP FUNCTION audit_log_actor_live()`.execute(db);
}
