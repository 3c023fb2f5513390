// The platform as the Procfile runs it in a benchmark: compiled (npm run build), not under tsx,
// whose loader thread and compiler add their own memory (about 60 MB to a worker at rest).
import { spawn, spawnSync } from 'node:child_process';

/** Node flags from an environment variable (`BENCH_CDR_NODE_ARGS`), as a container's NODE_OPTIONS would set them. */
export const nodeArgs = (variable: string): string[] => (process.env[variable] ?? '').split(' ').filter(Boolean);

/** Runs `npm run build`, unless the variable `skip` names is 'false' (then dist/ is reused). */
export function build(skip: string): void {
  if (process.env[skip] === 'false') return;
  const built = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  if (built.status !== 0) throw new Error('npm run build failed');
}

export const platformProcess = (role: string, env: Record<string, string>, args: readonly string[] = []) =>
  spawn('node', [...args, 'dist/main.js', '--role', role], { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
