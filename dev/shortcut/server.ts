// A local Shortcut REST API v3 for the endpoints em-agent uses, with the shapes Shortcut documents: the
// `Shortcut-Token` header (401 without it), teams (`/groups`), members with profiles, workflows whose states are
// typed backlog/unstarted/started/done, iterations (dates without a time), epics, story search with Shortcut's query
// language (`team:` and `updated:` ranges by day) paged by the `next` path (25 a page at most, and only the first
// 1000 matches reachable), a story, and a story's history (History entries: actions with old/new `changes`, and
// `references` naming the workflow states and iterations they mention). 429 with Retry-After and 5xx on demand.
// Outgoing webhooks: `webhook()` builds the delivery Shortcut would send for a history entry, signed with the
// secret as Shortcut signs it (`Payload-Signature`: hex HMAC-SHA256 of the body).
import { createHmac, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StandIn } from '../stand-in.js';

type Json = Record<string, unknown>;

export interface StandInState {
  id: number;
  name: string;
  type: 'backlog' | 'unstarted' | 'started' | 'done';
}

export interface StandInMember {
  id: string;
  mention: string;
  name: string;
  email: string | null;
}

export interface StandInHistory {
  id: string;
  changed_at: string;
  primary_id: number;
  member_id?: string;
  version: 'v1';
  actions: Json[];
  references: Json[];
}

export interface StandInStory {
  id: number;
  name: string;
  /** The team's mention name. */
  team: string;
  stateId: number;
  storyType: 'feature' | 'bug' | 'chore';
  estimate: number | null;
  iterationId: number | null;
  epicId: number | null;
  labels: string[];
  ownerIds: string[];
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
  history: StandInHistory[];
}

export interface StandInIteration {
  id: number;
  name: string;
  status: 'unstarted' | 'started' | 'done';
  /** YYYY-MM-DD, as Shortcut has them. */
  start_date: string;
  end_date: string;
  teams: string[];
  updated_at?: string;
}

export interface StandInEpic {
  id: number;
  name: string;
  state: 'to do' | 'in progress' | 'done';
  team?: string;
  ownerId?: string;
  deadline?: string | null;
  pointsDone: number;
  points: number;
  updated_at: string;
}

/** Shortcut's search pages hold at most 25 results, and only the first 1000 matches can be paged through. */
export const SEARCH_PAGE_CAP = 25;
export const SEARCH_REACH = 1000;

const APP = 'https://app.shortcut.com/acme';

export class ShortcutStandIn extends StandIn {
  readonly token: string = randomUUID();
  readonly teams = new Map<string, { id: string; name: string }>();
  readonly members: StandInMember[] = [];
  readonly states: StandInState[] = [
    { id: 500000001, name: 'Backlog', type: 'backlog' },
    { id: 500000002, name: 'To Do', type: 'unstarted' },
    { id: 500000003, name: 'In Progress', type: 'started' },
    { id: 500000004, name: 'QA', type: 'started' },
    { id: 500000005, name: 'Blocked', type: 'started' },
    { id: 500000006, name: 'Done', type: 'done' },
    { id: 500000007, name: "Won't Do", type: 'done' },
  ];
  readonly stories: StandInStory[] = [];
  readonly iterations: StandInIteration[] = [];
  readonly epics: StandInEpic[] = [];
  /** Every request as received: method, path and query string (never the token), and the status answered. */
  readonly requests: { method: string; path: string; query: URLSearchParams; status: number }[] = [];
  private labelIds = new Map<string, number>();

  addTeam(mention: string, name = mention): string {
    const id = randomUUID();
    this.teams.set(mention, { id, name });
    return id;
  }

  addMember(member: Omit<StandInMember, 'id'> & { id?: string }): StandInMember {
    const full = { id: member.id ?? randomUUID(), ...member };
    this.members.push(full);
    return full;
  }

  state(name: string): StandInState {
    const s = this.states.find((x) => x.name === name);
    if (!s) throw new Error(`no workflow state ${name}`);
    return s;
  }

  addStory(
    story: Partial<Omit<StandInStory, 'stateId'>> & { id: number; name: string; team: string; state?: string },
  ): StandInStory {
    const at = new Date().toISOString();
    const { state, ...rest } = story;
    const full: StandInStory = {
      storyType: 'feature',
      estimate: null,
      iterationId: null,
      epicId: null,
      labels: [],
      ownerIds: [],
      createdAt: at,
      updatedAt: at,
      completedAt: null,
      history: [],
      ...rest,
      stateId: this.state(state ?? 'To Do').id,
    };
    if (!this.teams.has(full.team)) this.addTeam(full.team);
    this.stories.push(full);
    return full;
  }

