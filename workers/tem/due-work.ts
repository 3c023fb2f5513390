// The TEM rows the reconciler keeps in BullMQ: uploads received or mid-parse (a worker killed,
// Redis wiped) get their parse job again.
import type { DueWorkSource } from '../core/reconciler.js';
import { unparsedUploadIds } from './uploads.js';

export const temDueWork = {
  name: 'tem',
  jobs: ['tem.parse-upload'],
  async due(db, limit) {
    return (await unparsedUploadIds(db, limit)).map((uploadId) => ({ name: 'tem.parse-upload' as const, payload: { uploadId } }));
  },
} satisfies DueWorkSource<'tem.parse-upload'>;
