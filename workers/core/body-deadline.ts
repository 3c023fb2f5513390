// A request body must keep arriving, not arrive within a total time. Node's requestTimeout
// counts from the first byte to the last, so it cut a 1,000,000-row CSV that was arriving at a
// steady pace but took longer than 120 s on a loaded machine. Instead, as Apache's
// mod_reqtimeout does with MinRate: a body has `graceMs`, plus one second per
// `minBytesPerSecond` bytes received so far, and no gap of more than `idleMs` without a byte.
// Time in which the server itself holds the body back (backpressure: the request paused, or its
// buffer full) counts against neither, nor does time the server was too busy to read: a check
// that runs late (a long synchronous task, a GC pause) charges the client one tick, not the
// whole delay, and judges after the loop has read what arrived meanwhile (a timer runs before
// the loop reads its sockets). A client that trickles (slow loris) gets 408 and its socket
// closed, as Node's own timeout would do: each check still charges it up to a tick, so a busy
// server cuts it later, never not at all.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

export interface BodyDeadline {
  readonly graceMs: number;
  readonly minBytesPerSecond: number;
  readonly idleMs: number;
  /** How often bodies are checked. */
  readonly tickMs: number;
}

interface Watched {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** The socket's bytesRead when the request began: what came after is this body. */
  readonly startBytes: number;
  checkedAt: number;
  /** Time spent waiting on the client (the server ready to read). */
  waitedMs: number;
  idleMs: number;
  bytes: number;
}

const TIMEOUT_ANSWER = 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';

/**
 * The server, not the client, is why no byte is read: the body is paused or its buffer is full.
 * A body read by `for await` (or a 'readable' listener) is not flowing either, yet its reader is
 * waiting for bytes: it is held only when its buffer is full. (Counted as held always, a raw TEM
 * upload of 1 KB claiming 100 MB kept its connection, and its upload's transaction, for ever.)
 */
export function heldByServer(req: IncomingMessage): boolean {
  if (req.readableLength >= req.readableHighWaterMark) return true;
  return req.readableFlowing === false && req.listenerCount('readable') === 0;
}

function cut({ req, res }: Watched): void {
  const socket = req.socket;
  // As Node does: an answer only if none has begun on this connection's response.
  if (!res.headersSent && socket.writable) socket.write(TIMEOUT_ANSWER);
  socket.destroy();
}

/** What a body has used of its allowance: 'ok', or why it is cut. */
export function verdict(limits: BodyDeadline, waitedMs: number, idleMs: number, bytes: number): 'ok' | 'too-slow' | 'idle' {
  if (idleMs > limits.idleMs) return 'idle';
  return waitedMs > limits.graceMs + (bytes * 1000) / limits.minBytesPerSecond ? 'too-slow' : 'ok';
}

/**
 * The part of the time since the last check that is the client's: at most one tick. A check
 * later than that ran late because the loop was busy with other work, while bytes that arrived
 * waited unread in the socket.
 */
export function chargeable(elapsedMs: number, tickMs: number): number {
  return Math.min(elapsedMs, tickMs);
}

/** Watches the body of every request `server` takes, from its headers to its last byte. */
export function watchBodies(server: Server, limits: BodyDeadline): void {
  const watched = new Set<Watched>();
  let timer: NodeJS.Timeout | undefined;

  const check = () => {
    const now = performance.now();
    for (const w of watched) {
      const elapsed = chargeable(now - w.checkedAt, limits.tickMs);
      w.checkedAt = now;
      if (w.req.complete || w.req.socket.destroyed) {
        watched.delete(w);
        continue;
      }
      if (heldByServer(w.req)) continue;
      const bytes = w.req.socket.bytesRead - w.startBytes;
      w.waitedMs += elapsed;
      w.idleMs = bytes > w.bytes ? 0 : w.idleMs + elapsed;
      w.bytes = bytes;
      if (verdict(limits, w.waitedMs, w.idleMs, bytes) !== 'ok') {
        watched.delete(w);
        cut(w);
      }
    }
    if (watched.size === 0) {
      clearInterval(timer);
      timer = undefined;
    }
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.complete) return;
    watched.add({ req, res, startBytes: req.socket.bytesRead, checkedAt: performance.now(), waitedMs: 0, idleMs: 0, bytes: 0 });
    if (!timer) {
      // setImmediate: after the sockets are read in this turn of the loop, not before.
      timer = setInterval(() => setImmediate(check), limits.tickMs);
      timer.unref();
    }
  });
  server.on('close', () => {
    clearInterval(timer);
    timer = undefined;
    watched.clear();
  });
}