  private story(id: number): StandInStory {
    const s = this.stories.find((x) => x.id === id);
    if (!s) throw new Error(`no story ${id}`);
    return s;
  }

  /** Records a story update as Shortcut's history has it, and moves `updated_at` on. */
  private update(
    id: number,
    changes: Json,
    references: Json[],
    at: string | undefined,
    memberId: string | undefined,
  ): StandInHistory {
    const s = this.story(id);
    const when = at ?? new Date(Math.max(Date.now(), Date.parse(s.updatedAt) + 1000)).toISOString();
    const entry: StandInHistory = {
      id: randomUUID(),
      changed_at: when,
      primary_id: s.id,
      ...(memberId ? { member_id: memberId } : {}),
      version: 'v1',
      actions: [
        {
          id: s.id,
          entity_type: 'story',
          action: 'update',
          name: s.name,
          story_type: s.storyType,
          app_url: this.storyUrl(s),
          changes,
        },
      ],
      references,
    };
    s.history.push(entry);
    if (Date.parse(when) > Date.parse(s.updatedAt)) s.updatedAt = when;
    return entry;
  }

  private stateRef(state: StandInState): Json {
    return { id: state.id, entity_type: 'workflow-state', type: state.type, name: state.name };
  }

  move(id: number, stateName: string, at?: string, memberId?: string): StandInHistory {
    const s = this.story(id);
    const from = this.states.find((x) => x.id === s.stateId) as StandInState;
    const to = this.state(stateName);
    const changes: Json = { workflow_state_id: { old: from.id, new: to.id } };
    if (to.type === 'started' && from.type !== 'started') changes.started = { old: false, new: true };
    if (to.type === 'done' && from.type !== 'done') changes.completed = { old: false, new: true };
    if (to.type !== 'done' && from.type === 'done') changes.completed = { old: true, new: false };
    const entry = this.update(id, changes, [this.stateRef(from), this.stateRef(to)], at, memberId);
    s.stateId = to.id;
    s.completedAt = to.type === 'done' ? entry.changed_at : null;
    return entry;
  }

  setIteration(id: number, iterationId: number | null, at?: string, memberId?: string): StandInHistory {
    const s = this.story(id);
    const changes: Json = {
      iteration_id: { ...(s.iterationId ? { old: s.iterationId } : {}), ...(iterationId ? { new: iterationId } : {}) },
    };
    const refs = [s.iterationId, iterationId]
      .filter((x): x is number => x !== null)
      .map((x) => ({
        id: x,
        entity_type: 'iteration',
        name: this.iterations.find((i) => i.id === x)?.name ?? `Iteration ${x}`,
        app_url: `${APP}/iteration/${x}`,
      }));
    const entry = this.update(id, changes, refs, at, memberId);
    s.iterationId = iterationId;
    return entry;
  }

  setEstimate(id: number, estimate: number | null, at?: string, memberId?: string): StandInHistory {
    const s = this.story(id);
    const entry = this.update(
      id,
      {
        estimate: {
          ...(s.estimate !== null ? { old: s.estimate } : {}),
          ...(estimate !== null ? { new: estimate } : {}),
        },
      },
      [],
      at,
      memberId,
    );
    s.estimate = estimate;
    return entry;
  }

  /**
   * Deletes a story (it answers 404 from then on) and answers the history entry Shortcut's webhook sends for it: one
   * `delete` action naming the story, without `changes`.
   */
  deleteStory(id: number, memberId?: string): StandInHistory {
    const s = this.story(id);
    this.stories.splice(this.stories.indexOf(s), 1);
    return {
      id: randomUUID(),
      changed_at: new Date(Math.max(Date.now(), Date.parse(s.updatedAt) + 1000)).toISOString(),
      primary_id: s.id,
      ...(memberId ? { member_id: memberId } : {}),
      version: 'v1',
      actions: [{ id: s.id, entity_type: 'story', action: 'delete', name: s.name, story_type: s.storyType }],
      references: [],
    };
  }

  /** The delivery Shortcut's outgoing webhook sends for a history entry, signed as Shortcut signs it. */
  webhook(entry: StandInHistory, secret?: string): { body: string; headers: Record<string, string> } {
    const body = JSON.stringify(entry);
    return {
      body,
      headers: {
        'content-type': 'application/json',
        ...(secret ? { 'payload-signature': createHmac('sha256', secret).update(body).digest('hex') } : {}),
      },
    };
  }

