// A local Jira Cloud for the endpoints em-agent uses: REST v3 enhanced JQL search (nextPageToken paging,
// changelog expansion) and the Agile API's board sprints, with basic auth, 429 + Retry-After and 5xx on demand.
// Awkward parts as Atlassian documents them: search inlines only the 40 newest history entries, newest first (the
// rest from GET /issue/{key}/changelog, oldest first, paginated); pages may hold fewer items than asked; users who
// hide their e-mail come with emailAddress null (or without it); dates carry a numeric offset (+0200); changelog
// items carry fieldId; the points field's name depends on the project type.
// Webhooks as Jira Cloud delivers admin-registered ones with a secret: the issue as the REST API returns it, the
// one history entry an update made (id and items, no author or time), `X-Hub-Signature: sha256=<hex HMAC>`;
// deliveries are built when the change happens and may be sent late, twice or out of order.
// An issue moved to another project gets a new key there; the old key still finds it (GET /issue, JQL `key in`), and
// its history has the move ("Key" and "project" items). A deleted issue is gone: 404 by key, absent from searches.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hmacHex, postWebhook, StandIn } from '../stand-in.js';

type Json = Record<string, unknown>;

export interface StandInIssue {
  key: string;
  summary: string;
  status: string;
  statusCategory: 'new' | 'indeterminate' | 'done';
  assignee?: string | null;
  priority?: string;
  type?: string;
  labels?: string[];
  points?: number;
  sprintIds?: number[];
  /** The key of its parent: an epic's for a story (Jira Cloud's `parent`), a story's for a sub-task. */
  parent?: string;
  created: string;
  updated: string;
  history: {
    id: string;
    created: string;
    author: string;
    items: ChangeItem[];
  }[];
}

export interface ChangeItem {
  field: string;
  fieldId?: string;
  from?: string | null;
  fromString: string | null;
  to?: string | null;
  toString: string | null;
}

/** How a user's e-mail comes back: shown, `null` (hidden by privacy settings) or left out altogether. */
export interface StandInUser {
  displayName: string;
  email: string | null | 'absent';
}

export const INLINE_CHANGELOG_CAP = 40;

export class JiraStandIn extends StandIn {
  readonly email = 'em-bot@acme.dev';
  readonly apiToken = `ATATT${randomUUID().replaceAll('-', '')}`;
  readonly issues: StandInIssue[] = [];
  readonly rawIssues: Json[] = [];
  /** Sprints by board; board 1 exists from the start. */
  readonly sprints = new Map<number, Json[]>([[1, []]]);
  readonly calls: { path: string; status: number }[] = [];
  /** Comments by issue key, as posted (ADF bodies). */
  readonly comments = new Map<string, Json[]>();
  /** Users by account id; an unknown id shows as itself with a visible e-mail at acme.dev. */
  readonly users = new Map<string, StandInUser>();
  /** Story points' field: its id and its name ("Story Points" company-managed, "Story point estimate" team-managed). */
  points = { id: 'customfield_10016', name: 'Story Points' };
  /** Projects whose points are in another field (a site with company- and team-managed projects has two). */
  readonly pointsByProject = new Map<string, { id: string; name: string }>();
  readonly sprintField = 'customfield_10020';
  /** At most this many issues per search page (Jira may return fewer than maxResults). */
  searchPageCap = 100;
  /** At most this many entries per changelog page. */
  changelogPageCap = 100;
  /** Search's inline changelog order: Jira Cloud sends newest first; oldest first shows order is not relied on. */
  inlineOrder: 'newest-first' | 'oldest-first' = 'newest-first';
  /** Dates are written in this time zone, as `+hhmm` (Jira uses the API user's zone). */
  offsetMinutes = 0;
  /**
   * Called as each search request arrives, before it is answered (with the offset its token stands for): a test
   * changes issues here to change them mid-pass. A token stands for a position in the result as it is when the next
   * page is asked for, as offset paging does, so an issue changed meanwhile shifts what follows.
   */
  onSearch?: (offset: number, url: URL) => void;
  private tokens = new Map<string, { jql: string; offset: number }>();
  private clock = Date.parse('2026-11-01T09:00:00Z');
  private historyIds = 10_000;

