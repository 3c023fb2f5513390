import type { IncomingMessage } from 'node:http';
import type { Runtime } from '../../workers/runtime.js';

export function baseUrl(runtime: Runtime): string {
  if (runtime.port === undefined) throw new Error('runtime has no web role');
  return `http://127.0.0.1:${runtime.port}`;
}

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** The whole body of a request to a test server, as text. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
