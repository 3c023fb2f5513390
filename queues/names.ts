// Every queue of the platform, from the families' contracts; the Procfile role that serves
// each is declared by its family (workers/<family>/family.ts).
import { CONTRACTS } from './registry.js';

export type QueueName = (typeof CONTRACTS)[number]['queues'][number];
export const QUEUE_NAMES: readonly QueueName[] = CONTRACTS.flatMap((c) => c.queues);