  /** Minutes are real: the stand-in's clock is the wall clock, moved forward by `tick`. */
  now(): string {
    return new Date(Math.max(this.clock, Date.now())).toISOString();
  }

  addIssue(issue: Partial<StandInIssue> & { key: string; summary: string }): StandInIssue {
    const at = this.now();
    const full: StandInIssue = {
      status: 'To Do',
      statusCategory: 'new',
      created: at,
      updated: at,
      history: [],
      ...issue,
    };
    this.issues.push(full);
    return full;
  }

  private issue(key: string): StandInIssue {
    const issue = this.issues.find((i) => i.key === key);
    if (!issue) throw new Error(`no issue ${key}`);
    return issue;
  }

  /** Records a history entry at `at` (default: a second after the stand-in's clock) and bumps `updated`. */
  change(key: string, items: ChangeItem[], options: { at?: string; author?: string } = {}): void {
    const issue = this.issue(key);
    if (!options.at) this.clock = Date.parse(this.now()) + 1000;
    const at = options.at ?? this.now();
    this.historyIds += 1;
    issue.history.push({ id: String(this.historyIds), created: at, author: options.author ?? 'acc-maya', items });
    if (Date.parse(at) > Date.parse(issue.updated)) issue.updated = at;
  }

  transition(
    key: string,
    to: string,
    category: StandInIssue['statusCategory'],
    author = 'acc-maya',
    at?: string,
  ): void {
    const issue = this.issue(key);
    this.change(key, [{ field: 'status', fieldId: 'status', fromString: issue.status, toString: to }], { at, author });
    Object.assign(issue, { status: to, statusCategory: category });
  }

  private pointsField(key: string): { id: string; name: string } {
    return this.pointsByProject.get(key.split('-')[0] as string) ?? this.points;
  }

  setPoints(key: string, points: number | undefined, at?: string): void {
    const issue = this.issue(key);
    const text = (n: number | undefined) => (n === undefined ? null : String(n));
    const field = this.pointsField(key);
    this.change(
      key,
      [{ field: field.name, fieldId: field.id, fromString: text(issue.points), toString: text(points) }],
      { at },
    );
    issue.points = points;
  }

  /** Moves the issue to these sprints (Jira's Sprint field holds every sprint the issue has been in while open). */
  setSprints(key: string, sprintIds: number[], at?: string): void {
    const issue = this.issue(key);
    const ids = (list: number[]) => (list.length ? list.join(', ') : null);
    const names = (list: number[]) => (list.length ? list.map((id) => this.sprintName(id)).join(', ') : null);
    const before = issue.sprintIds ?? [];
    this.change(
      key,
      [
        {
          field: 'Sprint',
          fieldId: this.sprintField,
          from: ids(before),
          fromString: names(before),
          to: ids(sprintIds),
          toString: names(sprintIds),
        },
      ],
      { at },
    );
    issue.sprintIds = sprintIds;
  }

  assign(key: string, accountId: string | null, at?: string): void {
    const issue = this.issue(key);
    const name = (id: string | null | undefined) => (id ? this.user(id).displayName : null);
    this.change(
      key,
      [
        {
          field: 'assignee',
          fieldId: 'assignee',
          from: issue.assignee ?? null,
          fromString: name(issue.assignee),
          to: accountId,
          toString: name(accountId),
        },
      ],
      { at },
    );
    issue.assignee = accountId;
  }

  private user(id: string): StandInUser {
    return this.users.get(id) ?? { displayName: id, email: `${id.replace(/^acc-/, '')}@acme.dev` };
  }

