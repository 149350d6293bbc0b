import type { DoraMetrics } from './dora.js';

/** DORA performance bands, as Apache DevLake implements the 2023 report (and the 2021 one, by config). Pure. */
export type Band = 'elite' | 'high' | 'medium' | 'low';
export type BandSet = '2023' | '2021';

export interface DoraKeys {
  /** Median number of days per week with at least one deployment. */
  deploymentDaysPerWeek: number | null;
  /** Deployments (distinct) per month, for the 2021 bands. */
  deploymentsPerMonth: number | null;
  leadTimeHours: number | null;
  /** 0..1 */
  changeFailureRate: number | null;
  /** 2023: incident resolved minus the causing deployment's finish; 2021: minus the incident's opening. */
  recoveryHours: number | null;
}

export interface Bands {
  deploymentFrequency: Band | null;
  leadTime: Band | null;
  changeFailureRate: Band | null;
  recovery: Band | null;
}

const DAY = 24;
const WEEK = 7 * DAY;

export function doraBands(keys: DoraKeys, set: BandSet = '2023'): Bands {
  const below = (value: number | null, limits: [number, number, number]): Band | null =>
    value === null
      ? null
      : value < limits[0]
        ? 'elite'
        : value < limits[1]
          ? 'high'
          : value < limits[2]
            ? 'medium'
            : 'low';
  const atMost = (value: number | null, limits: [number, number, number]): Band | null =>
    value === null
      ? null
      : value <= limits[0]
        ? 'elite'
        : value <= limits[1]
          ? 'high'
          : value <= limits[2]
            ? 'medium'
            : 'low';
  if (set === '2021') {
    const perMonth = keys.deploymentsPerMonth;
    return {
      deploymentFrequency:
        keys.deploymentDaysPerWeek === null || perMonth === null
          ? null
          : keys.deploymentDaysPerWeek >= 7
            ? 'elite'
            : perMonth >= 1
              ? 'high'
              : perMonth >= 1 / 6
                ? 'medium'
                : 'low',
      leadTime: below(keys.leadTimeHours, [1, WEEK, 180 * DAY]),
      changeFailureRate: atMost(keys.changeFailureRate, [0.15, 0.2, 0.3]),
      recovery: below(keys.recoveryHours, [1, DAY, WEEK]),
    };
  }
  const days = keys.deploymentDaysPerWeek;
  return {
    deploymentFrequency:
      days === null
        ? null
        : days >= 7
          ? 'elite'
          : days >= 1
            ? 'high'
            : (keys.deploymentsPerMonth ?? 0) >= 1
              ? 'medium'
              : 'low',
    leadTime: below(keys.leadTimeHours, [DAY, WEEK, 30 * DAY]),
    changeFailureRate: atMost(keys.changeFailureRate, [0.05, 0.1, 0.15]),
    recovery: below(keys.recoveryHours, [1, DAY, WEEK]),
  };
}

/** The recovery figure a band set uses: 2023 from the causing deployment, 2021 from the incident's opening. */
export function recoveryFor(m: DoraMetrics, set: BandSet): number | null {
  return set === '2023' ? m.recoveryHours : m.timeToRestoreHours;
}
