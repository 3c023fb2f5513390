// A TCP proxy in front of a real server (Postgres, Redis) that can go silent: after `silence()`
// it keeps every connection open and accepts new ones, but passes no byte either way, as a
// network partition or a stopped host does. The server behind it is untouched (it is shared).
import { connect, createServer, type Socket } from 'node:net';

export interface SilentProxy {
  readonly port: number;
  /** From now on nothing passes, in either direction, on old or new connections. */
  silence(): void;
  /** Passes bytes again, on new connections: those open while it was silent are cut (bytes were lost on them). */
  resume(): void;
  close(): Promise<void>;
}

export async function silentProxy(target: string): Promise<SilentProxy> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  let silent = false;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  };
  const server = createServer((client) => {
    track(client);
    if (silent) return;
    const upstream = connect(Number(port), hostname);
    track(upstream);
    client.on('data', (bytes) => void (silent || upstream.write(bytes)));
    upstream.on('data', (bytes) => void (silent || client.write(bytes)));
    // An end is a byte of a kind: it passes only while the proxy speaks.
    client.on('close', () => void (silent || upstream.destroy()));
    upstream.on('close', () => void (silent || client.destroy()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    silence: () => void (silent = true),
    resume() {
      for (const socket of sockets) socket.destroy();
      silent = false;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The URL with its port replaced by the proxy's (and its host by loopback). */
export function throughProxy(url: string, proxy: SilentProxy): string {
  const proxied = new URL(url);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(proxy.port);
  return proxied.toString();
}
