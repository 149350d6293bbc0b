// A local Linear GraphQL API: a subset of Linear's schema executed by the reference `graphql` implementation,
// so queries are parsed and validated as Linear's server would; Relay-style pagination, API-key auth.
// Rate limiting as Linear does it (https://linear.app/developers/rate-limiting): a query's complexity is counted
// before it runs (a property 0.1 point, an object 1, a connection multiplies its children by its `first`, 50 when
// unset) and one above 10,000 points is refused; every answer says its cost (`x-complexity`) and what is left of the
// request and complexity budgets (`x-ratelimit-{requests,complexity}-{limit,remaining,reset}`, the reset in UTC epoch
// milliseconds); a client over a budget gets HTTP 400 (not 429) with the GraphQL error code `RATELIMITED` in
// `extensions.code` and no Retry-After.
// Webhooks as Linear sends data-change events: { action, type, data, updatedFrom, url, createdAt, webhookTimestamp,
// webhookId }, data as the model serializes it (labels a plain list, relations as ids and small objects, no
// history), `Linear-Signature` = hex HMAC-SHA256 of the raw body; deliveries may be late, repeated or reordered.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  buildSchema,
  type DocumentNode,
  type FieldNode,
  type GraphQLObjectType,
  getNamedType,
  graphql,
  isLeafType,
  isObjectType,
  Kind,
  parse,
  type SelectionNode,
  type ValueNode,
} from 'graphql';
import { hmacHex, postWebhook, StandIn } from '../stand-in.js';

const SCHEMA = buildSchema(`
  scalar DateTime
  input StringComparator { eq: String, in: [String!] }
  scalar DateTimeOrDuration
  input DateComparator { gte: DateTimeOrDuration, gt: DateTimeOrDuration }
  input CycleFilter { endsAt: DateComparator }
  input TeamFilter { key: StringComparator }
  input IssueFilter { team: TeamFilter, updatedAt: DateComparator }
  type PageInfo { hasNextPage: Boolean!, endCursor: String }
  type WorkflowState { name: String!, type: String! }
  type User { id: ID!, email: String, name: String }
  scalar TimelessDate
  enum PaginationOrderBy { createdAt updatedAt }
  type Team { id: ID!, key: String!, cycles(first: Int, filter: CycleFilter): CycleConnection!, projects(first: Int): ProjectConnection! }
  type Project {
    id: ID!, name: String!, state: String!, progress: Float!, targetDate: TimelessDate, url: String!,
    updatedAt: DateTime!, lead: User
  }
  type ProjectConnection { nodes: [Project!]! }
  type Cycle { id: ID!, number: Float!, name: String, startsAt: DateTime!, endsAt: DateTime!, completedAt: DateTime }
  type CycleConnection { nodes: [Cycle!]! }
  type TeamConnection { nodes: [Team!]! }
  type IssueLabel { name: String! }
  type IssueLabelConnection { nodes: [IssueLabel!]! }
  type IssueHistory {
    id: ID!, createdAt: DateTime!, actor: User, fromState: WorkflowState, toState: WorkflowState,
    fromCycleId: String, toCycleId: String, fromEstimate: Float, toEstimate: Float
  }
  type IssueHistoryConnection { nodes: [IssueHistory!]!, pageInfo: PageInfo! }
  type Issue {
    id: ID!, identifier: String!, previousIdentifiers: [String!]!, title: String!, priority: Float, estimate: Float,
    url: String!,
    createdAt: DateTime!, updatedAt: DateTime!, completedAt: DateTime,
    state: WorkflowState!, assignee: User, team: Team!, cycle: Cycle, project: Project,
    labels(first: Int, after: String): IssueLabelConnection!, history(first: Int, after: String): IssueHistoryConnection!
  }
  type IssueConnection { nodes: [Issue!]!, pageInfo: PageInfo! }
  type Comment { id: ID!, body: String! }
  type CommentPayload { success: Boolean!, comment: Comment }
  type IssuePayload { success: Boolean!, issue: Issue }
  input CommentCreateInput { id: String, issueId: String!, body: String }
  input IssueCreateInput { id: String, teamId: String!, title: String, description: String }
  type Query {
    issues(filter: IssueFilter, first: Int, after: String, orderBy: PaginationOrderBy): IssueConnection!
    teams(filter: TeamFilter, first: Int): TeamConnection!
    issue(id: String!): Issue!
    comment(id: String!): Comment!
  }
  type Mutation {
    commentCreate(input: CommentCreateInput!): CommentPayload!
    issueCreate(input: IssueCreateInput!): IssuePayload!
  }
`);

