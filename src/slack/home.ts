import type { WebClient } from '@slack/web-api';
import { LRUCache } from 'lru-cache';
import { type HomeData, type HomeSection, homeView } from '../../blocks/home.js';
import type { Logger } from '../observability/logger.js';
import type { Db } from '../store/db.js';
import { asInteractive } from '../store/priority.js';
import { slackErrorCode } from './errors.js';

export interface HomeContext {
  userId: string;
  db: Db;
  /** For sections that show private material only to members of its channel; without it, they show none. */
  client?: WebClient;
  /**
   * Given when Home is being published: a shared tile with no copy to show yet shows `LOADING_TILE` and hands its
   * load here, for the publisher to start once the rest of Home is out and to publish again when it is done.
   */
  later?: (load: () => Promise<unknown>) => void;
}

/** What a shared tile shows while its first copy is computed (Home is published again when it is ready). */
export const LOADING_TILE = 'Loading… this tile fills in by itself in a moment.';

/** One section of the App Home dashboard; capabilities contribute theirs. */
export interface HomeSectionProvider {
  id: string;
  title: string;
  load(ctx: HomeContext): Promise<Omit<HomeSection, 'id' | 'title'>>;
}

/** The frame the dashboard starts with; each capability replaces its placeholder when it is built. */
export function placeholderSections(): HomeSectionProvider[] {
  const placeholder = (id: string, title: string, empty: string): HomeSectionProvider => ({
    id,
    title,
    load: async () => ({ lines: [], empty }),
  });
  return [
    placeholder('approvals', 'Waiting for you', 'No approvals are configured yet (policies/).'),
    placeholder('signals', 'Signals', 'No rules are evaluated yet (rules/).'),
    placeholder('dora', 'DORA four keys', 'No deployments are synced yet: connect GitHub in sources.yml.'),
    placeholder('sprint', 'Current sprint', 'No sprint is synced yet: connect Jira or Linear in sources.yml.'),
    placeholder('incidents', 'Incidents', 'No open incidents.'),
  ];
}

/**
 * The dashboard's sections: each placeholder replaced by the capability section with its id; sections without a
 * placeholder follow the first one (what waits for you comes first, then your own work), in the order given.
 */
export function homeSections(provided: HomeSectionProvider[]): HomeSectionProvider[] {
  const byId = new Map(provided.map((section) => [section.id, section]));
  const frame = placeholderSections();
  const framed = frame.map((section) => byId.get(section.id) ?? section);
  const extra = provided.filter((section) => !frame.some((f) => f.id === section.id));
  return [...framed.slice(0, 1), ...extra, ...framed.slice(1)];
}

type SectionBody = Omit<HomeSection, 'id' | 'title'>;

/**
 * A shared tile whose last computation took less than `quickMs` is computed as part of Home, not after it, and may
 * hold Home for `quickWaitMs`; slower this time, it shows as loading and Home is published again.
 */
const QUICK_TILE = { quickMs: 50, quickWaitMs: 100 };

/**
 * A section that shows the same thing to everyone (org-wide DORA, the current sprint), loaded at most once per
 * `freshForMs` however many people open Home; an older copy is shown while a new one loads, so a busy database
 * never keeps the dashboard waiting for it.
 */
