import type { Queryable } from '../store/db.js';
import { type DoraMetrics, doraMetrics, localDate } from './dora.js';
import { type BandSet, type Bands, doraBands, recoveryFor } from './dora-bands.js';
import { busiestRepos } from './dora-store.js';

export interface DoraScope {
  name: string;
  current: DoraMetrics;
  previous: DoraMetrics;
  bands: Bands;
}

export interface DoraReport {
  days: number;
  from: Date;
  to: Date;
  bandSet: BandSet;
  org: DoraScope;
  repos: DoraScope[];
}

export const MAX_REPOS = 12;

export function bandsOf(m: DoraMetrics, set: BandSet): Bands {
  return doraBands(
    {
      deploymentDaysPerWeek: m.deployments ? m.deploymentDaysPerWeek : null,
      deploymentsPerMonth: m.deploymentsPerMonth,
      leadTimeHours: m.leadTimeHours,
      changeFailureRate: m.changeFailureRate,
      recoveryHours: recoveryFor(m, set),
    },
    set,
  );
}

/** The four keys for the org and its busiest repositories, this window and the one before. */
export async function buildDoraReport(
  db: Queryable,
  options: {
    days: number;
    now?: Date;
    bandSet?: BandSet;
    timezone?: string;
    /** A team: its figures come from its repositories alone (the first scope is named after it). */
    scope?: { name: string; repos: string[] };
  },
): Promise<DoraReport> {
  const to = options.now ?? new Date();
  const span = options.days * 86_400_000;
  const from = new Date(to.getTime() - span);
  const before = new Date(from.getTime() - span);
  const set = options.bandSet ?? '2023';
  const scope = async (name: string, repos?: string[]): Promise<DoraScope> => {
    const [current, previous] = await Promise.all([
      doraMetrics(db, { from, to, repos, timezone: options.timezone }),
      doraMetrics(db, { from: before, to: from, repos, timezone: options.timezone }),
    ]);
    return { name, current, previous, bands: bandsOf(current, set) };
  };
  const busiest = await busiestRepos(db, from, to, MAX_REPOS, options.scope?.repos ?? null);
  // Scopes are independent: a PostgreSQL pool reads them side by side.
  const [org, ...repos] = await Promise.all([
    scope(options.scope?.name ?? 'org', options.scope?.repos),
    ...busiest.map((repo) => scope(repo, [repo])),
  ]);
  return { days: options.days, from, to, bandSet: set, org: org as DoraScope, repos };
}

/** The band of each key for the four weeks ending at each of the last `weeks` weeks. */
export async function doraBandHistory(
  db: Queryable,
  options: { weeks: number; now?: Date; bandSet?: BandSet; timezone?: string; repos?: string[] },
): Promise<{ week: string; bands: Bands }[]> {
  const now = options.now ?? new Date();
  const history: { week: string; bands: Bands }[] = [];
  for (let i = options.weeks - 1; i >= 0; i -= 1) {
    const to = new Date(now.getTime() - i * 7 * 86_400_000);
    const from = new Date(to.getTime() - 28 * 86_400_000);
    const metrics = await doraMetrics(db, { from, to, repos: options.repos, timezone: options.timezone });
    history.push({ week: localDate(to, options.timezone), bands: bandsOf(metrics, options.bandSet ?? '2023') });
  }
  return history;
}
