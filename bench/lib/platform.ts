// What the platform benchmarks share: the Postgres and Redis they use, the environment of the
// platform's child processes, the recipients they send to, the ops login that creates their
// organisation, and how they read a process's memory and print their table.
import { readFileSync } from 'node:fs';

export const HOST = '127.0.0.1';
export const ADMIN_URL = process.env.BENCH_DATABASE_ADMIN_URL ?? `postgres://postgres@${HOST}:5432/postgres`;
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? `redis://${HOST}:6379`;

export const TEMPLATE = 'Beste {{naam}}, uw afspraak bij TGG is morgen om 10:00. Antwoord STOP om u af te melden.';
const NAMES = ['Jan', 'Anna', 'Pieter', 'Sanne', 'Daan', 'Emma', 'Lucas', 'Julia', 'Bram', 'Sophie', 'Noah', 'Fleur'];
export const nameAt = (i: number): string => NAMES[i % NAMES.length] ?? 'Jan';

/** The i-th of up to 50,000,000 distinct Dutch mobile numbers: +316, then 8 digits, the first 1-5. */
export const phoneAt = (i: number, offset: number): string => `+316${10_000_000 + ((i * 7919 + offset) % 50_000_000)}`;

/** The URL of `database` on the server ADMIN_URL names. */
export function databaseUrl(database: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Basic auth of the development ops login (OPS_USER / OPS_PASSWORD unset, NODE_ENV=development). */
export const OPS_AUTHORIZATION = `Basic ${Buffer.from('ops:ops-dev-password').toString('base64')}`;

export interface PlatformPlace {
  readonly database: string;
  readonly prefix: string;
  readonly webPort: number;
}

/** The environment of every platform process of a benchmark (web and workers), plus `extra`. */
export function platformEnv(place: PlatformPlace, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl(place.database),
    REDIS_URL,
    QUEUE_PREFIX: place.prefix,
    PORT: String(place.webPort),
    PUBLIC_URL: `http://${HOST}:${place.webPort}`,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'development',
    ...extra,
  };
}

/** Creates an organisation through /ops/organizations on the web process at `webPort`; returns its API key. */
export async function createOrganization(webPort: number, name: string): Promise<string> {
  const res = await fetch(`http://${HOST}:${webPort}/ops/organizations`, {
    method: 'POST',
    headers: { authorization: OPS_AUTHORIZATION, 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  const body = await res.text();
  if (res.status !== 201) throw new Error(`create organisation: HTTP ${res.status}: ${body.slice(0, 300)}`);
  return (JSON.parse(body) as { apiKey: { key: string } }).apiKey.key;
}

/** A /proc/<pid>/status field in kB (VmRSS, VmHWM: the peak RSS), NaN once the process is gone. */
export function statusKib(field: string, pid: number | undefined): number {
  try {
    return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? Number.NaN);
  } catch {
    return Number.NaN;
  }
}

/** Prints rows as a table: the first row is the header, the first column left-aligned. */
export function table(rows: ReadonlyArray<readonly string[]>): void {
  const widths = (rows[0] ?? []).map((_, c) => Math.max(...rows.map((r) => r[c]?.length ?? 0)));
  for (const [i, r] of rows.entries()) {
    console.log(r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('   '));
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('   '));
  }
}
