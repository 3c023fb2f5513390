import type { DueWorkSource } from '../core/reconciler.js';
import { expireSendingMail, queuedMailIds } from './mail-messages.js';

export const mailDueWork = {
  name: 'mail',
  jobs: ['mail.send'],
  sweep: expireSendingMail,
  async due(db, limit) {
    const ids = await queuedMailIds(db, limit);
    return ids.map((messageId) => ({ name: 'mail.send' as const, payload: { messageId } }));
  },
} satisfies DueWorkSource<'mail.send'>;
