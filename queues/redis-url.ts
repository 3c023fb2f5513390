// REDIS_URL, read once: one server (redis://, rediss://), a Redis Cluster by its seed nodes
// (redis+cluster://host:port,host:port) or a master found through Sentinel
// (redis+sentinel://host:port,host:port/mymaster). The `s` form (rediss+cluster://…) uses TLS.
// Credentials in the URL are the data nodes' (ACL user and password), never the sentinels'.

export interface RedisNode {
  readonly host: string;
  readonly port: number;
}

interface Common {
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly tls: boolean;
}

export type RedisTarget =
  | (Common & { readonly mode: 'single'; readonly node: RedisNode; readonly db: number })
  | (Common & { readonly mode: 'cluster'; readonly nodes: readonly RedisNode[] })
  | (Common & { readonly mode: 'sentinel'; readonly sentinels: readonly RedisNode[]; readonly name: string; readonly db: number });

const SCHEMES: Readonly<Record<string, { mode: RedisTarget['mode']; tls: boolean; defaultPort: number }>> = {
  'redis:': { mode: 'single', tls: false, defaultPort: 6379 },
  'rediss:': { mode: 'single', tls: true, defaultPort: 6379 },
  'redis+cluster:': { mode: 'cluster', tls: false, defaultPort: 6379 },
  'rediss+cluster:': { mode: 'cluster', tls: true, defaultPort: 6379 },
  'redis+sentinel:': { mode: 'sentinel', tls: false, defaultPort: 26379 },
  'rediss+sentinel:': { mode: 'sentinel', tls: true, defaultPort: 26379 },
};

/** The schemes REDIS_URL accepts, for the configuration's error message. */
export const REDIS_SCHEMES = Object.keys(SCHEMES).map((s) => s.slice(0, -1));

export class RedisUrlError extends Error {
  constructor(problem: string) {
    // The problem only, never the URL: it may hold a password.
    super(problem);
    this.name = 'RedisUrlError';
  }
}

function parseNode(text: string, defaultPort: number): RedisNode {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  const plain = /^([^:[\]]+)(?::(\d+))?$/.exec(text);
  const match = bracketed ?? plain;
  if (!match?.[1]) throw new RedisUrlError('each node must be host or host:port');
  const port = match[2] === undefined ? defaultPort : Number(match[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RedisUrlError('a node port must be 1-65535');
  return { host: match[1], port };
}

function parseDb(path: string): number {
  if (path === '') return 0;
  if (!/^\d{1,2}$/.test(path)) throw new RedisUrlError('the path must be a database number');
  return Number(path);
}

/** Throws RedisUrlError (naming the problem, not the value) for anything it cannot read. */
export function parseRedisUrl(text: string): RedisTarget {
  const scheme = /^([a-z+]+:)\/\//.exec(text)?.[1];
  const kind = scheme === undefined ? undefined : SCHEMES[scheme];
  if (scheme === undefined || kind === undefined) throw new RedisUrlError(`the scheme must be one of ${REDIS_SCHEMES.join(', ')}`);
  const rest = text.slice(scheme.length + 2);
  const at = rest.lastIndexOf('@');
  const credentials = at >= 0 ? rest.slice(0, at) : undefined;
  const afterCredentials = at >= 0 ? rest.slice(at + 1) : rest;
  const pathStart = afterCredentials.search(/[/?#]/);
  const hosts = pathStart >= 0 ? afterCredentials.slice(0, pathStart) : afterCredentials;
  const path = pathStart >= 0 ? afterCredentials.slice(pathStart).replace(/[?#].*$/, '').replace(/^\//, '').replace(/\/$/, '') : '';
  let username: string | undefined;
  let password: string | undefined;
  if (credentials !== undefined) {
    const colon = credentials.indexOf(':');
    const user = decodeURIComponent(colon >= 0 ? credentials.slice(0, colon) : credentials);
    username = user === '' ? undefined : user;
    password = colon >= 0 ? decodeURIComponent(credentials.slice(colon + 1)) || undefined : undefined;
  }
  const nodes = hosts.split(',').map((h) => parseNode(h.trim(), kind.defaultPort));
  const common = { username, password, tls: kind.tls };
  if (kind.mode === 'single') {
    if (nodes.length !== 1) throw new RedisUrlError('redis:// names one server; use redis+cluster:// or redis+sentinel:// for several');
    return { ...common, mode: 'single', node: nodes[0] as RedisNode, db: parseDb(path) };
  }
  if (kind.mode === 'cluster') {
    // Redis Cluster has database 0 only.
    if (path !== '' && path !== '0') throw new RedisUrlError('a cluster has no database number');
    return { ...common, mode: 'cluster', nodes };
  }
  const [name, db = ''] = path.split('/');
  if (!name) throw new RedisUrlError('redis+sentinel:// needs the master name as its path (redis+sentinel://host:26379/mymaster)');
  return { ...common, mode: 'sentinel', sentinels: nodes, name, db: parseDb(db) };
}

/**
 * On a cluster every key a BullMQ script touches must hash to one slot: the prefix must hold a
 * hash tag, `{…}` with something inside, which Redis then hashes instead of the whole key.
 */
export function hasHashTag(prefix: string): boolean {
  const open = prefix.indexOf('{');
  if (open < 0) return false;
  const close = prefix.indexOf('}', open + 1);
  return close > open + 1;
}
