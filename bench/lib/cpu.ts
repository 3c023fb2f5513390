// CPU time of processes, from /proc: a measure that swings less with the machine's load than
// wall time does (a crowded machine delays a process, it hardly makes it use more CPU).
import { readFileSync } from 'node:fs';
import type pg from 'pg';

/** CPU seconds a process has used so far (utime + stime), NaN once it is gone. */
export function cpuSeconds(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** The Postgres backends serving `database` now (the server is on this machine), by pid. */
async function backendPids(client: pg.Client, database: string): Promise<number[]> {
  const { rows } = await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]);
  return rows.map((r) => r.pid);
}

export interface CpuSpent {
  /** CPU seconds of the process watched (every thread). */
  readonly process: number;
  /** CPU seconds of the database's backends (one that started meanwhile counts whole; one that ended meanwhile is missed). */
  readonly postgres: number;
}

/** Starts counting the CPU of `pid` and of `database`'s backends; the returned function reads what they used since. */
export async function cpuMeter(client: pg.Client, database: string, pid: number | undefined): Promise<() => Promise<CpuSpent>> {
  const before = new Map((await backendPids(client, database)).map((p) => [p, cpuSeconds(p)]));
  const processBefore = cpuSeconds(pid);
  return async () => {
    // Read at once, before the query below gives the process time to go on with other work.
    const processSpent = cpuSeconds(pid) - processBefore;
    const known = [...before].map(([p, cpu]) => cpuSeconds(p) - cpu);
    let postgres = known.filter(Number.isFinite).reduce((a, b) => a + b, 0);
    for (const p of await backendPids(client, database)) if (!before.has(p) && Number.isFinite(cpuSeconds(p))) postgres += cpuSeconds(p);
    return { process: processSpent, postgres };
  };
}
