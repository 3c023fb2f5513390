// REDIS_URL read into a topology (one server, Cluster seeds, Sentinel), the hash-tag rule for
// QUEUE_PREFIX on a cluster, and the connection factory building an ioredis Cluster when the
// URL names one. No server is needed: the clients are made lazily and never connect.
import { Cluster, Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { assertPrefixFits, clusterOptionsFor, createProducerConnection, redisOptionsFor, workerConnection } from '../queues/connection.js';
import { RedisUrlError, hasHashTag, parseRedisUrl } from '../queues/redis-url.js';
import { ConfigError, loadConfig } from '../workers/core/config.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('REDIS_URL', () => {
  it('reads one server with credentials, database and TLS', () => {
    expect(parseRedisUrl('redis://127.0.0.1:6380/2')).toEqual({ mode: 'single', node: { host: '127.0.0.1', port: 6380 }, db: 2, username: undefined, password: undefined, tls: false });
    expect(parseRedisUrl('rediss://app:p%40ss@cache.internal')).toMatchObject({ mode: 'single', node: { host: 'cache.internal', port: 6379 }, username: 'app', password: 'p@ss', tls: true });
    expect(parseRedisUrl('redis://:secret@[::1]:7000')).toMatchObject({ node: { host: '::1', port: 7000 }, username: undefined, password: 'secret' });
  });

  it('reads cluster seed nodes', () => {
    expect(parseRedisUrl('redis+cluster://10.0.0.1:7000,10.0.0.2:7001,node3')).toEqual({
      mode: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
        { host: 'node3', port: 6379 },
      ],
      username: undefined,
      password: undefined,
      tls: false,
    });
    expect(parseRedisUrl('rediss+cluster://default:pw@a:1,b:2/')).toMatchObject({ mode: 'cluster', tls: true, password: 'pw', username: 'default' });
  });

  it('reads sentinels and the master name', () => {
    expect(parseRedisUrl('redis+sentinel://:pw@s1:26379,s2,s3:26380/mymaster/1')).toEqual({
      mode: 'sentinel',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
        { host: 's3', port: 26380 },
      ],
      name: 'mymaster',
      db: 1,
      username: undefined,
      password: 'pw',
      tls: false,
    });
  });

  it.each([
    ['http://x:1', /scheme/],
    ['redis://a:1,b:2', /one server/],
    ['redis+cluster://a:1,b:2/3', /no database/],
    ['redis+sentinel://s1,s2', /master name/],
    ['redis+cluster://a:99999', /port/],
    ['redis://h/abc', /database number/],
    ['redis+cluster://a:1,,b:2', /host/],
  ])('refuses %s', (url, message) => {
    expect(() => parseRedisUrl(url)).toThrow(RedisUrlError);
    expect(() => parseRedisUrl(url)).toThrow(message);
  });

  it('names the problem in the configuration error, never the password', () => {
    const problems = problemsOf({ REDIS_URL: 'redis://u:hunter2-secret@a:1,b:2' });
    expect(problems).toEqual([expect.stringMatching(/^REDIS_URL: .*one server/)]);
    expect(problems.join()).not.toContain('hunter2');
  });
});

describe('QUEUE_PREFIX on a cluster', () => {
  it('needs a non-empty hash tag', () => {
    expect(hasHashTag('{tgg}')).toBe(true);
    expect(hasHashTag('prod{tgg}')).toBe(true);
    expect(hasHashTag('tgg')).toBe(false);
    expect(hasHashTag('{}tgg')).toBe(false);
    expect(hasHashTag('tgg}{')).toBe(false);
  });

  it('is refused at start without one, with a clear error', () => {
    expect(problemsOf({ REDIS_URL: 'redis+cluster://a:1,b:2', QUEUE_PREFIX: 'tgg' })).toEqual(['QUEUE_PREFIX: must hold a hash tag on Redis Cluster, e.g. {tgg}']);
    expect(problemsOf({ REDIS_URL: 'redis+cluster://a:1,b:2', QUEUE_PREFIX: '{tgg}' })).toEqual([]);
    // One server or Sentinel: any prefix.
    expect(problemsOf({ REDIS_URL: 'redis+sentinel://s1/m', QUEUE_PREFIX: 'tgg' })).toEqual([]);
    expect(() => assertPrefixFits({ redisUrl: 'redis+cluster://a:1', prefix: 'tgg' })).toThrow(/hash tag/);
  });
});

describe('the connection factory', () => {
  it('builds an ioredis Cluster for a cluster URL, a Redis otherwise', () => {
    const cluster = createProducerConnection({ redisUrl: 'redis+cluster://127.0.0.1:1,127.0.0.1:2', prefix: '{t}' });
    const single = createProducerConnection({ redisUrl: 'redis://127.0.0.1:1', prefix: 't' });
    for (const client of [cluster, single]) {
      client.on('error', () => undefined);
      client.disconnect();
    }
    expect(cluster).toBeInstanceOf(Cluster);
    expect((cluster as Cluster).options.redisOptions).toMatchObject({ enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    expect(single).toBeInstanceOf(Redis);
    expect(single).not.toBeInstanceOf(Cluster);
  });

  it('hands BullMQ workers a Cluster instance (closed by release) or plain options', () => {
    const cluster = workerConnection({ redisUrl: 'redis+cluster://127.0.0.1:1', prefix: '{t}' });
    expect(cluster.connection).toBeInstanceOf(Cluster);
    (cluster.connection as Cluster).on('error', () => undefined);
    expect((cluster.connection as Cluster).options.redisOptions).toMatchObject({ maxRetriesPerRequest: null });
    cluster.release();
    expect(['disconnecting', 'end']).toContain((cluster.connection as Cluster).status);
    const single = workerConnection({ redisUrl: 'redis://127.0.0.1:1/3', prefix: 't' });
    expect(single.connection).toMatchObject({ host: '127.0.0.1', port: 1, db: 3, maxRetriesPerRequest: null });
  });

  it('passes credentials to the data nodes and sentinels to ioredis', () => {
    const sentinel = parseRedisUrl('rediss+sentinel://u:pw@s1:1,s2:2/m');
    if (sentinel.mode !== 'sentinel') throw new Error('not sentinel');
    expect(redisOptionsFor(sentinel)).toMatchObject({ sentinels: [{ host: 's1', port: 1 }, { host: 's2', port: 2 }], name: 'm', username: 'u', password: 'pw', tls: {}, enableTLSForSentinelMode: true });
    const cluster = parseRedisUrl('rediss+cluster://u:pw@a:1');
    if (cluster.mode !== 'cluster') throw new Error('not cluster');
    expect(clusterOptionsFor(cluster, {}).redisOptions).toMatchObject({ username: 'u', password: 'pw', tls: {} });
  });
});
