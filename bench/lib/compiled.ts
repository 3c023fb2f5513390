// The platform as the Procfile runs it in a benchmark: compiled (`npm run build`, then
// `node dist/main.js`), not under tsx, whose loader thread and compiler add their own memory
// (about 60 MB to a worker at rest) to every process measured.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Runs the build unless `skipVariable` (e.g. BENCH_CDR_BUILD) is 'false': then dist/ is reused. */
export function buildPlatform(skipVariable: string): void {
  if (process.env[skipVariable] === 'false') return;
  const built = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  if (built.status !== 0) throw new Error('npm run build failed');
}

/** Node flags from `variable` (e.g. BENCH_CDR_NODE_ARGS), as a container's NODE_OPTIONS would set them. */
export const nodeArgsFrom = (variable: string): string[] => (process.env[variable] ?? '').split(' ').filter(Boolean);

/** The Procfile's line of each role (`--role all` has none: `npm start` runs it). */
const PROCFILE_LINE: Readonly<Record<string, string>> = { web: 'web', sms: 'worker-sms', invoices: 'worker-invoices', mail: 'worker-mail', privacy: 'worker-privacy', scheduler: 'scheduler' };

/**
 * The node flags the Procfile gives a role (such as --max-old-space-size on web), so a process
 * runs here as it is deployed: the words between `node` and the script.
 */
export function procfileNodeArgs(role: string, procfile = 'Procfile'): string[] {
  const name = PROCFILE_LINE[role];
  if (name === undefined) return [];
  const line = readFileSync(procfile, 'utf8').split('\n').find((l) => l.startsWith(`${name}:`)) ?? '';
  const words = line.slice(name.length + 1).trim().split(/\s+/);
  if (words[0] !== 'node') return [];
  const flags = words.slice(1);
  const script = flags.findIndex((w) => !w.startsWith('--'));
  return script < 0 ? flags : flags.slice(0, script);
}

/** The arguments of `node` for one role of the compiled platform: the Procfile's flags, then the bench's own. */
export const compiledArgs = (nodeArgs: readonly string[], role: string, ...extra: string[]): string[] => [...procfileNodeArgs(role), ...nodeArgs, 'dist/main.js', '--role', role, ...extra];

/**
 * The same for another build (`main`, its dist/main.js): the flags of that build's own Procfile
 * (beside its dist/), when it has one, so a flag one of them adds is compared too.
 */
export function compiledArgsOf(main: string, nodeArgs: readonly string[], role: string): string[] {
  const procfile = join(dirname(dirname(main)), 'Procfile');
  return [...procfileNodeArgs(role, existsSync(procfile) ? procfile : 'Procfile'), ...nodeArgs, main, '--role', role];
}

/** One role of the compiled platform as a child process, its output on the benchmark's. */
export const platformProcess = (role: string, env: Record<string, string>, nodeArgs: readonly string[] = []) =>
  spawn('node', compiledArgs(nodeArgs, role), { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
