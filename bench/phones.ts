// Phone numbers (issues 16 and 17): normalizePhone with its fast path against libphonenumber for
// every number (normalizePhoneWithLibrary, the code before the fast path), alternated in one
// process: CPU µs per number (warm, process.cpuUsage) and bytes allocated per number (V8's
// sampling heap profiler, collected objects included), then cold, each in a fresh process: the
// CPU of its first 1,000 numbers. Two sets: the JSON bench's recipients (+316..., bench/lib/
// platform.ts) and Dutch numbers as people write them (06..., 06 1234 5678, 0031 6..., 316...).
// No database, no server. BENCH_PHONE_ROUNDS (3).
import { spawnSync } from 'node:child_process';
import { Session } from 'node:inspector/promises';
import { fileURLToPath } from 'node:url';
import { normalizePhone, normalizePhoneWithLibrary, type PhoneResult } from '../workers/phone/e164.js';
import { phoneAt, table } from './lib/platform.js';

const ROUNDS = Number(process.env.BENCH_PHONE_ROUNDS ?? 3);
const NUMBERS = 100_000;
const COLD_NUMBERS = 1_000;

const WRITTEN = [
  (n: string) => `06${n}`,
  (n: string) => `06 ${n.slice(0, 4)} ${n.slice(4)}`,
  (n: string) => `06-${n}`,
  (n: string) => `0031 6 ${n}`,
  (n: string) => `316${n}`,
  (n: string) => `+31 (0)6 ${n}`,
];
const SETS: Record<string, (i: number) => string> = {
  'JSON bench (+316...)': (i) => phoneAt(i, 1_000_003),
  'Dutch, as written': (i) => WRITTEN[i % WRITTEN.length]!(phoneAt(i, 77).slice(4)),
};
const WAYS: Record<'old' | 'new', (input: string) => PhoneResult> = { old: normalizePhoneWithLibrary, new: normalizePhone };

let sink = 0;
function run(way: (input: string) => PhoneResult, inputs: readonly string[]): void {
  for (const input of inputs) if (way(input).ok) sink++;
}

function cpuMicros(way: (input: string) => PhoneResult, inputs: readonly string[]): number {
  const before = process.cpuUsage();
  run(way, inputs);
  const spent = process.cpuUsage(before);
  return (spent.user + spent.system) / inputs.length;
}

async function bytesAllocated(session: Session, way: (input: string) => PhoneResult, inputs: readonly string[]): Promise<number> {
  await session.post('HeapProfiler.startSampling', { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  run(way, inputs);
  const { profile } = await session.post('HeapProfiler.stopSampling');
  type Node = typeof profile.head;
  const total = (node: Node): number => node.selfSize + node.children.reduce((sum, child) => sum + total(child), 0);
  return total(profile.head) / inputs.length;
}

/** In a fresh process: the CPU of the first COLD_NUMBERS numbers of a set, one way. */
function cold(way: 'old' | 'new', set: string): number {
  const inputs = Array.from({ length: COLD_NUMBERS }, (_, i) => SETS[set]!(i));
  return cpuMicros(WAYS[way], inputs) * COLD_NUMBERS / 1000;
}

export async function phonesBench(): Promise<void> {
  console.log(`\nphones: normalizePhone (fast path) against libphonenumber for every number, ${ROUNDS} rounds alternated`);
  const session = new Session();
  session.connect();
  const rows: string[][] = [];
  for (const [set, at] of Object.entries(SETS)) {
    const inputs = Array.from({ length: NUMBERS }, (_, i) => at(i));
    for (const way of Object.values(WAYS)) run(way, inputs.slice(0, 20_000));
    const figures: Record<'old' | 'new', { micros: number[]; bytes: number[]; coldMs: number[] }> = {
      old: { micros: [], bytes: [], coldMs: [] },
      new: { micros: [], bytes: [], coldMs: [] },
    };
    for (let round = 0; round < ROUNDS; round++) {
      for (const way of ['old', 'new'] as const) {
        figures[way].micros.push(cpuMicros(WAYS[way], inputs));
        figures[way].bytes.push(await bytesAllocated(session, WAYS[way], inputs.slice(0, 20_000)));
        const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), 'cold', way, set], { encoding: 'utf8' });
        figures[way].coldMs.push(Number(child.stdout.trim()));
      }
    }
    const spread = (values: number[], digits: number) => values.map((v) => v.toFixed(digits)).join(', ');
    for (const way of ['old', 'new'] as const) {
      const f = figures[way];
      rows.push([set, way, spread(f.micros, 2), spread(f.bytes, 0), spread(f.coldMs, 1)]);
    }
  }
  session.disconnect();
  table([['numbers', 'code', 'µs per number (warm)', 'bytes allocated per number', `ms CPU, first ${COLD_NUMBERS} (fresh process)`], ...rows]);
  if (sink < 0) console.log(sink);
}

if (process.argv[2] === 'cold') {
  console.log(cold(process.argv[3] as 'old' | 'new', process.argv[4] ?? ''));
  process.exit(0);
}