export interface StandInLinearIssue {
  identifier: string;
  /** Its identifiers in teams it was moved from (Linear's `previousIdentifiers`); its id stays the same. */
  previousIdentifiers?: string[];
  /** The id, when it differs from `uuid-<identifier>` (an issue moved to another team keeps its id). */
  uuid?: string;
  title: string;
  team: string;
  state: { name: string; type: string };
  assignee?: { id: string; email: string; name: string };
  estimate?: number;
  cycleId?: string;
  projectId?: string;
  labels?: string[];
  createdAt: string;
  updatedAt: string;
  /** State moves (from/to names), cycle moves (ids, null = no cycle) and estimate changes, as IssueHistory has them. */
  history: {
    id: string;
    createdAt: string;
    actor?: string;
    from?: string;
    to?: string;
    fromCycleId?: string | null;
    toCycleId?: string | null;
    fromEstimate?: number | null;
    toEstimate?: number | null;
  }[];
}

/** At most this many history entries per page, whatever `first` asks. */
export const HISTORY_PAGE_CAP = 50;

export class LinearStandIn extends StandIn {
  protected override readonly urlPath = '/graphql';
  readonly apiKey = `lin_api_${'k'.repeat(32)}`;
  readonly issues: StandInLinearIssue[] = [];
  readonly cycles: {
    team: string;
    id: string;
    number: number;
    startsAt: string;
    endsAt: string;
    completedAt: string | null;
  }[] = [];
  readonly projects: {
    team: string;
    id: string;
    name: string;
    state: string;
    progress: number;
    targetDate: string | null;
    updatedAt: string;
    lead?: { id: string; email: string; name: string };
  }[] = [];
  readonly calls: { status: number; operation: string }[] = [];
  /** Comments by id (Linear lets the client choose the id; a second create with the same id fails). */
  readonly comments = new Map<string, { id: string; issue: string; body: string }>();
  private rateLimitNext: { times: number; budget: 'requests' | 'complexity'; resetInMs: number } = {
    times: 0,
    budget: 'requests',
    resetInMs: 0,
  };
  /** The complexity of each query answered (or refused as too complex), in the order received. */
  readonly complexities: { operation: string; complexity: number }[] = [];

  addIssue(issue: Partial<StandInLinearIssue> & { identifier: string; title: string }): StandInLinearIssue {
    const at = new Date().toISOString();
    const full: StandInLinearIssue = {
      team: issue.identifier.split('-')[0] as string,
      state: { name: 'Todo', type: 'unstarted' },
      createdAt: at,
      updatedAt: at,
      history: [],
      ...issue,
    };
    this.issues.push(full);
    return full;
  }

  private record(
    identifier: string,
    change: Omit<StandInLinearIssue['history'][number], 'id' | 'createdAt'>,
    at?: string,
  ) {
    const issue = this.issues.find((i) => i.identifier === identifier);
    if (!issue) throw new Error(`no issue ${identifier}`);
    const when = at ?? new Date(Math.max(Date.now(), Date.parse(issue.updatedAt) + 1000)).toISOString();
    issue.history.push({ id: `h-${issue.identifier}-${issue.history.length}`, createdAt: when, ...change });
    if (Date.parse(when) > Date.parse(issue.updatedAt)) issue.updatedAt = when;
    return issue;
  }

  move(identifier: string, state: { name: string; type: string }, at?: string, actor?: string): void {
    const issue = this.issues.find((i) => i.identifier === identifier);
    this.record(identifier, { from: issue?.state.name, to: state.name, actor }, at).state = state;
  }

  setCycle(identifier: string, cycleId: string | null, at?: string): void {
    const issue = this.issues.find((i) => i.identifier === identifier);
    this.record(identifier, { fromCycleId: issue?.cycleId ?? null, toCycleId: cycleId }, at).cycleId =
      cycleId ?? undefined;
  }

