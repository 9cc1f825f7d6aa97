/**
 * Regressions from a fresh-eyes review of the token and deployment claims: an
 * RSA-PSS-only key is refused at start-up (jose cannot verify with it), every
 * secret published in this repository is refused in production, and the
 * Docker deployment as the README documents it starts and keeps the UI
 * reachable through a loopback port. Then the production topology's
 * structure, checked without a container engine.
 */
import { constants, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { createAuthenticator } from '../../api/auth';
import { loadApiConfig } from '../../api/config';
import { loadWorkerConfig } from '../../worker/config';

const ISSUER = 'rectification-engine';
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('public key types (claim 5)', () => {
  test('an RSA-PSS-only public key is refused at start-up, since jose cannot verify with it; the same key as plain RSA verifies PS256', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa-pss', { modulusLength: 2048 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(() => loadApiConfig({ AUTH_JWT_PUBLIC_KEY: pem })).toThrow(/AUTH_JWT_PUBLIC_KEY.*RSA-PSS/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const config = loadApiConfig({ AUTH_JWT_PUBLIC_KEY: rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString() });
    const now = Math.floor(Date.now() / 1000);
    const input = `${b64({ alg: 'PS256', typ: 'JWT' })}.${b64({ sub: 's1', name: 'Zhao', role: 'supervisor', iss: ISSUER, aud: ISSUER, iat: now, exp: now + 600 })}`;
    const signature = sign('sha256', Buffer.from(input), { key: rsa.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
    await expect(createAuthenticator(config)(`Bearer ${input}.${signature.toString('base64url')}`)).resolves.toMatchObject({ id: 's1' });
    expect(privateKey).toBeDefined();
  });
});

describe('production secrets (claim 6)', () => {
  // every one of these is published in this repository (bench/api-load.ts, test/unit/api-auth.test.ts,
  // test/unit/api-http.test.ts, test/integration/fuzz-routes.test.ts); config.ts lists only three published secrets
  test.each([
    'bench-only-secret-rectification-engine-0123456789',
    'unit-test-secret-0123456789-0123456789',
    'http-unit-test-secret-0123456789abcdef',
    'another-secret-another-secret-0123456789',
  ])('production refuses the secret published in this repository %j', (secret) => {
    expect(() => loadApiConfig({ NODE_ENV: 'production', AUTH_JWT_SECRET: secret })).toThrow(/AUTH_JWT_SECRET/);
  });
});

describe('Docker deployment as the README documents it (claim 6)', () => {
  const compose = parse(readFileSync(join(__dirname, '../../docker-compose.yml'), 'utf8'));

  test('the README draws POSTGRES_PASSWORD as hex, which always makes a valid DATABASE_URL', () => {
    const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
    expect(readme).toContain('POSTGRES_PASSWORD=$(openssl rand -hex 24)');
    expect(readme).not.toMatch(/POSTGRES_PASSWORD=\$\(openssl rand -base64/);
    const password = randomBytes(24).toString('hex');
    const url = (compose['x-app-env'].DATABASE_URL as string).replace('${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}', password);
    expect(() => loadApiConfig({ DATABASE_URL: url })).not.toThrow();
  });

  test('the Temporal UI is on the internal network only, so the loopback port the README says to uncomment can never be published', () => {
    // Docker publishes no port of a container whose only networks are `internal: true` (moby/moby#36174, #44986)
    const internalOnly = (service: { networks?: string[] }) =>
      (service.networks ?? []).every((n) => compose.networks?.[n]?.internal === true);
    expect(internalOnly(compose.services['temporal-ui'])).toBe(false);
  });

  test('the worker can reach the notification channels outside (an internal-only network has no route out), and publishes nothing', () => {
    const worker = compose.services.worker;
    expect(Object.keys(worker.networks).some((n) => compose.networks?.[n]?.internal !== true)).toBe(true);
    expect(worker.ports).toBeUndefined();
    expect(worker.environment.DELIVERY_BASE_URL).toBeDefined();
  });
});

/**
 * The production topology (docker-compose.yml) without a container engine:
 * the file is parsed with `yaml` and its structure checked, every build input
 * and mounted file it names exists, and the environment it gives each process
 * passes that process's own configuration schema.
 */
describe('production topology (docker-compose.yml)', () => {
  const ROOT = join(__dirname, '../../');
  const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as Compose;
  const SECRETS = { POSTGRES_PASSWORD: randomBytes(24).toString('hex'), AUTH_JWT_SECRET: randomBytes(48).toString('base64') };

  interface Service {
    image?: string;
    build?: string | { context: string; dockerfile?: string };
    command?: string[];
    entrypoint?: string[];
    environment?: Record<string, string>;
    depends_on?: string[] | Record<string, { condition: string }>;
    networks?: string[] | Record<string, { aliases?: string[] } | null>;
    ports?: string[];
    volumes?: string[];
    healthcheck?: { test: string[] };
    deploy?: { replicas?: number | string };
    profiles?: string[];
  }
  interface Compose {
    services: Record<string, Service>;
    networks: Record<string, { internal?: boolean } | null>;
    volumes: Record<string, unknown>;
  }

  /** Compose's variable syntax: ${VAR}, ${VAR:-default}, ${VAR:?message} (refused when unset or empty). */
  function interpolate(value: string, env: Record<string, string | undefined>): string {
    return value.replace(/\$\{([A-Z0-9_]+)(?::([-?])([^}]*))?\}/g, (_m, name: string, op: string | undefined, arg: string) => {
      const set = env[name];
      if (set !== undefined && set !== '') return set;
      if (op === '?') throw new Error(`${name}: ${arg}`);
      return op === '-' ? arg : '';
    });
  }
  const services = compose.services;
  const names = Object.keys(services);
  const networksOf = (s: Service) => (Array.isArray(s.networks) ? s.networks : Object.keys(s.networks ?? {}));
  const dependsOn = (s: Service) => (Array.isArray(s.depends_on) ? Object.fromEntries(s.depends_on.map((d) => [d, { condition: 'service_started' }])) : (s.depends_on ?? {}));
  const envOf = (name: string, env: Record<string, string | undefined> = SECRETS) =>
    Object.fromEntries(Object.entries(services[name]!.environment ?? {}).map(([k, v]) => [k, interpolate(String(v), env)]));

  test('the parts of the topology are there: PostgreSQL, a Temporal server on it, the UI, migrations, worker, API, and Prometheus and Grafana as an optional profile', () => {
    expect(names.sort()).toEqual(['api', 'grafana', 'migrate', 'postgres', 'prometheus', 'temporal', 'temporal-search-attributes', 'temporal-ui', 'worker']);
    expect(envOf('temporal')).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgres', POSTGRES_PWD: SECRETS.POSTGRES_PASSWORD });
    expect(services.prometheus!.profiles).toEqual(['monitoring']);
    expect(services.grafana!.profiles).toEqual(['monitoring']);
    // nothing the product needs waits on an optional service
    for (const name of names.filter((n) => !services[n]!.profiles)) {
      for (const dep of Object.keys(dependsOn(services[name]!))) expect({ name, dep, profiles: services[dep]!.profiles }).toEqual({ name, dep, profiles: undefined });
    }
  });

  test('a TEMPORAL_NAMESPACE other than default is created in the cluster (auto-setup, and the search-attributes job if missing) before the worker and the API use it', () => {
    for (const namespace of [undefined, 'rectification-prod']) {
      const env = { ...SECRETS, TEMPORAL_NAMESPACE: namespace };
      const used = envOf('worker', env).TEMPORAL_NAMESPACE;
      expect(used).toBe(namespace ?? 'default');
      expect(envOf('api', env).TEMPORAL_NAMESPACE).toBe(used);
      // the auto-setup image creates DEFAULT_NAMESPACE once the server is up
      expect(services.temporal!.image).toMatch(/^temporalio\/auto-setup:/);
      expect(envOf('temporal', env)).toMatchObject({ DEFAULT_NAMESPACE: used });
      expect(envOf('temporal', env).SKIP_DEFAULT_NAMESPACE_CREATION).toBeUndefined();
      expect(envOf('temporal-search-attributes', env).TEMPORAL_NAMESPACE).toBe(used);
    }
    // the job creates the namespace when it is missing, then registers the attributes in it
    const script = readFileSync(join(ROOT, 'deploy/temporal/register-search-attributes.sh'), 'utf8');
    const create = script.indexOf('temporal operator namespace create --namespace "$ns"');
    expect(create).toBeGreaterThan(0);
    expect(create).toBeLessThan(script.indexOf('temporal operator search-attribute create --namespace "$ns"'));
    // and the product's services wait for the job
    for (const name of ['worker', 'api']) expect(dependsOn(services[name]!)['temporal-search-attributes']).toEqual({ condition: 'service_completed_successfully' });
  });

  test('every image is pinned to a version (major.minor at least), never latest', () => {
    const images = names.flatMap((n) => (services[n]!.image ? [[n, services[n]!.image!] as const] : []));
    expect(images.length).toBeGreaterThanOrEqual(6);
    for (const [name, image] of images) {
      const tag = image.split(':')[1];
      expect({ name, tag }).toEqual({ name, tag: expect.stringMatching(/^v?\d+\.\d+/) });
    }
    // the product's own services are built from this repository
    for (const name of ['migrate', 'worker', 'api']) expect(services[name]!.build).toBe('.');
  });

  test('the worker runs as several replicas (WORKER_REPLICAS, 3 by default) and publishes no port', () => {
    const replicas = (env: Record<string, string>) => Number(interpolate(String(services.worker!.deploy?.replicas), env));
    expect(replicas({})).toBe(3);
    expect(replicas({ WORKER_REPLICAS: '8' })).toBe(8);
    expect(services.worker!.ports).toBeUndefined();
    expect(JSON.stringify(services.worker)).not.toMatch(/container_name/);
  });

  test('lockdown: only the API publishes a port; PostgreSQL, Temporal and Prometheus are on the internal network alone, the workers also on a way out to the channels', () => {
    expect(compose.networks.internal).toEqual({ internal: true });
    const published = names.filter((n) => services[n]!.ports?.length);
    expect(published).toEqual(['api']);
    expect(services.api!.ports).toEqual(['3000:3000']);
    for (const name of ['postgres', 'temporal', 'temporal-search-attributes', 'migrate', 'prometheus']) {
      expect({ name, networks: networksOf(services[name]!) }).toEqual({ name, networks: ['internal'] });
    }
    // the worker sends to DingTalk, WeCom, Feishu, webhooks and SMTP: a network of its own with a way out, nothing published
    expect(networksOf(services.worker!)).toEqual(['internal', 'egress']);
    expect(compose.networks.egress).toEqual({});
    expect(names.filter((n) => networksOf(services[n]!).includes('egress'))).toEqual(['worker']);
    // the API's metrics port binds to its internal-network alias, not to every interface
    expect(services.api!.networks).toMatchObject({ internal: { aliases: ['api-metrics'] } });
    expect(envOf('api').METRICS_HOST).toBe('api-metrics');
  });

  test('secrets are required: without POSTGRES_PASSWORD or AUTH_JWT_SECRET the file does not resolve', () => {
    expect(() => envOf('api', { AUTH_JWT_SECRET: SECRETS.AUTH_JWT_SECRET })).toThrow(/POSTGRES_PASSWORD/);
    expect(() => envOf('api', { POSTGRES_PASSWORD: SECRETS.POSTGRES_PASSWORD })).toThrow(/AUTH_JWT_SECRET/);
    expect(() => envOf('postgres', {})).toThrow(/POSTGRES_PASSWORD/);
    expect(() => envOf('worker', {})).toThrow(/POSTGRES_PASSWORD/);
    // Grafana refuses to start without its own admin password (its entrypoint checks it)
    expect(services.grafana!.entrypoint!.join(' ')).toMatch(/test -n "\$\$GF_SECURITY_ADMIN_PASSWORD" \|\| .*exit 1.*exec \/run\.sh/);
  });

  test('the environment each process gets passes its own configuration schema, as in the image (NODE_ENV=production)', () => {
    const worker = loadWorkerConfig({ ...envOf('worker'), NODE_ENV: 'production' });
    expect(worker).toMatchObject({ TEMPORAL_ADDRESS: 'temporal:7233', METRICS_HOST: 'worker-metrics', WORKER_METRICS_PORT: 9464, TEMPORAL_SDK_METRICS_PORT: 9465 });
    const api = loadApiConfig({ ...envOf('api'), NODE_ENV: 'production' });
    expect(api).toMatchObject({ API_HOST: '0.0.0.0', API_PORT: 3000, API_METRICS_PORT: 9466, NODE_ENV: 'production' });
    expect(readFileSync(join(ROOT, 'Dockerfile'), 'utf8')).toMatch(/^ENV NODE_ENV=production$/m);
  });

  /**
   * What each image can run, from its own build: postgres (Debian: pg_isready, sh); temporalio/auto-setup
   * (its auto-setup.sh drives the `temporal` CLI; bash, grep); temporalio/ui, grafana/grafana (Alpine:
   * BusyBox wget); prom/prometheus (BusyBox wget); this repository's image (node, with tsx). No curl is
   * assumed anywhere, and no node outside our own image.
   */
  const IMAGE_TOOLS: Array<[RegExp, string[]]> = [
    [/^postgres:/, ['pg_isready']],
    [/^temporalio\/auto-setup:/, ['temporal']],
    [/^temporalio\/ui:/, ['wget']],
    [/^prom\/prometheus:/, ['wget']],
    [/^grafana\/grafana:/, ['wget']],
  ];
  const toolsOf = (s: Service) => (s.build ? ['node'] : (IMAGE_TOOLS.find(([image]) => image.test(s.image ?? ''))?.[1] ?? []));
  const oneShot = (s: Service) => (s as { restart?: string }).restart === 'no';

  test('every long-running service (the Temporal UI too) has a healthcheck its image can run', () => {
    const longRunning = names.filter((n) => !oneShot(services[n]!));
    expect(longRunning.sort()).toEqual(['api', 'grafana', 'postgres', 'prometheus', 'temporal', 'temporal-ui', 'worker']);
    for (const name of longRunning) {
      const test = services[name]!.healthcheck?.test ?? [];
      const program = test[0] === 'CMD-SHELL' ? test[1]?.split(/\s+/)[0] : test[1];
      expect({ name, program, runs: toolsOf(services[name]!).includes(program ?? '') }).toEqual({ name, program, runs: true });
    }
  });

  test('start-up conditions are consistent: a service waits for a dependency with a healthcheck to be healthy, for a one-shot to succeed, never merely started', () => {
    for (const name of names) {
      for (const [dep, { condition }] of Object.entries(dependsOn(services[name]!))) {
        const wanted = oneShot(services[dep]!) ? 'service_completed_successfully' : services[dep]!.healthcheck ? 'service_healthy' : 'a healthcheck';
        expect({ name, dep, condition }).toEqual({ name, dep, condition: wanted });
      }
    }
    // monitoring starts whatever the state of what it watches
    expect(services.prometheus!.depends_on).toBeUndefined();
  });

  test('healthchecks on every long-running service, and start-up waits on them where it must', () => {
    for (const name of ['postgres', 'temporal', 'temporal-ui', 'worker', 'api', 'prometheus', 'grafana']) {
      const test = services[name]!.healthcheck?.test;
      expect({ name, command: Array.isArray(test) && test.length > 1 && ['CMD', 'CMD-SHELL'].includes(test[0]!) }).toEqual({ name, command: true });
    }
    expect(dependsOn(services.temporal!)).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(dependsOn(services.migrate!)).toEqual({ postgres: { condition: 'service_healthy' } });
    for (const name of ['worker', 'api']) {
      expect(dependsOn(services[name]!)).toEqual({
        migrate: { condition: 'service_completed_successfully' },
        'temporal-search-attributes': { condition: 'service_completed_successfully' },
      });
    }
    for (const name of names) for (const dep of Object.keys(dependsOn(services[name]!))) expect(names).toContain(dep);
    // the worker's healthcheck asks its metrics port on the address METRICS_HOST binds it to (not 127.0.0.1)
    expect(services.worker!.healthcheck!.test).toEqual(['CMD', 'node', '--import', 'tsx', 'scripts/probe-metrics.ts', envOf('worker').WORKER_METRICS_PORT]);
    expect(existsSync(join(ROOT, 'scripts/probe-metrics.ts'))).toBe(true);
  });

  test('every build input and mounted file exists: the Dockerfile, what it copies, the scripts the commands run, the bind mounts', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    const copied = [...dockerfile.matchAll(/^COPY\s+(?!--from)(.+)$/gm)].flatMap((m) => m[1]!.trim().split(/\s+/).slice(0, -1));
    expect(copied).toEqual(expect.arrayContaining(['package.json', 'package-lock.json']));
    for (const source of copied) expect({ source, exists: existsSync(join(ROOT, source)) }).toEqual({ source, exists: true });
    for (const name of names) {
      const s = services[name]!;
      const script = s.command?.find((arg) => /\.(ts|js|sh)$/.test(arg));
      if (s.build && script) expect({ name, script, exists: existsSync(join(ROOT, script)) }).toEqual({ name, script, exists: true });
      for (const volume of s.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('./')) expect({ name, source, exists: existsSync(join(ROOT, source)) }).toEqual({ name, source, exists: true });
        else expect(Object.keys(compose.volumes)).toContain(source);
      }
    }
    // the image carries the built console, bundled in a stage of its own from the console's own lock file
    expect(dockerfile).toMatch(/^FROM \S+ AS console$/m);
    expect(dockerfile).toMatch(/^COPY --from=console \/app\/console\/dist \.\/console\/dist$/m);
    // nothing the processes import is kept out of the image
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
    for (const dir of ['activities', 'api', 'config', 'db', 'domain', 'metrics', 'scripts', 'worker', 'workflows']) {
      expect(existsSync(join(ROOT, dir))).toBe(true);
      expect(ignored).not.toContain(dir);
    }
    // the host's console modules and build never reach the image (the console stage builds its own)
    expect(ignored).toEqual(expect.arrayContaining(['console/node_modules', 'console/dist']));
  });

  test('Prometheus scrapes every process on the ports the compose file gives them, every worker replica through DNS', () => {
    const prometheus = parse(readFileSync(join(ROOT, 'deploy/prometheus/prometheus.yml'), 'utf8')) as {
      scrape_configs: Array<{ job_name: string; static_configs?: Array<{ targets: string[] }>; dns_sd_configs?: Array<{ names: string[]; type: string; port: number }> }>;
    };
    const jobs = Object.fromEntries(prometheus.scrape_configs.map((j) => [j.job_name, j]));
    expect(jobs['rectification-api']!.static_configs![0]!.targets).toEqual([`api-metrics:${envOf('api').API_METRICS_PORT}`]);
    expect(jobs['rectification-worker']!.dns_sd_configs).toEqual([expect.objectContaining({ names: ['worker'], type: 'A', port: Number(envOf('worker').WORKER_METRICS_PORT) })]);
    expect(jobs['temporal-sdk']!.dns_sd_configs).toEqual([expect.objectContaining({ names: ['worker'], type: 'A', port: Number(envOf('worker').TEMPORAL_SDK_METRICS_PORT) })]);
    expect(jobs['temporal-server']!.static_configs![0]!.targets).toEqual([envOf('temporal').PROMETHEUS_ENDPOINT!.replace('0.0.0.0', 'temporal')]);
  });

  test('metrics ports: each process binds its metrics to an alias of its own on the internal network (never 0.0.0.0 while it is on a second network), and Prometheus shares that network with every target it scrapes', () => {
    const aliasesOn = (name: string, network: string): string[] => {
      const n = services[name]!.networks;
      return Array.isArray(n) || !n ? [] : (n[network]?.aliases ?? []);
    };
    for (const name of ['api', 'worker']) {
      const host = envOf(name).METRICS_HOST!;
      expect({ name, host, onInternal: aliasesOn(name, 'internal').includes(host) }).toEqual({ name, host, onInternal: true });
      // an alias on another network would let a container there (or the host, through its bridge) reach the port
      for (const other of networksOf(services[name]!).filter((n) => n !== 'internal')) expect(aliasesOn(name, other)).not.toContain(host);
    }
    // Prometheus reaches a target when the name resolves on a network it is on: a service's name or its alias there
    const prometheus = parse(readFileSync(join(ROOT, 'deploy/prometheus/prometheus.yml'), 'utf8')) as {
      scrape_configs: Array<{ job_name: string; static_configs?: Array<{ targets: string[] }>; dns_sd_configs?: Array<{ names: string[] }> }>;
    };
    const scraperNetworks = networksOf(services.prometheus!);
    const targetNames = prometheus.scrape_configs.flatMap((j) => [
      ...(j.static_configs ?? []).flatMap((c) => c.targets.map((t) => t.split(':')[0]!)),
      ...(j.dns_sd_configs ?? []).flatMap((c) => c.names),
    ]);
    expect(targetNames.length).toBeGreaterThanOrEqual(4);
    for (const target of targetNames) {
      const reachable = names.some((name) =>
        networksOf(services[name]!).some((net) => scraperNetworks.includes(net) && (name === target || aliasesOn(name, net).includes(target))));
      expect({ target, reachable }).toEqual({ target, reachable: true });
    }
    // the worker replicas found by their service name are the ones bound on that network
    expect(scraperNetworks).toEqual(['internal']);
  });

  test('Grafana is provisioned with the dashboard and the data source it names', () => {
    const mounts = services.grafana!.volumes!;
    expect(mounts).toContain('./deploy/grafana/rectification.json:/var/lib/grafana/dashboards/rectification.json:ro');
    const provider = parse(readFileSync(join(ROOT, 'deploy/grafana/provisioning/dashboards/rectification.yml'), 'utf8'));
    expect(provider.providers[0].options.path).toBe('/var/lib/grafana/dashboards');
    const datasource = parse(readFileSync(join(ROOT, 'deploy/grafana/provisioning/datasources/prometheus.yml'), 'utf8'));
    const dashboard = JSON.parse(readFileSync(join(ROOT, 'deploy/grafana/rectification.json'), 'utf8'));
    const uids = new Set(JSON.stringify(dashboard).match(/"uid":\s*"[^"]+"/g)!.map((m) => m.split('"')[3]));
    expect(uids).toEqual(new Set(['prometheus', 'rectification-engine']));
    expect(datasource.datasources[0]).toMatchObject({ uid: 'prometheus', type: 'prometheus', url: 'http://prometheus:9090' });
  });
});
