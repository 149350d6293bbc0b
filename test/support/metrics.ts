// Reads the service's own /metrics endpoint, so tests can wait for "N more job runs" or "N more deliveries"
// instead of sleeping a fixed time and hoping the machine was fast enough.
import { metrics } from '../../src/observability/metrics.js';
import { eventually } from './eventually.js';

/**
 * The value of a series in this process's registry (for harnesses that run the bot in-process without the HTTP
 * server); summed over the series whose labels include `labels`; 0 when absent.
 */
export async function seriesValue(name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = metrics.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))
    .reduce((sum, v) => sum + v.value, 0);
}

/** Resolves once the series has grown by `n` from `from`. */
export async function waitForSeries(name: string, labels: Record<string, string>, from: number, n = 1): Promise<void> {
  await eventually(async () => (await seriesValue(name, labels)) >= from + n, 15_000, `${n} more ${name}`);
}

/** The value of one series (a counter or gauge) on the /metrics page served at `port`; 0 when absent. */
export async function metricValue(port: number, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => present[k] === v)) total += Number(match[3]);
  }
  return total;
}

/** Resolves once `job` has finished `n` more runs (successful or not) than when it was called. */
export async function waitForJobRuns(port: number, job: string, n: number, timeoutMs = 30_000): Promise<void> {
  const start = await metricValue(port, 'jobs_runs_total', { job });
  await eventually(
    async () => (await metricValue(port, 'jobs_runs_total', { job })) >= start + n,
    timeoutMs,
    `${n} more runs of ${job}`,
  );
}