  setEstimate(identifier: string, estimate: number, at?: string): void {
    const issue = this.issues.find((i) => i.identifier === identifier);
    this.record(identifier, { fromEstimate: issue?.estimate ?? null, toEstimate: estimate }, at).estimate = estimate;
  }

  /**
   * Moves an issue to another team, as Linear does: a new identifier there, the old one in `previousIdentifiers`, the
   * same id; `updatedAt` moves on. Answers the new identifier.
   */
  moveToTeam(identifier: string, team: string, at?: string): string {
    const issue = this.issues.find((i) => i.identifier === identifier);
    if (!issue) throw new Error(`no issue ${identifier}`);
    const numbers = this.issues.filter((i) => i.team === team).map((i) => Number(i.identifier.split('-')[1]));
    const moved = `${team}-${Math.max(0, ...numbers) + 1}`;
    issue.uuid ??= `uuid-${identifier}`;
    issue.previousIdentifiers = [...(issue.previousIdentifiers ?? []), identifier];
    issue.identifier = moved;
    issue.team = team;
    issue.updatedAt = at ?? new Date(Math.max(Date.now(), Date.parse(issue.updatedAt) + 1000)).toISOString();
    return moved;
  }

  /** The body of an Issue webhook for the issue as it is now (`createdAt`: when the action happened). */
  webhookPayload(action: 'create' | 'update' | 'remove', identifier: string): Record<string, unknown> {
    const i = this.issues.find((issue) => issue.identifier === identifier);
    if (!i) throw new Error(`no issue ${identifier}`);
    const stateId = `state-${i.state.name.toLowerCase().replaceAll(' ', '-')}`;
    const data = {
      id: i.uuid ?? `uuid-${i.identifier}`,
      createdAt: i.createdAt,
      updatedAt: i.updatedAt,
      number: Number(i.identifier.split('-')[1]),
      title: i.title,
      priority: 3,
      priorityLabel: 'Medium',
      estimate: i.estimate ?? null,
      boardOrder: 0,
      sortOrder: -1000,
      completedAt: i.state.type === 'completed' ? i.updatedAt : null,
      teamId: `team-${i.team}`,
      stateId,
      assigneeId: i.assignee?.id ?? null,
      cycleId: i.cycleId ?? null,
      projectId: i.projectId ?? null,
      creatorId: 'u-maya',
      labelIds: (i.labels ?? []).map((name) => `label-${name}`),
      previousIdentifiers: i.previousIdentifiers ?? [],
      identifier: i.identifier,
      url: `https://linear.app/acme/issue/${i.identifier}`,
      // Webhooks name the assignee without the e-mail address the API gives.
      ...(i.assignee ? { assignee: { id: i.assignee.id, name: i.assignee.name } } : {}),
      state: { id: stateId, color: '#f2c94c', name: i.state.name, type: i.state.type },
      team: { id: `team-${i.team}`, key: i.team, name: i.team },
      ...(i.cycleId ? { cycle: { id: i.cycleId, number: 1 } } : {}),
      ...(i.projectId ? { project: { id: i.projectId, name: this.projectNode(i.projectId).name } } : {}),
      labels: (i.labels ?? []).map((name) => ({ id: `label-${name}`, color: '#bec2c8', name })),
    };
    const last = i.history.at(-1);
    return {
      action,
      actor: { id: last?.actor ?? 'u-maya', name: 'Maya', type: 'user' },
      createdAt: action === 'remove' ? new Date().toISOString() : i.updatedAt,
      data,
      ...(action === 'update' && last?.from
        ? { updatedFrom: { updatedAt: i.createdAt, stateId: `state-${last.from}` } }
        : {}),
      url: data.url,
      type: 'Issue',
      organizationId: 'org-acme',
      webhookId: 'webhook-1',
    };
  }

  /** Removes an issue (queries no longer return it) and answers the body of its `remove` webhook. */
  removeIssue(identifier: string): Record<string, unknown> {
    const payload = this.webhookPayload('remove', identifier);
    this.issues.splice(
      this.issues.findIndex((i) => i.identifier === identifier),
      1,
    );
    return payload;
  }

