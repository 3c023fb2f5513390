// npm run privacy:replay: after restoring a database (or Redis) from a backup, erase again
// everyone in the erasure ledger, read from both its copies (README, Operations). Prints counts only.
import { createDb } from '../../db/database.js';
import { createCommandConnection } from '../../queues/connection.js';
import { loadConfig } from '../core/config.js';
import { ledgerKey } from './ledger.js';
import { replayLedger } from './replay.js';

const config = loadConfig();
const db = createDb(config.databaseUrl, { max: 2 });
const redis = createCommandConnection({ redisUrl: config.redisUrl, prefix: config.queuePrefix });
try {
  const { people } = await replayLedger(db, config.suppressionKey, { redis, key: ledgerKey(config.queuePrefix) });
  console.log(`privacy replay: ${people} erased identifier(s) found again and erased`);
} finally {
  await db.destroy();
  redis.disconnect();
}
