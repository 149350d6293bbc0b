// Reads the service's own /metrics endpoint, so tests can wait for "N more job runs" or "N more deliveries"
// instead of sleeping a fixed time and hoping the machine was fast enough.
import { eventually } from './eventually.js';

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