  /**
   * Sends a delivery as Linear does: `webhookTimestamp` is the moment of sending (ms; `timestamp` replays an old
   * one), and `Linear-Signature` signs the body with it.
   */
  async deliverWebhook(
    url: string,
    secret: string,
    payload: Record<string, unknown>,
    options: { timestamp?: number } = {},
  ): Promise<{ status: number; text: string }> {
    const timestamp = options.timestamp ?? Date.now();
    const body = JSON.stringify({ ...payload, webhookTimestamp: timestamp });
    return postWebhook(url, body, {
      'linear-signature': hmacHex(secret, body),
      'linear-timestamp': String(timestamp),
      'linear-delivery': randomUUID(),
      'linear-event': String(payload.type),
      'user-agent': 'Linear-Webhook',
    });
  }

  /**
   * The next `n` requests find a budget used up (the hourly requests, or the complexity points): answered 400 with
   * `RATELIMITED`, the budget's reset `resetInMs` from now.
   */
  rateLimitNextRequests(n: number, options: { budget?: 'requests' | 'complexity'; resetInMs?: number } = {}): void {
    this.rateLimitNext = { times: n, budget: options.budget ?? 'requests', resetInMs: options.resetInMs ?? 1000 };
  }

  private issueNode(i: StandInLinearIssue) {
    return {
      id: i.uuid ?? `uuid-${i.identifier}`,
      identifier: i.identifier,
      previousIdentifiers: i.previousIdentifiers ?? [],
      title: i.title,
      priority: 3,
      estimate: i.estimate ?? null,
      url: `https://linear.app/acme/issue/${i.identifier}`,
      createdAt: i.createdAt,
      updatedAt: i.updatedAt,
      completedAt: i.state.type === 'completed' ? i.updatedAt : null,
      state: i.state,
      assignee: i.assignee ?? null,
      team: { id: `team-${i.team}`, key: i.team, cycles: () => ({ nodes: [] }), projects: () => ({ nodes: [] }) },
      cycle: i.cycleId ? { id: i.cycleId } : null,
      project: i.projectId ? this.projectNode(i.projectId) : null,
      labels: (args: { first?: number }) => ({
        nodes: (i.labels ?? []).slice(0, args.first ?? 50).map((name) => ({ name })),
      }),
      // Newest first, in pages of at most 50.
      history: (args: { first?: number; after?: string }) => {
        const all = [...i.history].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
        const start = args.after ? Number(Buffer.from(args.after, 'base64').toString()) : 0;
        const page = all.slice(start, start + Math.min(args.first ?? 50, HISTORY_PAGE_CAP));
        const end = start + page.length;
        return {
          nodes: page.map((h) => ({
            id: h.id,
            createdAt: h.createdAt,
            actor: { id: h.actor ?? 'u-maya' },
            fromState: h.from ? { name: h.from, type: 'x' } : null,
            toState: h.to ? { name: h.to, type: 'x' } : null,
            fromCycleId: h.fromCycleId ?? null,
            toCycleId: h.toCycleId ?? null,
            fromEstimate: h.fromEstimate ?? null,
            toEstimate: h.toEstimate ?? null,
          })),
          pageInfo: { hasNextPage: end < all.length, endCursor: Buffer.from(String(end)).toString('base64') },
        };
      },
    };
  }

  private projectNode(id: string) {
    const p = this.projects.find((project) => project.id === id);
    if (!p) throw new Error(`no project ${id}`);
    return { ...p, url: `https://linear.app/acme/project/${p.id}`, lead: p.lead ?? null };
  }

  /** Client-chosen ids of created issues. */
  private readonly createdIds = new Map<string, string>();

  private findIssue(idOrIdentifier: string) {
    const identifier = this.createdIds.get(idOrIdentifier) ?? idOrIdentifier;
    return this.issues.find((i) => i.identifier === identifier || (i.uuid ?? `uuid-${i.identifier}`) === identifier);
  }

