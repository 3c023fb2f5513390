import type { Runtime } from '../../workers/runtime.js';

export function baseUrl(runtime: Runtime): string {
  if (runtime.port === undefined) throw new Error('runtime has no web role');
  return `http://127.0.0.1:${runtime.port}`;
}

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}
