/**
 * A bare HTTP listener for one Prometheus registry: `GET /metrics` and nothing
 * else. It has no authentication, so it binds where only the scraper reaches
 * (METRICS_HOST: loopback by default, the compose file's internal network).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface MetricsListener {
  /** http://host:port/metrics as bound (the real port when 0 was asked) */
  url: string;
  close(): Promise<void>;
}

export interface MetricsLog {
  warn(obj: object, msg: string): void;
}

export async function serveMetrics(registry: Registry, host: string, port: number, log?: MetricsLog): Promise<MetricsListener> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('only GET /metrics here\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'Content-Type': registry.contentType }).end(req.method === 'HEAD' ? undefined : text),
      (err: unknown) => {
        log?.warn({ err }, 'collecting metrics failed');
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('collecting metrics failed\n');
      },
    );
  });
  // a scrape is one short request: nothing waits on idle sockets at shutdown
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject).listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    url: metricsUrl(address.address, address.port),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** http://host:port/metrics, an IPv6 address in brackets. */
export function metricsUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}/metrics`;
}

/**
 * Serves the registry, or logs why it could not and goes on: a taken port
 * (a second worker on the same host) costs the metrics, not the worker.
 */
export async function serveMetricsOrWarn(
  registry: Registry,
  host: string,
  port: number | undefined,
  log: MetricsLog,
): Promise<MetricsListener | undefined> {
  if (port === undefined) return undefined;
  try {
    return await serveMetrics(registry, host, port, log);
  } catch (err) {
    log.warn({ err: { message: (err as Error).message }, host, port }, 'metrics not served: the port cannot be bound');
    return undefined;
  }
}

/** Whether `port` can be bound on `host` now (for listeners this process does not open itself). */
export function portIsFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}

/** A port free on `host` right now (for a listener that cannot report the port it got). */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