  private sprint(id: number): Json | undefined {
    for (const list of this.sprints.values()) {
      const found = list.find((s) => s.id === id);
      if (found) return found;
    }
    return undefined;
  }

  private sprintName(id: number): string {
    return String(this.sprint(id)?.name ?? `Sprint ${id}`);
  }

  /** `2026-12-03T10:15:00.000+0200`, in the site's zone. */
  private date(iso: string): string {
    const shifted = new Date(Date.parse(iso) + this.offsetMinutes * 60_000).toISOString().slice(0, 23);
    const sign = this.offsetMinutes < 0 ? '-' : '+';
    const abs = Math.abs(this.offsetMinutes);
    return `${shifted}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
  }

  private historyJson(h: StandInIssue['history'][number]): Json {
    return {
      id: h.id,
      created: this.date(h.created),
      author: this.person(h.author),
      items: h.items.map((item) => ({
        fieldtype: item.fieldId?.startsWith('customfield_') ? 'custom' : 'jira',
        ...item,
      })),
    };
  }

  private person(id: string | null | undefined): Json | null {
    if (!id) return null;
    const user = this.user(id);
    return {
      accountId: id,
      displayName: user.displayName,
      ...(user.email === 'absent' ? {} : { emailAddress: user.email }),
      active: true,
      accountType: 'atlassian',
    };
  }

  addSprint(board: number, sprint: Json): void {
    this.sprints.set(board, [...(this.sprints.get(board) ?? []), sprint]);
  }

  /** An issue's `parent` as Jira Cloud serves it: the parent's key and a few of its fields, its type's level too. */
  private parentJson(key: string): Json {
    const p = this.issues.find((x) => x.key === key);
    const type = p?.type ?? 'Epic';
    const level = type === 'Epic' ? 1 : /sub-?task/i.test(type) ? -1 : 0;
    return {
      id: String(10_000 + (p ? this.issues.indexOf(p) : this.issues.length)),
      key,
      self: `${this.url}/rest/api/3/issue/${key}`,
      fields: {
        summary: p?.summary ?? key,
        status: { name: p?.status ?? 'To Do', statusCategory: { key: p?.statusCategory ?? 'new' } },
        priority: { name: p?.priority ?? 'Medium' },
        issuetype: { name: type, subtask: level === -1, hierarchyLevel: level },
      },
    };
  }

  private issueJson(i: StandInIssue): Json {
    // Newest first, at most 40; `total` tells the client there is more.
    const newestFirst = [...i.history].sort((a, b) => Date.parse(b.created) - Date.parse(a.created));
    const capped = newestFirst.slice(0, INLINE_CHANGELOG_CAP);
    const inline = this.inlineOrder === 'newest-first' ? capped : capped.reverse();
    return {
      id: String(10_000 + this.issues.indexOf(i)),
      key: i.key,
      self: `${this.url}/rest/api/3/issue/${i.key}`,
      fields: {
        summary: i.summary,
        status: { name: i.status, statusCategory: { key: i.statusCategory } },
        issuetype: { name: i.type ?? 'Story' },
        priority: { name: i.priority ?? 'Medium' },
        assignee: this.person(i.assignee),
        labels: i.labels ?? [],
        created: this.date(i.created),
        updated: this.date(i.updated),
        resolutiondate: i.statusCategory === 'done' ? this.date(i.updated) : null,
        project: { key: i.key.split('-')[0] },
        ...(i.parent ? { parent: this.parentJson(i.parent) } : {}),
        [this.pointsField(i.key).id]: i.points ?? null,
        [this.sprintField]: (i.sprintIds ?? []).map((id) => ({
          id,
          name: this.sprintName(id),
          state: this.sprint(id)?.state ?? 'active',
          boardId: 1,
        })),
      },
      changelog: {
        startAt: 0,
        maxResults: inline.length,
        total: i.history.length,
        histories: inline.map((h) => this.historyJson(h)),
      },
    };
  }

  /**
   * The body Jira posts for an issue event, as of now: `jira:issue_updated` carries the issue's newest history
   * entry as `changelog`; `timestamp` is when the change happened (ms).
   */
  webhookPayload(event: 'jira:issue_created' | 'jira:issue_updated' | 'jira:issue_deleted', key: string): Json {
    const issue = this.issue(key);
    const { changelog: _inline, ...json } = this.issueJson(issue);
    const last = [...issue.history].sort((a, b) => Date.parse(b.created) - Date.parse(a.created))[0];
    const at =
      event === 'jira:issue_created'
        ? issue.created
        : event === 'jira:issue_updated'
          ? (last?.created ?? issue.updated)
          : this.now();
    const typeName = { 'jira:issue_created': 'issue_created', 'jira:issue_updated': 'issue_generic' }[event as string];
    return {
      timestamp: Date.parse(at),
      webhookEvent: event,
      ...(typeName ? { issue_event_type_name: typeName } : {}),
      user: this.person(event === 'jira:issue_updated' && last ? last.author : 'acc-maya'),
      issue: json,
      ...(event === 'jira:issue_updated' && last
        ? { changelog: { id: last.id, items: (this.historyJson(last).items as Json[]) ?? [] } }
        : {}),
    };
  }

  /** Projects the API account may no longer browse: their issues are in no search, and 404 by key. */
  readonly noAccess = new Set<string>();

  /** Old keys of moved issues: Jira answers an old key with the issue under its new one (by key and in JQL). */
  private readonly movedKeys = new Map<string, string>();

  private resolveKey(key: string): string {
    let current = key;
    for (let hops = 0; this.movedKeys.has(current) && hops < 10; hops += 1)
      current = this.movedKeys.get(current) as string;
    return current;
  }

  /**
   * Moves an issue to another project, as Jira Cloud does: a new key there (the old one keeps pointing at it), and
   * a history entry with a "Key" item (old key to new) and a "project" item; `updated` moves on. Answers the new key.
   */
  moveIssue(key: string, project: string, at?: string): string {
    const issue = this.issue(key);
    const numbers = this.issues.filter((i) => i.key.startsWith(`${project}-`)).map((i) => Number(i.key.split('-')[1]));
    const moved = `${project}-${Math.max(0, ...numbers) + 1}`;
    this.change(
      key,
      [
        { field: 'Key', fieldId: 'issuekey', from: null, fromString: key, to: null, toString: moved },
        { field: 'project', fieldId: 'project', fromString: key.split('-')[0] as string, toString: project },
      ],
      { at },
    );
    this.movedKeys.set(key, moved);
    issue.key = moved;
    return moved;
  }

  /** Deletes an issue (searches no longer find it) and answers the body of its `jira:issue_deleted` webhook. */
  deleteIssue(key: string): Json {
    const payload = this.webhookPayload('jira:issue_deleted', key);
    this.issues.splice(this.issues.indexOf(this.issue(key)), 1);
    return payload;
  }

  /** Sends a delivery to a webhook registered with this secret, signed as Jira Cloud signs them. */
  async deliverWebhook(url: string, secret: string, payload: Json): Promise<{ status: number; text: string }> {
    const body = JSON.stringify(payload);
    return postWebhook(url, body, {
      'x-hub-signature': `sha256=${hmacHex(secret, body)}`,
      'x-atlassian-webhook-identifier': randomUUID(),
      'x-atlassian-webhook-retry': '0',
      'user-agent': 'Atlassian Webhook HTTP Client',
    });
  }

  protected async route(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', this.url);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = (chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : {}) as Json;
    let lostResponse: number | undefined;
    const reply = (answered: number, answer: unknown, headers: Record<string, string> = {}) => {
      const status = lostResponse ?? answered;
      this.calls.push({ path: `${url.pathname}${url.search}`, status });
      res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', ...headers });
      res.end(JSON.stringify(lostResponse ? { errorMessages: ['Internal server error'] } : answer));
    };
    const fault = this.takeFault(url.pathname, req.method);
    if (fault?.afterEffect) lostResponse = fault.status;
    else if (fault) {
      return reply(
        fault.status,
        { errorMessages: [fault.status === 429 ? 'Rate limit exceeded.' : 'Internal server error'] },
        fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {},
      );
    }
    const expected = `Basic ${Buffer.from(`${this.email}:${this.apiToken}`).toString('base64')}`;
    if (req.headers.authorization !== expected)
      return reply(401, { errorMessages: ['Client must be authenticated to access this resource.'], errors: {} });

    if (url.pathname === '/rest/api/3/search/jql') {
      const token = url.searchParams.get('nextPageToken');
      const max = Math.min(this.searchPageCap, Number(url.searchParams.get('maxResults') ?? 50));
      const state = token ? this.tokens.get(token) : { jql: url.searchParams.get('jql') ?? '', offset: 0 };
      if (!state) return reply(400, { errorMessages: ['The provided next page token is invalid or expired.'] });
      this.onSearch?.(state.offset, url);
      const matches = this.search(state.jql);
      if (typeof matches === 'string') return reply(400, { errorMessages: [matches] });
      const page = matches.slice(state.offset, state.offset + max);
      const more = state.offset + max < matches.length;
      const next = more ? randomUUID() : undefined;
      if (next) this.tokens.set(next, { jql: state.jql, offset: state.offset + max });
      return reply(200, { issues: page, ...(next ? { nextPageToken: next } : {}), isLast: !more });
    }
    const changelogMatch = /^\/rest\/api\/3\/issue\/([A-Z][A-Z0-9]*-\d+)\/changelog$/.exec(url.pathname);
    if (changelogMatch && req.method === 'GET') {
      const issue = this.issues.find((i) => i.key === this.resolveKey(changelogMatch[1] as string));
      if (!issue)
        return reply(404, { errorMessages: ['Issue does not exist or you do not have permission to see it.'] });
      // Oldest first, as the endpoint documents.
      const all = [...issue.history].sort((a, b) => Date.parse(a.created) - Date.parse(b.created));
      const startAt = Number(url.searchParams.get('startAt') ?? 0);
      const max = Math.min(this.changelogPageCap, Number(url.searchParams.get('maxResults') ?? 100));
      const values = all.slice(startAt, startAt + max).map((h) => this.historyJson(h));
      return reply(200, {
        self: `${url.href}`,
        maxResults: max,
        startAt,
        total: all.length,
        isLast: startAt + values.length >= all.length,
        values,
      });
    }
    const issueMatch = /^\/rest\/api\/3\/issue\/([A-Z][A-Z0-9]*-\d+)$/.exec(url.pathname);
    if (issueMatch && req.method === 'GET') {
      const issue = this.issues.find(
        (i) => i.key === this.resolveKey(issueMatch[1] as string) && !this.noAccess.has(i.key.split('-')[0] as string),
      );
      if (!issue)
        return reply(404, {
          errorMessages: ['Issue does not exist or you do not have permission to see it.'],
          errors: {},
        });
      const { changelog: _changelog, ...json } = this.issueJson(issue);
      return reply(200, json);
    }
    const commentMatch = /^\/rest\/api\/3\/issue\/([A-Z][A-Z0-9]*-\d+)\/comment$/.exec(url.pathname);
    if (commentMatch) {
      const key = commentMatch[1] as string;
      if (!this.issues.some((i) => i.key === key))
        return reply(404, { errorMessages: ['Issue does not exist or you do not have permission to see it.'] });
      const list = this.comments.get(key) ?? [];
      this.comments.set(key, list);
      if (req.method === 'POST') {
        if (!body.body) return reply(400, { errorMessages: [], errors: { comment: 'Comment body can not be empty!' } });
        const comment = {
          id: String(10_000 + list.length),
          body: body.body,
          created: this.now(),
          author: { accountId: 'em-bot' },
        };
        list.push(comment);
        return reply(201, comment);
      }
      return reply(200, { startAt: 0, maxResults: 100, total: list.length, comments: list });
    }
    if (url.pathname === '/rest/api/3/issue' && req.method === 'POST') {
      const fields = body.fields as {
        project?: { key?: string };
        summary?: string;
        labels?: string[];
        issuetype?: { name?: string };
      };
      if (!fields?.project?.key || !fields.summary)
        return reply(400, { errorMessages: [], errors: { summary: 'You must specify a summary of the issue.' } });
      const key = `${fields.project.key}-${900 + this.issues.length}`;
      this.addIssue({ key, summary: fields.summary, labels: fields.labels ?? [], type: fields.issuetype?.name });
      return reply(201, { id: String(20_000 + this.issues.length), key, self: `${this.url}/rest/api/3/issue/${key}` });
    }
    const sprintMatch = /^\/rest\/agile\/1\.0\/board\/(\d+)\/sprint$/.exec(url.pathname);
    if (sprintMatch) {
      const all = this.sprints.get(Number(sprintMatch[1]));
      if (!all) return reply(404, { errorMessages: ['Board does not exist or you do not have permission to see it.'] });
      const startAt = Number(url.searchParams.get('startAt') ?? 0);
      const max = Number(url.searchParams.get('maxResults') ?? 50);
      const values = all.slice(startAt, startAt + max);
      return reply(200, { maxResults: max, startAt, isLast: startAt + max >= all.length, values });
    }
    return reply(404, { errorMessages: ['Not found'] });
  }

  /** Understands the JQL em-agent sends: project in (...), updated >= "-Nm", ORDER BY updated ASC. */
  private search(jql: string): Json[] | string {
    const list = (field: string) =>
      new RegExp(`${field} in \\(([^)]*)\\)`, 'i')
        .exec(jql)?.[1]
        ?.split(',')
        .map((p) => p.trim().replaceAll('"', ''));
    // As Jira does: an old key of a moved issue finds it under its new key.
    const keys = list('key')?.map((k) => this.resolveKey(k));
    // As Jira does: a key that is not there fails the whole search.
    const unknown = keys?.find((k) => !this.issues.some((i) => i.key === k));
    if (unknown) return `An issue with key '${unknown}' does not exist for field 'key'.`;
    const projects = list('project') ?? (keys ? [...new Set(keys.map((k) => k.split('-')[0] as string))] : undefined);
    if (!projects) return "Error in the JQL Query: expected 'project in (...)'";
    const minutes = Number(/updated >= "-(\d+)m"/.exec(jql)?.[1] ?? Number.POSITIVE_INFINITY);
    const since = Date.now() - minutes * 60_000;
    const label = /labels = "([^"]+)"/.exec(jql)?.[1];
    const byKey = /ORDER BY updated ASC, key ASC/i.test(jql);
    return [
      ...this.rawIssues,
      ...this.issues
        .filter((i) => projects.includes(i.key.split('-')[0] as string) && Date.parse(i.updated) >= since)
        .filter((i) => !this.noAccess.has(i.key.split('-')[0] as string))
        .filter((i) => !label || (i.labels ?? []).includes(label))
        .filter((i) => !keys || keys.includes(i.key))
        .sort((a, b) => Date.parse(a.updated) - Date.parse(b.updated) || (byKey ? keyOrder(a.key, b.key) : 0))
        .map((i) => this.issueJson(i)),
    ];
  }
}

/** Jira's key order: by project, then by number (ENG-9 before ENG-10). */
function keyOrder(a: string, b: string): number {
  const [pa = '', na = '0'] = a.split('-');
  const [pb = '', nb = '0'] = b.split('-');
  return pa.localeCompare(pb) || Number(na) - Number(nb);
}
