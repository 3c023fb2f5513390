// The platform as the Procfile runs it in a benchmark: compiled (`npm run build`, then
// `node dist/main.js`), not under tsx, whose loader thread and compiler add their own memory
// (about 60 MB to a worker at rest) to every process measured.
import { spawn, spawnSync } from 'node:child_process';

/** Runs the build unless `skipVariable` (e.g. BENCH_CDR_BUILD) is 'false': then dist/ is reused. */
export function buildPlatform(skipVariable: string): void {
  if (process.env[skipVariable] === 'false') return;
  const built = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  if (built.status !== 0) throw new Error('npm run build failed');
}

/** Node flags from `variable` (e.g. BENCH_CDR_NODE_ARGS), as a container's NODE_OPTIONS would set them. */
export const nodeArgsFrom = (variable: string): string[] => (process.env[variable] ?? '').split(' ').filter(Boolean);

/** The arguments of `node` for one role of the compiled platform. */
export const compiledArgs = (nodeArgs: readonly string[], role: string, ...extra: string[]): string[] => [...nodeArgs, 'dist/main.js', '--role', role, ...extra];

/** One role of the compiled platform as a child process, its output on the benchmark's. */
export const platformProcess = (role: string, env: Record<string, string>, nodeArgs: readonly string[] = []) =>
  spawn('node', compiledArgs(nodeArgs, role), { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
