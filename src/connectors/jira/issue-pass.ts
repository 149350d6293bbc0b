// One pass over the issues of a scope: pages as paging.ts plans them, each stored as it comes (the cursor after
// each), the stretches of token pages checked for issues they slid past, and every issue's whole history.
import type { Logger } from '../../observability/logger.js';
import type { Db } from '../../store/db.js';
import { type IngestRun, ingestPage, RejectedRecord, type SyncPace } from '../../sync/ingest.js';
import { rejectionReason } from '../../sync/rejection.js';
import { setCursor } from '../../sync/store.js';
import { withAtlassianRetry } from '../atlassian/retry.js';
import type { JiraClients } from './client.js';
import { issueEvent, type JiraFieldIds, pointsFields } from './normalize.js';
import { IssuePager, PAGE, reaches, type Stretch, updatedOf } from './paging.js';
import { type JiraHistory, type JiraIssue, jiraChangelogPageSchema, jiraIssueSchema } from './schemas.js';
import { storeJiraIssueRows } from './store.js';

const ISSUE_FIELDS = [
  'summary',
  'status',
  'issuetype',
  'priority',
  'assignee',
  'labels',
  'created',
  'updated',
  'resolutiondate',
  'project',
  'parent',
];

export interface JiraSyncOptions extends SyncPace {
  db: Db;
  logger: Logger;
  clients: JiraClients;
  projects: string[];
  /** Extra JQL ANDed to the project filter, e.g. `issuetype != Epic`. */
  jql?: string;
  boards: number[];
  backfillSince: Date;
  /** Custom field ids of story points (one or several) and sprint (they differ per site). */
  fields: JiraFieldIds;
  now?: () => Date;
  /** How often the stored issues are checked for ones deleted or moved out of the projects (default six hours). */
  reconcileEveryMs?: number;
}

type SearchRequest = { jql: string; nextPageToken?: string };

/** A malformed issue as read (the overlaps bring some back; each is counted once). */
const skipKey = (raw: unknown) => {
  const r = raw as { id?: unknown; key?: unknown; fields?: { updated?: unknown } };
  return `${String(r.id)}/${String(r.key)}@${String(r.fields?.updated)}`;
};

export class IssuePass {
  private readonly pager: IssuePager;
  private readonly fields: string[];
  private readonly skipped = new Set<string>();
  /** The update time of the newest issue stored (the cursor, once no unchecked stretch holds it back). */
  private newest: string | undefined;

  constructor(
    private readonly options: JiraSyncOptions,
    private readonly run: IngestRun,
    private readonly scope: string,
    /** The cursor this pass starts from (an issue was stored with that update time), if any. */
    private readonly cursorSince: string | undefined,
  ) {
    const since = cursorSince ? new Date(cursorSince) : options.backfillSince;
    const now = () => options.now?.() ?? new Date();
    this.pager = new IssuePager(options.projects, since, now, options.jql, Boolean(cursorSince));
    const { sprint } = options.fields;
    this.fields = [...ISSUE_FIELDS, ...pointsFields(options.fields), ...(sprint ? [sprint] : [])];
    this.newest = cursorSince;
  }

  async read(): Promise<void> {
    for (;;) {
      const page = await this.search(this.pager.request());
      if (!this.pager.reachesBack(page.issues ?? [])) continue;
      const read = await this.store(page.issues ?? []);
      const more = this.pager.next(read, page.nextPageToken ?? undefined);
      const stretch = this.pager.endedStretch();
      if (stretch) {
        await this.readWhatTheStretchSlidPast(stretch);
        this.pager.checkedStretch();
        // Checked: the cursor may move past the stretch now.
        if (this.newest)
          await setCursor(this.options.db, 'jira', this.scope, { since: this.pager.cursor(this.newest) });
      }
      if (!more) return;
    }
  }

  private search(request: SearchRequest, fields = this.fields, maxResults = PAGE) {
    const { clients, logger, signal } = this.options;
    return withAtlassianRetry(
      () =>
        clients.issues.issueSearch.searchForIssuesUsingJqlEnhancedSearch({
          ...request,
          maxResults,
          fields,
          ...(fields === this.fields ? { expand: 'changelog' } : {}),
        }),
      logger,
      { signal },
    );
  }

