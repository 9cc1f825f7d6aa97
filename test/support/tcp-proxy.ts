/**
 * A TCP proxy on 127.0.0.1 in front of a server (PostgreSQL in the tests), so
 * that a test can take the server away from the product and give it back:
 * `cut()` drops every connection and refuses new ones, as a database outage
 * looks to its clients; `restore()` accepts again on the same port; `silence()`
 * keeps every connection but forwards nothing until `speak()`. The test's
 * own connections go straight to the server and see no outage.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TcpProxy {
  port: number;
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
  /** connections (open and new) stay up but nothing passes: a server that accepted and says nothing */
  silence(): void;
  speak(): void;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let silent = false;
  const server: Server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined); // a cut connection errors on both sides; the peer is destroyed below
    }
    // forwarded unless silenced: a silenced proxy keeps every connection open and answers nothing
    client.on('data', (chunk) => void (silent || upstream.write(chunk)));
    upstream.on('data', (chunk) => void (silent || client.write(chunk)));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const stop = () => new Promise<void>((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    for (const s of sockets) s.destroy();
  });
  return {
    port,
    cut: stop,
    restore: () => new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    }),
    close: stop,
    silence: () => void (silent = true),
    speak: () => void (silent = false),
  };
}
