// Every queue of the platform; the Procfile role that serves each is in workers/roles.ts.
export const QUEUE_NAMES = ['sms', 'sms-reports', 'invoices', 'mail', 'privacy', 'maintenance'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];
