/**
 * The Grafana dashboard (deploy/grafana/rectification.json) draws only what
 * exists: every metric name its queries use is in the API's or the worker's
 * registry, or is one of the Temporal SDK metrics that
 * test/integration/worker-process.test.ts finds on a real worker; every label
 * a query selects or groups a `rect_*` metric by is one that metric has.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Pool } from 'pg';
import type { Metric } from 'prom-client';
import { createApiMetrics } from '../../metrics/api-metrics';
import { SDK_METRICS_ON_DASHBOARD } from '../../metrics/temporal-sdk';
import { createWorkerMetrics } from '../../metrics/worker-metrics';

interface Panel {
  title?: string;
  targets?: Array<{ expr: string }>;
  panels?: Panel[];
}

const dashboard = JSON.parse(readFileSync(join(__dirname, '../../deploy/grafana/rectification.json'), 'utf8')) as { panels: Panel[]; uid: string };
const flatten = (panels: Panel[]): Panel[] => panels.flatMap((p) => [p, ...flatten(p.panels ?? [])]);
const queries = flatten(dashboard.panels).flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title ?? '', expr: t.expr })));

const scrapeConfig = parse(readFileSync(join(__dirname, '../../deploy/prometheus/prometheus.yml'), 'utf8')) as { scrape_configs: Array<{ job_name: string }> };
const SCRAPED_JOBS = new Set(scrapeConfig.scrape_configs.map((j) => j.job_name));
/** the jobs each family of series on the dashboard must come from (the Temporal server exports process and Go series of its own) */
const JOBS_OF: Array<[RegExp, string[]]> = [
  [/^(?:process|nodejs)_/, ['rectification-api', 'rectification-worker']],
  [/^temporal_/, ['temporal-sdk']],
];

/** The jobs a query's selectors name (`job="a"`, `job=~"a|b"`); undefined when it names none. */
function jobsNamed(expr: string): string[] | undefined {
  const named = [...expr.matchAll(/\bjob\s*(=~|=)\s*"([^"]*)"/g)].flatMap((m) => m[2]!.split('|'));
  return named.length ? named : undefined;
}

const registries = [createApiMetrics({ pool: {} as Pool }).registry, createWorkerMetrics().registry];
const SERIES_SUFFIXES = ['_bucket', '_sum', '_count'];
/** labels Prometheus or the histogram add to every series */
const IMPLICIT_LABELS = new Set(['le', 'instance', 'job']);

type Named = Metric & { name: string; labelNames?: readonly string[] };

function registered(series: string): Named | undefined {
  for (const name of [series, ...SERIES_SUFFIXES.filter((s) => series.endsWith(s)).map((s) => series.slice(0, -s.length))]) {
    for (const registry of registries) {
      const metric = registry.getSingleMetric(name) as Named | undefined;
      if (metric) return metric;
    }
  }
  return undefined;
}

function sdkMetric(series: string): boolean {
  const base = SERIES_SUFFIXES.reduce((n, s) => (n.endsWith(s) ? n.slice(0, -s.length) : n), series);
  return (SDK_METRICS_ON_DASHBOARD as readonly string[]).includes(base);
}

const METRIC_NAME = /\b(?:rect|temporal|process|nodejs)_[a-z0-9_]+/g;

describe('Grafana dashboard', () => {
  test('it has queries, each names at least one metric of ours, the SDK or the Node process', () => {
    expect(dashboard.uid).toBe('rectification-engine');
    expect(queries.length).toBeGreaterThan(15);
    const unnamed = queries.filter(({ expr }) => expr.match(METRIC_NAME) === null).map(({ panel }) => panel);
    expect(unnamed).toEqual([]);
  });

  test('every metric name it queries exists in a registry or in the SDK list checked against a real worker', () => {
    const names = [...new Set(queries.flatMap((q) => q.expr.match(METRIC_NAME) ?? []))];
    const missing = names.filter((n) => !registered(n) && !sdkMetric(n));
    expect(missing).toEqual([]);
    // the dashboard draws every part of the list
    for (const needed of ['rect_items', 'rect_clock_events_total', 'rect_clock_event_lateness_seconds_bucket', 'rect_escalations_total',
      'rect_save_attempts_total', 'rect_save_retries_total', 'rect_projection_lag_seconds_bucket', 'rect_notification_deliveries_total',
      'rect_http_request_duration_seconds_bucket', 'temporal_sticky_cache_size']) {
      expect(names).toContain(needed);
    }
  });

  test('every label a query selects or groups one of our metrics by is a label that metric has', () => {
    const problems: string[] = [];
    for (const { panel, expr } of queries) {
      const ours = (expr.match(METRIC_NAME) ?? []).map(registered).filter((m): m is Named => m !== undefined);
      if (ours.length === 0) continue;
      const labels = new Set([...IMPLICIT_LABELS, ...ours.flatMap((m) => m.labelNames ?? [])]);
      const selected = [...expr.matchAll(/\{([^}]*)\}/g)].flatMap((m) => [...m[1]!.matchAll(/([a-z_]+)\s*(?:=~|!=|!~|=)/g)].map((l) => l[1]!));
      const grouped = [...expr.matchAll(/\bby\s*\(([^)]*)\)/g)].flatMap((m) => m[1]!.split(',').map((l) => l.trim()).filter(Boolean));
      for (const label of [...selected, ...grouped]) if (!labels.has(label)) problems.push(`${panel}: ${label} in ${expr}`);
    }
    expect(problems).toEqual([]);
  });

  test('every job a query names is a job the Prometheus config scrapes, and queries over series several jobs export say whose they draw', () => {
    const problems: string[] = [];
    for (const { panel, expr } of queries) {
      const named = jobsNamed(expr);
      for (const job of named ?? []) if (!SCRAPED_JOBS.has(job)) problems.push(`${panel}: job ${job} is not in deploy/prometheus/prometheus.yml`);
      for (const metric of expr.match(METRIC_NAME) ?? []) {
        const wanted = JOBS_OF.find(([family]) => family.test(metric))?.[1];
        if (wanted && JSON.stringify([...(named ?? [])].sort()) !== JSON.stringify([...wanted].sort())) {
          problems.push(`${panel}: ${metric} should be drawn from job ${wanted.join('|')}, not ${named?.join('|') ?? 'every job'}`);
        }
      }
    }
    expect(problems).toEqual([]);
    // the check sees what it should
    expect(jobsNamed('up{job=~"rectification-api|temporal-sdk"}')).toEqual(['rectification-api', 'temporal-sdk']);
    expect(SCRAPED_JOBS.has('temporal-server')).toBe(true);
  });

  test('a name that is not registered is caught (the check is not vacuous)', () => {
    expect(registered('rect_items')).toBeDefined();
    expect(registered('rect_clock_event_lateness_seconds_bucket')).toBeDefined();
    expect(registered('rect_no_such_metric_total')).toBeUndefined();
    expect(sdkMetric('temporal_no_such_metric')).toBe(false);
  });
});
