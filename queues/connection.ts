// The one place that opens Redis connections, as BullMQ advises for production: producers
// fail fast (an API request must not hang while Redis is away), workers wait and retry for
// ever. REDIS_URL picks one server, a Cluster or a Sentinel-watched master (redis-url.ts);
// everything else (queues, workers, rate limits, the dashboard) takes its client from here.
import type { ConnectionOptions } from 'bullmq';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { hasHashTag, parseRedisUrl, type RedisTarget } from './redis-url.js';

/** A Redis client: one server (also behind Sentinel) or a Cluster. */
export type RedisClient = Redis | Cluster;

export interface QueueSettings {
  readonly redisUrl: string;
  /** Key prefix; a {hash-tag} on Redis Cluster (checked by assertPrefixFits). */
  readonly prefix: string;
  /** The producer connection's bound on each command (ioredis commandTimeout): 'Command timed out' past it. */
  readonly commandTimeoutMs?: number;
  /** The bound of a whole-queue action's commands (createLongCommandConnection): one Lua script over every job of a queue. */
  readonly longCommandTimeoutMs?: number;
}

const retryStrategy = (times: number) => Math.min(times * 200, 5_000);

/** What each data node connection gets, whatever the topology. */
function nodeOptions(target: RedisTarget): RedisOptions {
  return {
    ...(target.username !== undefined && { username: target.username }),
    ...(target.password !== undefined && { password: target.password }),
    ...(target.tls && { tls: {} }),
    connectionName: 'tgg',
  };
}

/** Options for one server or a Sentinel-watched master (ioredis finds the master and follows a failover). */
export function redisOptionsFor(target: Exclude<RedisTarget, { mode: 'cluster' }>): RedisOptions {
  if (target.mode === 'single') {
    return { ...nodeOptions(target), host: target.node.host, port: target.node.port, ...(target.db !== 0 && { db: target.db }), retryStrategy };
  }
  return {
    ...nodeOptions(target),
    sentinels: target.sentinels.map((s) => ({ host: s.host, port: s.port })),
    name: target.name,
    ...(target.db !== 0 && { db: target.db }),
    ...(target.tls && { enableTLSForSentinelMode: true }),
    sentinelRetryStrategy: retryStrategy,
    retryStrategy,
  };
}

export function clusterOptionsFor(target: Extract<RedisTarget, { mode: 'cluster' }>, extra: RedisOptions): ClusterOptions {
  return {
    redisOptions: { ...nodeOptions(target), ...extra },
    clusterRetryStrategy: retryStrategy,
    // Managed clusters (ElastiCache, Memorystore) announce addresses that must be used as given with TLS.
    ...(target.tls && { dnsLookup: (address: string, callback: (err: Error | null, address: string) => void) => callback(null, address) }),
  };
}

/** Refuses, at start, a prefix that would split BullMQ's keys over a cluster's slots. */
export function assertPrefixFits(settings: QueueSettings): void {
  if (parseRedisUrl(settings.redisUrl).mode === 'cluster' && !hasHashTag(settings.prefix)) {
    throw new Error('QUEUE_PREFIX must hold a hash tag on Redis Cluster, e.g. {tgg}');
  }
}

function open(settings: QueueSettings, extra: RedisOptions): RedisClient {
  assertPrefixFits(settings);
  const target = parseRedisUrl(settings.redisUrl);
  if (target.mode === 'cluster') return new Cluster(target.nodes.map((n) => ({ host: n.host, port: n.port })), clusterOptionsFor(target, extra));
  return new Redis({ ...redisOptionsFor(target), ...extra });
}

/**
 * The shared client of a process: queues, rate limits, login throttles, health checks, the
 * dashboard. Fails fast while Redis is away, and, with `commandTimeoutMs`, when it holds the
 * connection but does not answer (a partition): a request must not wait on it for ever.
 */
export function createProducerConnection(settings: QueueSettings): RedisClient {
  return open(settings, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    ...(settings.commandTimeoutMs !== undefined && { commandTimeout: settings.commandTimeoutMs }),
  });
}

/**
 * A producer connection for the few commands that rightly run long: the dashboard's whole-queue
 * actions (empty is one Lua script over every waiting job: 200,000 took 4 s). Under the shared
 * connection's bound the client gave up while Redis went on and did it; the answer (503) and the
 * audit entry ("failed") then contradicted the queue. Fails fast while Redis is away, like the
 * shared one; its command bound is `longCommandTimeoutMs`.
 */
export function createLongCommandConnection(settings: QueueSettings): RedisClient {
  return createProducerConnection({ ...settings, ...(settings.longCommandTimeoutMs !== undefined && { commandTimeoutMs: settings.longCommandTimeoutMs }) });
}

/** A client for a one-off command (npm run privacy:replay): waits for Redis, retries a command a few times. */
export function createCommandConnection(settings: QueueSettings): RedisClient {
  return open(settings, { maxRetriesPerRequest: 3 });
}

/**
 * What a BullMQ Worker connects with, and what to close after it. Options for one server
 * (BullMQ opens and closes its connections itself); a Cluster must be an instance (BullMQ
 * cannot build one from options), which BullMQ uses and duplicates for its blocking
 * connection but leaves open: `release` closes it once the worker has closed.
 */
export function workerConnection(settings: QueueSettings): { connection: ConnectionOptions; release: () => void } {
  assertPrefixFits(settings);
  const target = parseRedisUrl(settings.redisUrl);
  if (target.mode === 'cluster') {
    const cluster = new Cluster(target.nodes.map((n) => ({ host: n.host, port: n.port })), clusterOptionsFor(target, { maxRetriesPerRequest: null }));
    return { connection: cluster, release: () => cluster.disconnect() };
  }
  return { connection: { ...redisOptionsFor(target), maxRetriesPerRequest: null } as ConnectionOptions, release: () => undefined };
}
