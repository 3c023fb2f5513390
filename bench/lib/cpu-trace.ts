// A CPU timeline of a benchmark's processes (BENCH_SMPP_TRACE): every `intervalMs` the CPU
// seconds each group of processes has used so far (/proc/<pid>/stat) and the machine's busy
// and total jiffies (/proc/stat), so a run can be told CPU-bound (the cores full, or one
// process at 100 % of a core) from latency-bound (the processes idle part of the time, waiting
// on each other).
import { readFileSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { cpuSeconds } from './cpu.js';

export interface CpuSample {
  /** Date.now() when taken. */
  readonly at: number;
  /** CPU seconds so far, by group. */
  readonly cpu: Readonly<Record<string, number>>;
  /**
   * By group, the main threads' seconds on a CPU and runnable but waiting for one
   * (/proc/<pid>/schedstat), and how many main threads: one that is neither sleeps, waiting on
   * another process (a socket, a lock, the disk).
   */
  readonly sched: Readonly<Record<string, { run: number; wait: number; threads: number }>>;
  /** The machine's busy and total jiffies, all cores. */
  readonly busy: number;
  readonly total: number;
}

/** Keeps each pid's last reading, so a process that ends keeps what it used. */
const lastCpu = new Map<number, number>();
const lastSched = new Map<number, { run: number; wait: number }>();

function schedOf(pid: number): { run: number; wait: number } {
  try {
    const [run = 0, wait = 0] = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(' ').map(Number);
    const reading = { run: run / 1e9, wait: wait / 1e9 };
    lastSched.set(pid, reading);
    return reading;
  } catch {
    return lastSched.get(pid) ?? { run: 0, wait: 0 };
  }
}

function cpuOf(pid: number): number {
  const cpu = cpuSeconds(pid);
  if (Number.isFinite(cpu)) {
    lastCpu.set(pid, cpu);
    return cpu;
  }
  return lastCpu.get(pid) ?? 0;
}

function machineTicks(): { busy: number; total: number } {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  return { busy: total - (fields[3] ?? 0) - (fields[4] ?? 0), total };
}

/** The pids of the processes whose command line starts with `prefix` (e.g. 'postgres: walwriter'). */
export function pidsByCommand(prefix: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').startsWith(prefix)) pids.push(Number(entry));
    } catch {
      // gone
    }
  }
  return pids;
}

/** Samples until `stop` is called; `groups` is read at each sample (pids may come and go). */
export function cpuTrace(groups: () => Readonly<Record<string, readonly number[]>>, intervalMs = 100): { stop: () => CpuSample[] } {
  const samples: CpuSample[] = [];
  const sample = () => {
    const cpu: Record<string, number> = {};
    const sched: Record<string, { run: number; wait: number; threads: number }> = {};
    for (const [name, pids] of Object.entries(groups())) {
      const live = pids.filter((pid) => pid > 0);
      cpu[name] = live.reduce((sum, pid) => sum + cpuOf(pid), 0);
      const each = live.map(schedOf);
      sched[name] = { run: each.reduce((a, b) => a + b.run, 0), wait: each.reduce((a, b) => a + b.wait, 0), threads: live.length };
    }
    const { busy, total } = machineTicks();
    samples.push({ at: Date.now(), cpu, sched, busy, total });
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return samples;
    },
  };
}

/** The CPU each group used between two samples, in cores (CPU seconds per second of wall time). */
export function coresBetween(a: CpuSample, b: CpuSample): Record<string, number> {
  const wall = (b.at - a.at) / 1000;
  const out: Record<string, number> = {};
  for (const name of Object.keys(b.cpu)) out[name] = ((b.cpu[name] ?? 0) - (a.cpu[name] ?? 0)) / wall;
  out.machine = ((b.busy - a.busy) / Math.max(1, b.total - a.total)) * availableParallelism();
  return out;
}

/** What the SMSC saw (its GET /timeline): submit_sm and deliver_sm_resp times, ms after resetEpoch. */
export interface SmscTimeline {
  readonly resetEpoch: number;
  readonly submits: readonly number[];
  readonly acks: readonly number[];
}

/**
 * Prints where a run's time went: each group's CPU in cores over the run and in buckets of
 * `bucketMs`, the SMSC's submits and acknowledgements per bucket, the time the SMSC saw no
 * submit for 2 ms or more, and the run's tail (last submit, last acknowledgement, the end).
 */
export function traceReport(label: string, samples: readonly CpuSample[], timeline: SmscTimeline, endEpoch: number, bucketMs = 500): string {
  const lines: string[] = [];
  const at = (t: number) => timeline.resetEpoch + t;
  const firstSubmit = at(timeline.submits[0] ?? 0);
  const lastSubmit = at(timeline.submits.at(-1) ?? 0);
  const lastAck = at(timeline.acks.at(-1) ?? 0);
  const within = samples.filter((s) => s.at >= firstSubmit - 100 && s.at <= endEpoch + 100);
  const fmt = (cores: Record<string, number>) =>
    Object.entries(cores)
      .map(([k, v]) => `${k} ${v.toFixed(2)}`)
      .join(', ');
  if (within.length >= 2) {
    const a = within[0]!;
    const z = within.at(-1)!;
    lines.push(`${label}: cores over the run: ${fmt(coresBetween(a, z))}`);
    // Pids that came after the first sample count from zero: only groups whose threads did not change.
    const wall = (z.at - a.at) / 1000;
    const states = Object.keys(z.sched)
      .filter((name) => a.sched[name]?.threads === z.sched[name]?.threads)
      .map((name) => {
        const run = (z.sched[name]!.run - a.sched[name]!.run) / wall;
        const wait = (z.sched[name]!.wait - a.sched[name]!.wait) / wall;
        const threads = z.sched[name]!.threads;
        return `${name} ${(100 * run / threads).toFixed(0)}/${(100 * wait / threads).toFixed(0)}/${(100 - (100 * (run + wait)) / threads).toFixed(0)}${threads > 1 ? ` (${threads})` : ''}`;
      });
    lines.push(`${label}: main threads on a CPU / waiting for one / asleep, % of the run: ${states.join(', ')}`);
  }
  let idle = 0;
  for (let i = 1; i < timeline.submits.length; i++) {
    const gap = timeline.submits[i]! - timeline.submits[i - 1]!;
    if (gap >= 2) idle += gap;
  }
  const span = lastSubmit - firstSubmit;
  lines.push(
    `${label}: ${timeline.submits.length} submits over ${span} ms (no submit for >= 2 ms: ${idle.toFixed(0)} ms, ${((100 * idle) / Math.max(1, span)).toFixed(0)} %); last ack ${lastAck - lastSubmit} ms after the last submit; end ${endEpoch - lastAck} ms after the last ack`,
  );
  const buckets = Math.ceil((endEpoch - firstSubmit) / bucketMs);
  const count = (times: readonly number[], from: number, to: number) => times.filter((t) => at(t) >= from && at(t) < to).length;
  for (let b = 0; b < buckets; b++) {
    const from = firstSubmit + b * bucketMs;
    const to = from + bucketMs;
    const a = [...samples].reverse().find((s) => s.at <= from) ?? samples[0];
    const z = samples.find((s) => s.at >= to) ?? samples.at(-1);
    const cores = a && z && z.at > a.at ? fmt(coresBetween(a, z)) : '';
    lines.push(`  ${String(b * bucketMs).padStart(6)} ms: submits ${String(count(timeline.submits, from, to)).padStart(5)}, acks ${String(count(timeline.acks, from, to)).padStart(5)}; ${cores}`);
  }
  return lines.join('\n');
}