  private storyUrl(s: StandInStory): string {
    return `${APP}/story/${s.id}/${s.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  }

  private labelId(name: string): number {
    let id = this.labelIds.get(name);
    if (!id) {
      id = 900 + this.labelIds.size;
      this.labelIds.set(name, id);
    }
    return id;
  }

  storyJson(s: StandInStory): Json {
    const state = this.states.find((x) => x.id === s.stateId) as StandInState;
    return {
      entity_type: 'story',
      id: s.id,
      global_id: `v2:s:1:${s.id}`,
      name: s.name,
      story_type: s.storyType,
      app_url: this.storyUrl(s),
      archived: false,
      blocked: false,
      blocker: false,
      started: state.type === 'started' || state.type === 'done',
      completed: state.type === 'done',
      completed_at: s.completedAt,
      started_at: null,
      created_at: s.createdAt,
      updated_at: s.updatedAt,
      workflow_id: 500000000,
      workflow_state_id: s.stateId,
      estimate: s.estimate,
      iteration_id: s.iterationId,
      previous_iteration_ids: [],
      epic_id: s.epicId,
      project_id: null,
      group_id: this.teams.get(s.team)?.id ?? null,
      owner_ids: s.ownerIds,
      follower_ids: [],
      requested_by_id: s.ownerIds[0] ?? randomUUID(),
      label_ids: s.labels.map((l) => this.labelId(l)),
      labels: s.labels.map((name) => ({
        entity_type: 'label',
        id: this.labelId(name),
        global_id: `v2:l:1:${this.labelId(name)}`,
        name,
        color: '#e75569',
        archived: false,
        app_url: `${APP}/label/${this.labelId(name)}`,
      })),
      mention_ids: [],
      member_mention_ids: [],
      group_mention_ids: [],
      external_links: [],
      story_links: [],
      position: s.id * 1000,
      deadline: null,
    };
  }

  private groupsJson(): Json[] {
    return [...this.teams.entries()].map(([mention, g]) => ({
      entity_type: 'group',
      id: g.id,
      global_id: `v2:g:1:${g.id}`,
      mention_name: mention,
      name: g.name,
      archived: false,
      description: '',
      app_url: `${APP}/settings/team/${g.id}`,
      member_ids: [],
      workflow_ids: [500000000],
      num_stories: this.stories.filter((s) => s.team === mention).length,
      num_stories_started: 0,
      num_epics_started: 0,
    }));
  }

  /** Shortcut's search query, as far as em-agent uses it: `team:<mention>` and `updated:<from>..<to>` (days, `*`). */
  private search(query: string): StandInStory[] {
    let list = [...this.stories];
    for (const term of query.trim().split(/\s+/)) {
      const [op, value = ''] = term.split(/:(.*)/s) as [string, string?];
      if (op === 'team') {
        const mention = value.replace(/^@/, '').replace(/^"|"$/g, '');
        list = list.filter((s) => s.team === mention);
      } else if (op === 'updated') {
        const m = /^(\*|\d{4}-\d{2}-\d{2})\.\.(\*|\d{4}-\d{2}-\d{2})$/.exec(value);
        if (!m) throw new BadRequest(`The date range "${value}" could not be parsed.`);
        const from = m[1] === '*' ? 0 : Date.parse(`${m[1]}T00:00:00Z`);
        const to = m[2] === '*' ? Number.POSITIVE_INFINITY : Date.parse(`${m[2]}T00:00:00Z`) + 86_400_000;
        list = list.filter((s) => Date.parse(s.updatedAt) >= from && Date.parse(s.updatedAt) < to);
      } else if (term) throw new BadRequest(`Unsupported search operator in stand-in: ${term}`);
    }
    // Ranked by relevance in Shortcut; here newest-id first (callers must not depend on the order).
    return list.sort((a, b) => b.id - a.id);
  }

  protected async route(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const entry = { method, path: url.pathname, query: url.searchParams, status: 200 };
    this.requests.push(entry);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      entry.status = status;
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(body));
    };
    if (req.headers['shortcut-token'] !== this.token) return send(401, { message: 'Unauthorized' });
    const fault = this.takeFault(`${url.pathname}${url.search}`, method);
    if (fault) {
      return send(
        fault.status,
        { message: fault.message ?? (fault.status === 429 ? 'Too Many Requests' : 'Server Error') },
        fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {},
      );
    }
    const path = url.pathname.replace(/^\/api\/v3/, '');
    try {
      if (method !== 'GET') return send(405, { message: 'Method Not Allowed' });
      if (path === '/groups') return send(200, this.groupsJson());
      if (path === '/members')
        return send(
          200,
          this.members.map((m) => ({
            entity_type: 'member',
            id: m.id,
            role: 'member',
            disabled: false,
            state: 'full',
            group_ids: [],
            created_without_invite: false,
            profile: {
              entity_type: 'profile',
              id: m.id,
              mention_name: m.mention,
              name: m.name,
              email_address: m.email,
              deactivated: false,
              is_owner: false,
              display_icon: null,
            },
          })),
        );
      if (path === '/workflows')
        return send(200, [
          {
            entity_type: 'workflow',
            id: 500000000,
            name: 'Engineering',
            description: '',
            team_id: 1,
            project_ids: [],
            default_state_id: this.state('To Do').id,
            auto_assign_owner: false,
            created_at: '2025-01-01T00:00:00Z',
            updated_at: '2025-01-01T00:00:00Z',
            states: this.states.map((s, i) => ({
              entity_type: 'workflow-state',
              id: s.id,
              global_id: `v2:ws:1:${s.id}`,
              name: s.name,
              type: s.type,
              position: i,
              description: '',
              num_stories: 0,
              num_story_templates: 0,
              created_at: '2025-01-01T00:00:00Z',
              updated_at: '2025-01-01T00:00:00Z',
            })),
          },
        ]);
      if (path === '/iterations')
        return send(
          200,
          this.iterations.map((i) => ({
            entity_type: 'iteration',
            id: i.id,
            global_id: `v2:i:1:${i.id}`,
            name: i.name,
            status: i.status,
            start_date: i.start_date,
            end_date: i.end_date,
            group_ids: i.teams.map((t) => this.teams.get(t)?.id).filter(Boolean),
            group_mention_ids: [],
            associated_groups: [],
            labels: [],
            label_ids: [],
            follower_ids: [],
            mention_ids: [],
            member_mention_ids: [],
            app_url: `${APP}/iteration/${i.id}`,
            created_at: '2025-01-01T00:00:00Z',
            updated_at: i.updated_at ?? '2025-01-01T00:00:00Z',
            stats: {},
          })),
        );
      if (path === '/epics')
        return send(
          200,
          this.epics.map((e) => ({
            entity_type: 'epic',
            id: e.id,
            global_id: `v2:e:1:${e.id}`,
            name: e.name,
            state: e.state,
            app_url: `${APP}/epic/${e.id}`,
            archived: false,
            started: e.state !== 'to do',
            completed: e.state === 'done',
            deadline: e.deadline ?? null,
            updated_at: e.updated_at,
            created_at: '2025-01-01T00:00:00Z',
            group_ids: e.team ? [this.teams.get(e.team)?.id] : [],
            owner_ids: e.ownerId ? [e.ownerId] : [],
            labels: [],
            project_ids: [],
            stats: { num_points: e.points, num_points_done: e.pointsDone },
          })),
        );
      if (path === '/search/stories') {
        const query = url.searchParams.get('query');
        if (!query) return send(400, { message: 'query is required' });
        const size = Math.min(Number(url.searchParams.get('page_size') ?? 25) || 25, SEARCH_PAGE_CAP);
        const start = url.searchParams.get('next')
          ? Number(Buffer.from(url.searchParams.get('next') as string, 'base64url').toString())
          : 0;
        const all = this.search(query);
        const reachable = all.slice(0, SEARCH_REACH);
        const page = reachable.slice(start, start + size);
        const end = start + page.length;
        const next =
          end < reachable.length
            ? `/api/v3/search/stories?${new URLSearchParams({
                query,
                page_size: String(size),
                next: Buffer.from(String(end)).toString('base64url'),
              })}`
            : null;
        return send(200, { data: page.map((s) => this.storyJson(s)), next, total: all.length });
      }
      const story = /^\/stories\/(\d+)(\/history)?$/.exec(path);
      if (story) {
        const s = this.stories.find((x) => x.id === Number(story[1]));
        if (!s) return send(404, { message: 'Resource not found.' });
        if (story[2])
          return send(
            200,
            [...s.history].sort((a, b) => Date.parse(a.changed_at) - Date.parse(b.changed_at)),
          );
        return send(200, this.storyJson(s));
      }
      return send(404, { message: 'Resource not found.' });
    } catch (err) {
      if (err instanceof BadRequest) return send(400, { message: err.message });
      throw err;
    }
  }
}

class BadRequest extends Error {}
