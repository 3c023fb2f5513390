import type { Handler } from '../core/handler.js';
import { makePartitions } from './partitions.js';

/** maintenance.tem-partitions: nightly, so next month's partition exists before its first call. */
export const makePartitionsJob: Handler<'maintenance.tem-partitions'> = async (_payload, { deps, log }) => {
  const made = await makePartitions(deps.db);
  if (made > 0) log.info({ made }, 'call_records partitions made');
  return { made };
};
