/**
 * METRICS_HOST as the one address the metrics listeners bind to. An IP
 * literal is taken as it is. A host name (`localhost`, a compose network
 * alias such as `worker-metrics`) is resolved, and the address of this
 * machine it names is kept: SDK Core's exporter accepts only an IP, and an
 * alias that every worker replica shares resolves to all of them, of which
 * each replica can bind only its own.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

export type Lookup = (host: string) => Promise<Array<{ address: string; family: number }>>;

const lookupAll: Lookup = (host) => dnsLookup(host, { all: true });

/** Every address of this machine's interfaces, loopback included. */
function localAddresses(): Set<string> {
  const out = new Set<string>();
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) out.add(a.address);
  return out;
}

export async function metricsBindAddress(host: string, lookup: Lookup = lookupAll, local: Set<string> = localAddresses()): Promise<string> {
  if (isIP(host)) return host;
  const addresses = await lookup(host);
  const own = addresses.filter((a) => local.has(a.address));
  // IPv4 first: what a probe of 127.0.0.1 or a scraper on an IPv4 network reaches
  const chosen = own.find((a) => a.family === 4) ?? own[0];
  if (!chosen) {
    throw new Error(
      `METRICS_HOST ${host} resolves to ${addresses.map((a) => a.address).join(', ') || 'nothing'}, none of which is an address of this machine`,
    );
  }
  return chosen.address;
}
