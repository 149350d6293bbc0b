import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** The process-wide Prometheus registry; capabilities add their own series to it. */
export const metrics = new Registry();
collectDefaultMetrics({ register: metrics });

export const jobRuns = new Counter({
  name: 'jobs_runs_total',
  help: 'Background job runs by job name and outcome',
  labelNames: ['job', 'outcome'] as const,
  registers: [metrics],
});

export const jobDuration = new Histogram({
  name: 'jobs_duration_seconds',
  help: 'Background job run time',
  labelNames: ['job'] as const,
  buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
  registers: [metrics],
});

export const sourceApiCalls = new Counter({
  name: 'source_api_calls_total',
  help: 'Calls to source APIs by source and HTTP status',
  labelNames: ['source', 'status'] as const,
  registers: [metrics],
});
