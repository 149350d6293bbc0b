import type { TopLevelSpec } from 'vega-lite';
import { idleWorkerThread } from '../lib/worker-thread.js';

export const CHART_WIDTH = 640;
export const CHART_HEIGHT = 280;

const base = (title: string) =>
  ({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    autosize: { type: 'fit', contains: 'padding' },
    background: 'white',
    config: { font: 'DejaVu Sans', view: { stroke: null } },
  }) as const;

export interface WeekPoint {
  week: string;
  deployments: number;
  leadTimeHours: number | null;
}

/** Deployments per week (bars) and median lead time (line), for `/em dora`. */
export function doraTrendSpec(points: WeekPoint[]): TopLevelSpec {
  return {
    ...base('Deployments per week and median lead time'),
    data: { values: points },
    encoding: { x: { field: 'week', type: 'ordinal', title: 'week starting', axis: { labelAngle: -30 } } },
    layer: [
      {
        mark: { type: 'bar', color: '#4C78A8' },
        encoding: { y: { field: 'deployments', type: 'quantitative', title: 'deployments' } },
      },
      {
        mark: { type: 'line', color: '#E45756', point: true },
        encoding: { y: { field: 'leadTimeHours', type: 'quantitative', title: 'lead time (h)' } },
      },
    ],
    resolve: { scale: { y: 'independent' } },
  } as TopLevelSpec;
}

export interface BurndownPoint {
  day: string;
  series: 'remaining' | 'ideal';
  points: number;
}

/** Remaining points per day against the ideal line, for `/em sprint`. */
export function burndownSpec(name: string, points: BurndownPoint[]): TopLevelSpec {
  return {
    ...base(`${name}: burndown`),
    data: { values: points },
    mark: { type: 'line', point: true },
    encoding: {
      // The days in the order given: sorted as text, a sprint over New Year would put 01-02 before 12-29.
      x: { field: 'day', type: 'ordinal', title: null, sort: null, axis: { labelAngle: -30 } },
      y: { field: 'points', type: 'quantitative', title: 'points open' },
      color: {
        field: 'series',
        type: 'nominal',
        scale: { domain: ['remaining', 'ideal'], range: ['#E45756', '#9D9D9D'] },
        title: null,
        legend: { orient: 'top-right' },
      },
      strokeDash: {
        field: 'series',
        type: 'nominal',
        scale: {
          domain: ['remaining', 'ideal'],
          range: [
            [1, 0],
            [6, 4],
          ],
        },
        title: null,
        legend: { orient: 'top-right' },
      },
    },
  } as TopLevelSpec;
}

/** Vega-Lite → PNG (chart-worker.mjs): half a second of synchronous work per chart, off the event loop. */
const renderer = idleWorkerThread(new URL('./chart-worker.mjs', import.meta.url), 60_000);

export async function renderPng(spec: TopLevelSpec): Promise<Buffer> {
  const png = await renderer.run<Uint8Array>({ spec, width: CHART_WIDTH });
  return Buffer.from(png.buffer, png.byteOffset, png.byteLength);
}

/** Ends the chart thread (the app's shutdown); the next chart starts a new one. */
export const stopChartRenderer = (): Promise<void> => renderer.stop();

export interface BandPoint {
  week: string;
  key: 'Deployment frequency' | 'Lead time' | 'Change failure rate' | 'Recovery';
  band: 'elite' | 'high' | 'medium' | 'low' | 'no data';
}

/** Each key's band, week by week (rolling four weeks): how the team moved between bands. */
export function bandHistorySpec(points: BandPoint[]): TopLevelSpec {
  return {
    ...base('DORA bands, rolling four weeks'),
    data: { values: points },
    mark: { type: 'rect', stroke: 'white', strokeWidth: 2 },
    encoding: {
      x: { field: 'week', type: 'ordinal', title: 'week ending', axis: { labelAngle: -30 } },
      y: {
        field: 'key',
        type: 'nominal',
        title: null,
        sort: ['Deployment frequency', 'Lead time', 'Change failure rate', 'Recovery'],
      },
      color: {
        field: 'band',
        type: 'ordinal',
        title: null,
        scale: {
          domain: ['elite', 'high', 'medium', 'low', 'no data'],
          range: ['#54A24B', '#4C78A8', '#ECA82C', '#E45756', '#DDDDDD'],
        },
        legend: { orient: 'bottom', direction: 'horizontal' },
      },
    },
  } as TopLevelSpec;
}