  /** Stores a page (issues read before in this pass as they are, or older than the cursor, are left as stored). */
  private async store(raws: unknown[]): Promise<JiraIssue[]> {
    const { clients, logger, signal } = this.options;
    const since = this.cursorSince;
    const read: JiraIssue[] = [];
    const records = raws.filter((raw) => !this.skipped.has(skipKey(raw)));
    // Pages come oldest first, so the cursor advances after each one: a crash resumes from here.
    await ingestPage(this.run, {
      what: 'Jira issue',
      records,
      schema: jiraIssueSchema,
      idOf: (raw) => (raw as { key?: unknown }).key,
      keyOf: (issue) => issue.key,
      fresh: async (issues) => {
        read.push(...issues);
        return issues.filter(
          (i) =>
            (!since || Date.parse(i.fields.updated) >= Date.parse(since)) &&
            !this.pager.readBefore(i.key, i.fields.updated),
        );
      },
      details: (issue) => fullHistory(clients, logger, issue, signal),
      events: (issue, raw) => [issueEvent(issue, raw)],
      upsert: (tx, issue, _raw, histories) =>
        storeJiraIssueRows(tx, clients.host, issue, histories, this.options.fields),
      stored: (issue) => {
        if (!this.newest || Date.parse(issue.fields.updated) > Date.parse(this.newest))
          this.newest = issue.fields.updated;
      },
      cursor: {
        source: 'jira',
        scope: this.scope,
        value: () => (this.newest ? { since: this.pager.cursor(this.newest) } : undefined),
      },
    });
    const valid = new Set(read.map((i) => i.key));
    for (const raw of records) if (!valid.has(String((raw as { key?: unknown }).key))) this.skipped.add(skipKey(raw));
    return read;
  }

  /**
   * Token pages are positions in a result that may have moved while they were read: the stretch's range is listed
   * again (keys and update times only, so it is cheap), and an issue it holds that was not read is read by key.
   */
  private async readWhatTheStretchSlidPast(stretch: Stretch): Promise<void> {
    const since = this.cursorSince;
    let jql = this.pager.windowFrom(stretch.from);
    const unread: string[] = [];
    listing: for (let token: string | undefined; ; ) {
      const page = await this.search({ jql, ...(token ? { nextPageToken: token } : {}) }, ['updated'], 1000);
      if (!token && stretch.checked && !reaches(page.issues ?? [], stretch.from) && this.pager.widen()) {
        jql = this.pager.windowFrom(stretch.from);
        continue;
      }
      for (const raw of page.issues ?? []) {
        const issue = raw as { key?: string; fields?: { updated?: string } };
        const updated = updatedOf(raw);
        if (updated > stretch.newest) break listing;
        if (!issue.key || !issue.fields?.updated || (since && updated < Date.parse(since))) continue;
        if (!this.pager.readBefore(issue.key, issue.fields.updated)) unread.push(issue.key);
      }
      token = page.nextPageToken ?? undefined;
      if (!token) break;
    }
    for (let i = 0; i < unread.length; i += PAGE) await this.readByKeys(unread.slice(i, i + PAGE));
  }

  /** Issues by key. Jira fails the whole search when one key is gone (deleted since it was listed): halves are tried. */
  private async readByKeys(keys: string[]): Promise<void> {
    let page: Awaited<ReturnType<IssuePass['search']>>;
    try {
      page = await this.search({ jql: `key in (${keys.join(', ')}) ORDER BY updated ASC, key ASC` });
    } catch (err) {
      if ((err as { status?: number }).status !== 400) throw err;
      if (keys.length === 1) return;
      const half = Math.ceil(keys.length / 2);
      await this.readByKeys(keys.slice(0, half));
      await this.readByKeys(keys.slice(half));
      return;
    }
    this.pager.remember(await this.store(page.issues ?? []));
  }
}

/**
 * The issue's whole history. Search inlines only the newest 40 entries (newest first); when `total` says there are
 * more, the issue's changelog endpoint is read page by page (oldest first; pages may be shorter than asked).
 */
async function fullHistory(
  clients: JiraClients,
  logger: Logger,
  issue: JiraIssue,
  signal?: AbortSignal,
): Promise<JiraHistory[]> {
  const inline = issue.changelog?.histories ?? [];
  if ((issue.changelog?.total ?? inline.length) <= inline.length) return inline;
  const all: JiraHistory[] = [];
  for (;;) {
    const raw = await withAtlassianRetry(
      () => clients.issues.issues.getChangeLogs({ issueIdOrKey: issue.key, startAt: all.length, maxResults: 100 }),
      logger,
      { signal },
    );
    const page = jiraChangelogPageSchema.safeParse(raw);
    if (!page.success)
      throw new RejectedRecord(
        rejectionReason(`${issue.key} changelog`, page.error),
        'malformed Jira changelog; issue skipped',
      );
    all.push(...page.data.values);
    if (page.data.isLast || !page.data.values.length || all.length >= (page.data.total ?? Number.POSITIVE_INFINITY))
      break;
  }
  return all;
}