  private readonly root = {
    issue: ({ id }: { id: string }) => {
      const issue = this.findIssue(id);
      if (!issue) throw new Error('Entity not found: Issue');
      return this.issueNode(issue);
    },
    comment: ({ id }: { id: string }) => {
      const comment = this.comments.get(id);
      if (!comment) throw new Error('Entity not found: Comment');
      return comment;
    },
    commentCreate: ({ input }: { input: { id?: string; issueId: string; body?: string } }) => {
      const issue = this.findIssue(input.issueId);
      if (!issue) throw new Error('Entity not found: Issue');
      const id = input.id ?? `comment-${this.comments.size + 1}`;
      if (this.comments.has(id)) throw new Error('Entity already exists');
      const comment = { id, issue: issue.identifier, body: input.body ?? '' };
      this.comments.set(id, comment);
      return { success: true, comment };
    },
    issueCreate: ({ input }: { input: { id?: string; teamId: string; title?: string; description?: string } }) => {
      const team = input.teamId.replace(/^team-/, '');
      if (input.id && this.findIssue(input.id)) throw new Error('Entity already exists');
      const identifier = `${team}-${900 + this.issues.length}`;
      const issue = this.addIssue({ identifier, title: input.title ?? 'Untitled', team });
      if (input.id) this.createdIds.set(input.id, identifier);
      return { success: true, issue: this.issueNode(issue) };
    },
    issues: (args: {
      filter?: { team?: { key?: { in?: string[] } }; updatedAt?: { gte?: string } };
      first?: number;
      after?: string;
      orderBy?: 'createdAt' | 'updatedAt';
    }) => {
      const teams = args.filter?.team?.key?.in;
      const since = args.filter?.updatedAt?.gte ? Date.parse(args.filter.updatedAt.gte) : 0;
      // Linear orders by createdAt unless asked for updatedAt, so an issue updated mid-pass keeps its place.
      const order = args.orderBy ?? 'createdAt';
      const matching = this.issues
        .filter((i) => (!teams || teams.includes(i.team)) && Date.parse(i.updatedAt) >= since)
        .sort((a, b) => Date.parse(a[order]) - Date.parse(b[order]));
      const start = args.after ? Number(Buffer.from(args.after, 'base64').toString()) : 0;
      if (!Number.isInteger(start) || start < 0) throw new Error('Argument Validation Error: invalid cursor');
      const first = Math.min(args.first ?? 50, 250);
      const nodes = matching.slice(start, start + first).map((i) => this.issueNode(i));
      const end = start + nodes.length;
      return {
        nodes,
        pageInfo: { hasNextPage: end < matching.length, endCursor: Buffer.from(String(end)).toString('base64') },
      };
    },
    teams: (args: { filter?: { key?: { in?: string[]; eq?: string } }; first?: number }) => {
      const eq = args.filter?.key?.eq;
      const keys = (args.filter?.key?.in ?? (eq ? [eq] : [...new Set(this.issues.map((i) => i.team))])).slice(
        0,
        args.first ?? 50,
      );
      return {
        nodes: keys.map((key) => ({
          id: `team-${key}`,
          key,
          // Like Linear's: in creation order, 50 unless `first` says otherwise, `endsAt` filtered.
          cycles: (cycleArgs: { first?: number; filter?: { endsAt?: { gt?: string; gte?: string } } }) => {
            const ends = cycleArgs.filter?.endsAt;
            const after = (c: { endsAt: string }) =>
              (!ends?.gt || Date.parse(c.endsAt) > Date.parse(ends.gt)) &&
              (!ends?.gte || Date.parse(c.endsAt) >= Date.parse(ends.gte));
            const nodes = this.cycles.filter((c) => c.team === key && after(c)).slice(0, cycleArgs.first ?? 50);
            return { nodes: nodes.map((c) => ({ ...c, name: null })) };
          },
          projects: () => ({
            nodes: this.projects.filter((p) => p.team === key).map((p) => this.projectNode(p.id)),
          }),
        })),
      };
    },
  };

