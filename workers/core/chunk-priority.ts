/** BullMQ's highest usable priority number. */
const LOWEST = 2 ** 21 - 1;

/**
 * Fairness by chunk priority: chunk k of every batch or campaign runs at priority k + 1, so the
 * first chunk of a small one overtakes chunk 900 of another organisation's million.
 */
export const chunkPriority = (chunk: number) => Math.min(chunk + 1, LOWEST);
