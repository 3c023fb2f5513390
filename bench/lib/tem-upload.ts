// The TEM benchmarks' client side: a file streamed to POST /v1/invoices/uploads, the web
// process waited for, and an upload's parse waited for.
import { createReadStream, statSync } from 'node:fs';
import { request } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { HOST } from './platform.js';

export function upload(port: number, file: string, key: string, contentType: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: HOST, port, path: '/v1/invoices/uploads', method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': contentType, 'content-length': statSync(file).size } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    pipeline(createReadStream(file), req).catch(reject);
  });
}

/** Waits for the web process (failing fast if it exited); on a busy 2-core machine a cold start can take longer than startProcess waits. */
export async function ready(url: string, child?: { exitCode: number | null }, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await fetch(url).then((r) => r.ok, () => false)) return;
    if (Date.now() > deadline || (child && child.exitCode !== null)) throw new Error(`${url} did not answer`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function parsed(port: number, id: string, key: string): Promise<{ status: string; rowsStored: number; rowsRefused: number; errors: unknown[] }> {
  for (;;) {
    const res = await fetch(`http://${HOST}:${port}/v1/invoices/uploads/${id}`, { headers: { authorization: `Bearer ${key}` } });
    const body = (await res.json()) as { status: string; rowsStored: number; rowsRefused: number; errors: unknown[] };
    if (['parsed', 'rejected', 'failed'].includes(body.status)) return body;
    await new Promise((r) => setTimeout(r, 200));
  }
}
