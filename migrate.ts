// npm run migrate [up|down|reset]: applies migrations; the Procfile's release phase runs "up".
// An entry beside main.ts: it reads the config (workers/core/), which db/ may not import.
import { createDb } from './db/database.js';
import { ensureDatabase } from './db/ensure-database.js';
import { migrateDown, migrateToEmpty, migrateToLatest } from './db/migrate.js';
import { loadConfig } from './workers/core/config.js';
import { ensureHouseOrganization } from './workers/newsletter/house.js';

const command = process.argv[2] ?? 'up';
const config = loadConfig();
if (config.env !== 'production') await ensureDatabase(config.databaseUrl);
const db = createDb(config.databaseUrl, { max: 1, applicationName: 'tgg-migrate' });
try {
  const steps =
    command === 'up' ? await migrateToLatest(db)
    : command === 'down' ? await migrateDown(db)
    : command === 'reset' ? await migrateToEmpty(db)
    : (() => { throw new Error(`unknown command ${command}: use up, down or reset`); })();
  console.log(steps.length ? steps.join('\n') : 'nothing to migrate');
  if (command === 'up') {
    const house = await ensureHouseOrganization(db);
    if (house.listId) console.log(`house organisation ${house.organizationId} created, with its list ${house.listId}`);
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await db.destroy();
}
