// A local Jira Cloud for the endpoints em-agent uses: REST v3 enhanced JQL search (nextPageToken paging,
// changelog expansion) and the Agile API's board sprints, with basic auth, 429 + Retry-After and 5xx on demand.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StandIn } from '../stand-in.js';

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
  created: string;
  updated: string;
  history: {
    id: string;
    created: string;
    author: string;
    items: { field: string; fromString: string | null; toString: string | null }[];
  }[];
}

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
  private tokens = new Map<string, { jql: string; offset: number }>();
  private clock = Date.parse('2026-11-01T09:00:00Z');

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

  transition(key: string, to: string, category: StandInIssue['statusCategory'], author = 'acc-maya'): void {
    const issue = this.issues.find((i) => i.key === key);
    if (!issue) throw new Error(`no issue ${key}`);
    this.clock = Date.parse(this.now()) + 1000;
    const at = this.now();
    issue.history.push({
      id: String(10_000 + issue.history.length + this.issues.length * 100),
      created: at,
      author,
      items: [{ field: 'status', fromString: issue.status, toString: to }],
    });
    Object.assign(issue, { status: to, statusCategory: category, updated: at });
  }

  addSprint(board: number, sprint: Json): void {
    this.sprints.set(board, [...(this.sprints.get(board) ?? []), sprint]);
  }

  private issueJson(i: StandInIssue): Json {
    const person = (id: string | null | undefined) =>
      id
        ? {
            accountId: id,
            displayName: id,
            emailAddress: `${id.replace(/^acc-/, '')}@acme.dev`,
            active: true,
            accountType: 'atlassian',
          }
        : null;
    return {
      id: String(10_000 + this.issues.indexOf(i)),
      key: i.key,
      self: `${this.url}/rest/api/3/issue/${i.key}`,
      fields: {
        summary: i.summary,
        status: { name: i.status, statusCategory: { key: i.statusCategory } },
        issuetype: { name: i.type ?? 'Story' },
        priority: { name: i.priority ?? 'Medium' },
        assignee: person(i.assignee),
        labels: i.labels ?? [],
        created: i.created,
        updated: i.updated,
        resolutiondate: i.statusCategory === 'done' ? i.updated : null,
        project: { key: i.key.split('-')[0] },
        customfield_10016: i.points ?? null,
        customfield_10020: (i.sprintIds ?? []).map((id) => ({ id, name: `Sprint ${id}`, state: 'active', boardId: 1 })),
      },
      changelog: {
        startAt: 0,
        maxResults: i.history.length,
        total: i.history.length,
        histories: i.history.map((h) => ({ ...h, author: person(h.author) })),
      },
    };
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
      const max = Math.min(100, Number(url.searchParams.get('maxResults') ?? 50));
      const state = token ? this.tokens.get(token) : { jql: url.searchParams.get('jql') ?? '', offset: 0 };
      if (!state) return reply(400, { errorMessages: ['The provided next page token is invalid or expired.'] });
      const matches = this.search(state.jql);
      if (typeof matches === 'string') return reply(400, { errorMessages: [matches] });
      const page = matches.slice(state.offset, state.offset + max);
      const more = state.offset + max < matches.length;
      const next = more ? randomUUID() : undefined;
      if (next) this.tokens.set(next, { jql: state.jql, offset: state.offset + max });
      return reply(200, { issues: page, ...(next ? { nextPageToken: next } : {}), isLast: !more });
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
    const projects = /project in \(([^)]*)\)/i
      .exec(jql)?.[1]
      ?.split(',')
      .map((p) => p.trim().replaceAll('"', ''));
    if (!projects) return "Error in the JQL Query: expected 'project in (...)'";
    const minutes = Number(/updated >= "-(\d+)m"/.exec(jql)?.[1] ?? Number.POSITIVE_INFINITY);
    const since = Date.now() - minutes * 60_000;
    const label = /labels = "([^"]+)"/.exec(jql)?.[1];
    return [
      ...this.rawIssues,
      ...this.issues
        .filter((i) => projects.includes(i.key.split('-')[0] as string) && Date.parse(i.updated) >= since)
        .filter((i) => !label || (i.labels ?? []).includes(label))
        .sort((a, b) => Date.parse(a.updated) - Date.parse(b.updated))
        .map((i) => this.issueJson(i)),
    ];
  }
}
