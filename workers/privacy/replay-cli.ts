// npm run privacy:replay: after restoring a database from a backup, erase again everyone in
// the erasure ledger (README, Operations). Prints counts only.
import { createDb } from '../../db/database.js';
import { loadConfig } from '../core/config.js';
import { replayLedger } from './replay.js';

const config = loadConfig();
const db = createDb(config.databaseUrl, { max: 2 });
try {
  const { people } = await replayLedger(db, config.suppressionKey);
  console.log(`privacy replay: ${people} erased identifier(s) found again and erased`);
} finally {
  await db.destroy();
}
