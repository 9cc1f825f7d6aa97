/**
 * A container healthcheck: exits 0 when this process's metrics listener
 * answers on the address METRICS_HOST binds it to (metrics/bind-address.ts),
 * 1 otherwise. The worker binds its metrics to its internal-network alias,
 * not 0.0.0.0, so 127.0.0.1 would never answer.
 *
 *   node --import tsx scripts/probe-metrics.ts 9464
 */
import { metricsBindAddress } from '../metrics/bind-address';
import { metricsUrl } from '../metrics/serve';

async function main(): Promise<number> {
  const port = Number(process.argv[2]);
  if (!Number.isInteger(port) || port <= 0) {
    process.stderr.write('usage: probe-metrics.ts <port>\n');
    return 2;
  }
  const host = await metricsBindAddress(process.env.METRICS_HOST ?? '127.0.0.1');
  // the listener's address as bound; 0.0.0.0 and :: answer on the loopback
  const reach = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  const res = await fetch(metricsUrl(reach, port), { signal: AbortSignal.timeout(4_000) });
  return res.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`probe-metrics: ${(err as Error).message}\n`);
    process.exit(1);
  },
);
