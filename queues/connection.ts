// Redis connections as BullMQ advises for production: producers fail fast (an API request
// must not hang while Redis is away), workers wait and retry for ever.
import type { RedisOptions as BullRedisOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';

export interface QueueSettings {
  readonly redisUrl: string;
  /** Key prefix; use a {hash-tag} on Redis Cluster. */
  readonly prefix: string;
}

export function redisOptionsFromUrl(redisUrl: string): RedisOptions {
  const url = new URL(redisUrl);
  const db = url.pathname.replace(/^\//, '');
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : 6379,
    ...(url.username && { username: decodeURIComponent(url.username) }),
    ...(url.password && { password: decodeURIComponent(url.password) }),
    ...(db && { db: Number(db) }),
    ...(url.protocol === 'rediss:' && { tls: {} }),
    connectionName: 'tgg',
    retryStrategy: (times) => Math.min(times * 200, 5_000),
  };
}

export function createProducerConnection(settings: QueueSettings): Redis {
  return new Redis({
    ...redisOptionsFromUrl(settings.redisUrl),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
  });
}

/** Options, not a client: BullMQ then owns the connection and closes it with the worker. */
export function workerConnectionOptions(settings: QueueSettings): BullRedisOptions {
  return { ...(redisOptionsFromUrl(settings.redisUrl) as BullRedisOptions), maxRetriesPerRequest: null };
}