export function sharedSection(
  provider: HomeSectionProvider,
  options: {
    freshForMs: number;
    staleForMs: number;
    clock?: { now(): number };
    quickMs?: number;
    quickWaitMs?: number;
  },
): HomeSectionProvider {
  const clock = options.clock ?? Date;
  const { quickMs, quickWaitMs } = { ...QUICK_TILE, ...options };
  let loadedAt = 0;
  let lastLoadMs: number | undefined;
  const cache = new LRUCache<'body', SectionBody, HomeContext>({
    max: 1,
    ttl: options.freshForMs,
    allowStale: true,
    noDeleteOnFetchRejection: true,
    perf: clock,
    ttlResolution: 0,
    fetchMethod: async (_key, _stale, { context }) => {
      const started = performance.now();
      const body = await provider.load(context);
      loadedAt = clock.now();
      lastLoadMs = performance.now() - started;
      return body;
    },
  });
  return {
    id: provider.id,
    title: provider.title,
    async load(ctx) {
      // Too old to show while it refreshes: wait for the new copy.
      const tooOld = clock.now() - loadedAt > options.freshForMs + options.staleForMs;
      const fetchBody = () =>
        cache.fetch('body', { context: ctx, allowStale: !tooOld }).then((body) => body ?? provider.load(ctx));
      if (!ctx.later || (loadedAt && !tooOld)) return fetchBody();
      const later = ctx.later;
      if (lastLoadMs !== undefined && lastLoadMs < quickMs) {
        // Quick last time (a small org, a quiet database): part of this Home, unless it is slow this time.
        const loading = fetchBody();
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>((resolve) => {
          timer = setTimeout(() => resolve('late'), quickWaitMs);
        });
        const first = await Promise.race([loading, late]).finally(() => clearTimeout(timer));
        if (first !== 'late') return first;
        later(() => loading);
        return { lines: [], empty: LOADING_TILE };
      }
      // Nothing worth showing yet, and no sign it is quick (the first Home after a start, or a slow org). An org-wide
      // figure takes a second or two on a large org under load, and started now its queries would hold the
      // connections the person's own sections wait for (measured: first Home under load 250-450 ms against 100-280
      // ms when it starts after the publish).
      later(fetchBody);
      return { lines: [], empty: LOADING_TILE };
    },
  };
}

export async function buildHome(providers: HomeSectionProvider[], ctx: HomeContext, logger: Logger): Promise<HomeData> {
  const sections = await Promise.all(
    providers.map(async (provider): Promise<HomeSection> => {
      const started = performance.now();
      try {
        const body = await provider.load(ctx);
        logger.debug({ section: provider.id, ms: Math.round(performance.now() - started) }, 'home section loaded');
        return { id: provider.id, title: provider.title, ...body };
      } catch (err) {
        // One broken section must not blank the whole dashboard.
        logger.error({ err, section: provider.id }, 'home section failed');
        return {
          id: provider.id,
          title: provider.title,
          lines: [],
          empty: 'This section could not be loaded; it will retry on Refresh.',
        };
      }
    }),
  );
  return { userId: ctx.userId, updatedAt: new Date(), sections };
}

export async function publishHome(
  client: WebClient,
  providers: HomeSectionProvider[],
  ctx: HomeContext,
  logger: Logger,
): Promise<void> {
  const started = performance.now();
  const loading: (() => Promise<unknown>)[] = [];
  const later = (load: () => Promise<unknown>) => loading.push(load);
  const data = await asInteractive(() => buildHome(providers, { client, ...ctx, later }, logger));
  const built = performance.now();
  const first = await client.views.publish({ user_id: ctx.userId, view: homeView(data) });
  logger.debug(
    { buildMs: Math.round(built - started), publishMs: Math.round(performance.now() - built), loading: loading.length },
    'home published',
  );
  if (!loading.length) return;
  // The same Home again with the tiles that were loading (a failed one says so); the other sections as published.
  await asInteractive(() => Promise.allSettled(loading.map((load) => load())));
  const waited = providers.filter((p) => data.sections.some((s) => s.id === p.id && s.empty === LOADING_TILE));
  const filled = await asInteractive(() => buildHome(waited, { client, ...ctx }, logger));
  const sections = data.sections.map((s) => filled.sections.find((f) => f.id === s.id) ?? s);
  try {
    // With the first publish's hash: a Home published since (a Refresh, another replica) is newer; Slack refuses it.
    await client.views.publish({ user_id: ctx.userId, view: homeView({ ...data, sections }), hash: first.view?.hash });
  } catch (err) {
    if (slackErrorCode(err) !== 'hash_conflict') throw err;
    logger.debug({ userId: ctx.userId }, 'a newer Home was published meanwhile; the late tiles are not');
  }
}