  protected async route(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const budgets = {
      'x-ratelimit-requests-limit': '5000',
      'x-ratelimit-requests-remaining': '4999',
      'x-ratelimit-requests-reset': String(Date.now() + 3_600_000),
      'x-ratelimit-complexity-limit': '3000000',
      'x-ratelimit-complexity-remaining': '2999000',
      'x-ratelimit-complexity-reset': String(Date.now() + 3_600_000),
    };
    const send = (status: number, body: unknown, headers: Record<string, string> = {}, operation = '') => {
      this.calls.push({ status, operation });
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...budgets, ...headers });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== this.apiKey) {
      return send(400, {
        errors: [
          {
            message: 'Authentication required, not authenticated',
            extensions: {
              type: 'authentication error',
              code: 'AUTHENTICATION_ERROR',
              userPresentableMessage: 'You need to authenticate to access this operation.',
            },
          },
        ],
      });
    }
    const limited = this.rateLimitNext;
    if (limited.times > 0) {
      limited.times -= 1;
      // Linear answers a used-up budget with HTTP 400 and the code in the error's extensions, not with 429.
      return send(
        400,
        {
          errors: [
            {
              message:
                limited.budget === 'requests'
                  ? 'Rate limit exceeded. Only 5000 requests are allowed per 1 hour.'
                  : 'Complexity limit exceeded. Only 3000000 complexity points are allowed per 1 hour.',
              extensions: {
                code: 'RATELIMITED',
                statusCode: 429,
                userPresentableMessage: 'You have exceeded the rate limit. Please try again later.',
              },
            },
          ],
        },
        {
          [`x-ratelimit-${limited.budget}-remaining`]: '0',
          [`x-ratelimit-${limited.budget}-reset`]: String(Date.now() + limited.resetInMs),
        },
      );
    }
    const { query, variables } = JSON.parse(Buffer.concat(chunks).toString() || '{}') as {
      query: string;
      variables?: Record<string, unknown>;
    };
    const operation = /(?:query|mutation)\s+(\w+)/.exec(query)?.[1] ?? '';
    let document: DocumentNode;
    try {
      document = parse(query);
    } catch (err) {
      return send(400, { errors: [{ message: (err as Error).message }] }, {}, operation);
    }
    const complexity = queryComplexity(document, variables ?? {});
    this.complexities.push({ operation, complexity });
    if (complexity > MAX_COMPLEXITY)
      return send(
        400,
        {
          errors: [
            {
              message: `Query too complex: its complexity is ${complexity}, more than the ${MAX_COMPLEXITY} allowed.`,
              extensions: { type: 'invalid input', userError: true },
            },
          ],
        },
        { 'x-complexity': String(complexity) },
        operation,
      );
    const result = await graphql({ schema: SCHEMA, source: query, rootValue: this.root, variableValues: variables });
    send(result.errors ? 400 : 200, result, { 'x-complexity': String(complexity) }, operation);
  }
}

/** Linear refuses a single query above this many complexity points. */
export const MAX_COMPLEXITY = 10_000;

/**
 * A query's complexity as Linear counts it (https://linear.app/developers/rate-limiting): each property 0.1 point,
 * each object 1 point, and a connection multiplies its children's points by its pagination argument (`first`), or
 * by 50 when it has none; the sum is rounded up.
 */
export function queryComplexity(document: DocumentNode, variables: Record<string, unknown>): number {
  const fragments = new Map(
    document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])),
  );
  const argumentValue = (node: ValueNode): unknown =>
    node.kind === Kind.VARIABLE ? variables[node.name.value] : node.kind === Kind.INT ? Number(node.value) : undefined;
  const walk = (selections: readonly SelectionNode[], parent: GraphQLObjectType): number =>
    selections.reduce((sum, selection) => {
      if (selection.kind === Kind.INLINE_FRAGMENT) return sum + walk(selection.selectionSet.selections, parent);
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        return sum + (fragment ? walk(fragment.selectionSet.selections, parent) : 0);
      }
      return sum + fieldComplexity(selection, parent);
    }, 0);
  const fieldComplexity = (field: FieldNode, parent: GraphQLObjectType): number => {
    const definition = parent.getFields()[field.name.value];
    if (!definition) return 0;
    const type = getNamedType(definition.type);
    if (isLeafType(type) || !isObjectType(type) || !field.selectionSet) return 0.1;
    const children = walk(field.selectionSet.selections, type);
    if (!type.name.endsWith('Connection')) return 1 + children;
    const first = field.arguments?.find((a) => a.name.value === 'first');
    const n = first ? Number(argumentValue(first.value) ?? 50) : 50;
    return 1 + n * children;
  };
  const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (!operation || operation.kind !== Kind.OPERATION_DEFINITION) return 0;
  const root = operation.operation === 'mutation' ? SCHEMA.getMutationType() : SCHEMA.getQueryType();
  return root ? Math.ceil(walk(operation.selectionSet.selections, root)) : 0;
}
