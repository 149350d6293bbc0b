// The OKR burn-up as a Vega-Lite spec, rendered by the reports' chart renderer (a worker thread).
import type { TopLevelSpec } from 'vega-lite';
import { CHART_HEIGHT, CHART_WIDTH } from '../reports/charts.js';

/** Completed share of each work-based key result week by week, against the expected (linear) line. */
export function okrBurnupSpec(title: string, points: { day: string; series: string; value: number }[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    autosize: { type: 'fit', contains: 'padding' },
    background: 'white',
    config: { font: 'DejaVu Sans', view: { stroke: null } },
    data: { values: points },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'day', type: 'ordinal', title: 'week', axis: { labelAngle: -30 } },
      y: { field: 'value', type: 'quantitative', title: '% done', scale: { domain: [0, 100] } },
      color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'top-left', labelLimit: 280 } },
      strokeDash: {
        condition: { test: "datum.series === 'expected'", value: [6, 4] },
        value: [1, 0],
      },
    },
  } as TopLevelSpec;
}
