// An open-loop load generator: requests leave on a fixed schedule whatever the answers do,
// and latency counts from the scheduled start, so a slow server cannot hide its queueing
// (no coordinated omission).
import { Agent, request } from 'node:http';

export interface LoadResult {
  readonly sent: number;
  readonly errors: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** p99 of how late this generator sent a request after it was due (ms): its own lag, counted in the latency above, not the server's. */
  readonly lateP99: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** A request other than a plain GET: its method and the body of the i-th request. */
export interface LoadRequest {
  readonly method: 'POST' | 'PUT' | 'PATCH';
  readonly body: (i: number) => string;
}

function once(agent: Agent, url: URL, headers: Record<string, string>, method = 'GET', body?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(url, { agent, method, headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      res.resume();
      res.on('end', () => resolve((res.statusCode ?? 500) < 400));
    });
    req.on('error', () => resolve(false));
    req.end(body);
  });
}

/** `firstIndex` numbers the bodies on from an earlier run (a warm-up) so that each request's body stays new. */
export async function constantRate(url: string, ratePerSecond: number, seconds: number, headers: Record<string, string> = {}, send?: LoadRequest, firstIndex = 0): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const target = new URL(url);
  const total = Math.round(ratePerSecond * seconds);
  const interval = 1000 / ratePerSecond;
  const latencies: number[] = [];
  const late: number[] = [];
  let errors = 0;
  const start = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const scheduled = start + i * interval;
    // A timer may fire a little early: wait again rather than send before the request is due.
    for (let wait = scheduled - performance.now(); wait > 0.5; wait = scheduled - performance.now()) await new Promise((r) => setTimeout(r, wait));
    // From when it was due, or when it left if that was earlier: never negative, never hiding a queue.
    const sentAt = performance.now();
    const from = Math.min(scheduled, sentAt);
    late.push(Math.max(0, sentAt - scheduled));
    inflight.push(
      once(agent, target, headers, send?.method, send?.body(firstIndex + i)).then((ok) => {
        latencies.push(performance.now() - from);
        if (!ok) errors += 1;
      }),
    );
  }
  await Promise.all(inflight);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  late.sort((a, b) => a - b);
  return { sent: total, errors, p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1) ?? Number.NaN, lateP99: percentile(late, 99) };
}
