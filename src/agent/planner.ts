// The offline planner: a request in plain language → the tools to run, with their arguments. No model: synonyms
// per tool, fuzzy matching over the words of the synonyms and of the tools' descriptions (typos), time windows,
// team names, @mentions and repositories. Several intents ("sprint health and stale PRs") give several tools.
import { distance } from 'fastest-levenshtein';
import { parseTimeWindow, type TimeWindow } from './time-window.js';

/** What the planner needs to know of a tool. */
export interface PlannerTool {
  name: string;
  description: string;
  kind: 'read' | 'propose' | 'decide';
}

export interface PlannedCall {
  tool: string;
  args: Record<string, unknown>;
}

export type Plan =
  /** Run these tools (in this order). */
  | { kind: 'run'; calls: PlannedCall[]; window?: TimeWindow }
  /** Not sure: offer these tools (2-3, closest first) to pick from. */
  | { kind: 'choose'; choices: PlannedCall[] }
  /** No tool serves this; `reason` says why in one line. */
  | { kind: 'unservable'; reason: string };

export interface PlannerOptions {
  now: Date;
  timezone?: string;
  /** Team names known to em-agent (lower case); a team may not be accepted by every tool yet. */
  teams?: string[];
  /** Repositories as owner/name. */
  repos?: string[];
  /** People by handle or first name (lower case) → Slack user id, for "@alice" typed without Slack's mention. */
  people?: Record<string, string>;
  /** The bot's own user id: a mention of it is the address, not a person asked about. */
  botUserId?: string;
  sprintDays?: number;
}

// Phrases per tool. Weight 3: names the tool by itself; 2: strong; 1: a hint. Multi-word phrases match as phrases.
const SYNONYMS: Record<string, [string, number][]> = {
  'triage.list': [
    ['triage', 3],
    ['blocking', 3],
    ['blocker', 3],
    ['blockers', 3],
    ['blocked', 2],
    ['needs attention', 3],
    ['need attention', 3],
    ['attention', 2],
    ['on fire', 3],
    ['urgent', 2],
    ['stale', 3],
    ['stale prs', 3],
    ['stuck prs', 3],
    ['waiting for review', 3],
    ['waiting on review', 3],
    ['awaiting review', 3],
    ['unreviewed', 3],
    ['no reviewer', 2],
    ['review bottleneck', 3],
    ['bottleneck', 3],
    ['bottlenecks', 3],
    ['overloaded', 3],
    ['swamped', 3],
    ['too many reviews', 3],
    ['review load', 3],
    ['reviews', 1],
    ['failing main', 3],
    ['main is red', 3],
    ['build is broken', 3],
    ['broken build', 3],
    ['ci red', 3],
    ['red', 1],
    ['unassigned', 3],
    ['what should i look at', 3],
    ['what should i focus on', 3],
    ['focus', 2],
    ['priorities', 2],
    ['prioritize', 2],
    ['worry about', 2],
    ['holding up', 3],
    ['held up', 3],
    ['slowing', 2],
    ['at risk', 2],
    ['old prs', 3],
    ['old pull requests', 3],
    ['open prs', 2],
    ['pull requests', 1],
    ['prs', 1],
    ['pr', 1],
  ],
  'standup.report': [
    ['standup', 3],
    ['stand-up', 3],
    ['stand up', 3],
    ['who did what', 3],
    ['been up to', 3],
    ['up to', 1],
    ['worked on', 3],
    ['working on', 3],
    ['what did', 2],
    ['shipped', 2],
    ['merged', 2],
    ['opened', 1],
    ['reviewed', 2],
    ['activity', 3],
    ['done', 1],
    ['did', 1],
    ['progress', 2],
    ['accomplished', 3],
    ['contributions', 3],
    ['tickets moved', 3],
    ['recap', 2],
    ['catch me up', 3],
    ['catch up', 3],
  ],
  'sprint.health': [
    ['sprint', 3],
    ['sprint health', 3],
    ['burndown', 3],
    ['burn down', 3],
    ['scope creep', 3],
    ['scope', 2],
    ['committed', 2],
    ['carry over', 3],
    ['carryover', 3],
    ['carried over', 3],
    ['on track', 3],
    ['velocity', 2],
    ['cycle', 2],
    ['iteration', 3],
    ['aging', 2],
    ['stuck in', 2],
    ['in qa', 2],
    ['points', 2],
    ['story points', 3],
    ['finish', 1],
    ['deadline', 1],
  ],
  'dora.report': [
    ['dora', 3],
    ['four keys', 3],
    ['lead time', 3],
    ['deploy frequency', 3],
    ['deployment frequency', 3],
    ['deploys', 3],
    ['deployments', 3],
    ['deployed', 2],
    ['deploying', 2],
    ['how often do we ship', 3],
    ['how often we ship', 3],
    ['ship to prod', 2],
    ['change failure rate', 3],
    ['failure rate', 3],
    ['cfr', 3],
    ['mttr', 3],
    ['time to restore', 3],
    ['recovery time', 3],
    ['time to recover', 3],
    ['delivery performance', 3],
    ['delivery metrics', 3],
    ['engineering metrics', 3],
    ['metrics', 2],
    ['throughput', 2],
    ['elite', 2],
    ['performer', 2],
  ],
  'signals.list': [
    ['signals', 3],
    ['signal', 3],
    ['alerts', 3],
    ['alert', 2],
    ['risks', 2],
    ['risk', 1],
    ['red flags', 3],
    ['warnings', 3],
    ['rules fired', 3],
    ['rules', 2],
    ['flagged', 2],
  ],
  'approvals.list': [
    ['approvals', 3],
    ['approval', 2],
    ['pending approvals', 3],
    ['waiting for my approval', 3],
    ['waiting on me', 3],
    ['waiting for me', 3],
    ['sign-off', 3],
    ['sign off', 3],
    ['proposals', 3],
    ['proposed', 2],
    ['need my decision', 3],
    ['to approve', 3],
  ],
  'policy.explain': [
    ['policy', 3],
    ['policies', 3],
    ['allowed to', 2],
    ['need approval', 3],
    ['needs approval', 3],
    ['require approval', 3],
    ['automatically', 2],
    ['auto-run', 3],
    ['what happens if', 2],
    ['permitted', 2],
  ],
  'approvals.audit': [
    ['audit', 3],
    ['audit log', 3],
    ['who approved', 3],
    ['who rejected', 3],
    ['decisions', 3],
    ['decided', 2],
    ['approved', 2],
    ['rejected', 2],
  ],
  'incidents.list': [
    ['incident', 3],
    ['incidents', 3],
    ['outage', 3],
    ['outages', 3],
    ['sev1', 3],
    ['sev2', 3],
    ['sev', 2],
    ['postmortem', 2],
    ['is down', 3],
    ['went down', 3],
    ['pages', 2],
    ['paged', 2],
    ['on fire in prod', 3],
    ['production issues', 3],
    ['prod issues', 3],
  ],
  'ask.search': [
    ['docs', 3],
    ['doc', 2],
    ['documentation', 3],
    ['runbook', 3],
    ['runbooks', 3],
    ['wiki', 3],
    ['confluence', 3],
    ['how do we', 3],
    ['how do i', 3],
    ['how to', 2],
    ['where is', 2],
    ['where do', 2],
    ['guide', 2],
    ['process for', 3],
    ['explain', 1],
    ['what is our', 2],
    ["what's our", 2],
    ['onboarding', 2],
    ['written down', 3],
  ],
  'sources.status': [
    ['sources', 3],
    ['sync', 3],
    ['synced', 3],
    ['syncing', 3],
    ['connectors', 3],
    ['connector', 3],
    ['integration', 2],
    ['integrations', 2],
    ['rate limit', 3],
    ['data fresh', 3],
    ['up to date', 2],
    ['stale data', 3],
  ],
  'approvals.propose': [
    ['nudge', 3],
    ['ping', 3],
    ['remind', 3],
    ['dm', 3],
    ['message', 2],
    ['tell', 2],
    ['ask', 1],
  ],
};

/** Requests asking for something no tool does (acting on systems directly, or deciding). */
const CANNOT = [
  /^(?:please\s+|can you\s+|could you\s+|pls\s+)?(?:deploy|merge|revert|rollback|roll back|restart|reboot|delete|drop|close|reopen|book|order|reset|rotate|schedule|cancel|buy|install|upgrade|create a repo|scale)\b/,
  /\b(?:approve|reject)\s+(?:every|all|the|it|that|this|proposal|request|pending|#?\d)/,
  /\b(?:promote|promotion|performance review|perf review|turn off|disable|mute|silence|weather|lunch|pizza|joke|poem|song|meeting room|vacation|holiday|pto|salary|salaries|payroll|stock price|aws bill|cloud bill|invoice|password|calendar|flight)\b/,
];

const STOP = new Set(
  'a an the of to in on for and or is are was were be been it its this that these those what whats who whos how why when where which our we us my me i you your do does did can could should would will with from at by as about any all some there their them they he she his her than then so if not no yes just get show tell give list me please pls hey hi thanks'.split(
    ' ',
  ),
);

const words = (text: string) =>
  text
    .toLowerCase()
    .replace(/[’']/g, "'")
    .split(/[^a-z0-9'#-]+/)
    .map((w) => w.replace(/^'+|'+$/g, ''))
    .filter(Boolean);

/** Typo tolerance: 1 edit from 5 letters, 2 from 9. */
const near = (a: string, b: string) => {
  if (a === b) return true;
  if (a.length >= 4 && a.length === b.length) {
    // One swap of neighbours ("sprnit", "tiem").
    const i = [...a].findIndex((ch, k) => ch !== b[k]);
    if (i >= 0 && a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2)) return true;
  }
  if (a.length < 5 || b.length < 5) return false;
  const allowed = Math.min(a.length, b.length) >= 9 ? 2 : 1;
  return Math.abs(a.length - b.length) <= allowed && distance(a, b) <= allowed;
};

function phraseScore(clauseWords: string[], phrase: string): boolean {
  const p = words(phrase);
  if (p.length === 0) return false;
  outer: for (let i = 0; i + p.length <= clauseWords.length; i++) {
    for (let j = 0; j < p.length; j++) if (!near(clauseWords[i + j] as string, p[j] as string)) continue outer;
    return true;
  }
  return false;
}

interface Scored {
  tool: string;
  score: number;
}

function scoreClause(clause: string, tools: PlannerTool[], descWords: Map<string, Set<string>>): Scored[] {
  const w = words(clause);
  const content = w.filter((x) => !STOP.has(x));
  return tools
    .map((tool) => {
      let score = 0;
      const seen = new Set<string>();
      // Longest phrases first, so "stale prs" counts once rather than "stale" and "prs" each.
      const phrases = [...(SYNONYMS[tool.name] ?? [])].sort((a, b) => words(b[0]).length - words(a[0]).length);
      const used = new Set<number>();
      for (const [phrase, weight] of phrases) {
        if (seen.has(phrase)) continue;
        const pw = words(phrase);
        for (let i = 0; i + pw.length <= w.length; i++) {
          if ([...Array(pw.length).keys()].some((k) => used.has(i + k))) continue;
          if (phraseScore(w.slice(i, i + pw.length), phrase)) {
            score += weight;
            seen.add(phrase);
            for (let k = 0; k < pw.length; k++) used.add(i + k);
            break;
          }
        }
      }
      // The tool's description: each content word found there is a weak hint.
      const desc = descWords.get(tool.name) ?? new Set();
      for (const x of content) if (x.length >= 4 && desc.has(x)) score += 0.5;
      return { tool: tool.name, score };
    })
    .sort((a, b) => b.score - a.score);
}

const RUN_AT = 2;
/** What a general question is offered when nothing closer stands out. */
const OVERVIEWS = ['triage.list', 'sprint.health', 'standup.report'];
const OFFER_AT = 1;

/** Splits a request into its intents: "sprint health and stale PRs", "dora; also incidents". */
function clauses(text: string): string[] {
  return text
    .split(/\s*(?:[;?!]|,|\band also\b|\balso\b|\bplus\b|\bas well as\b|&|\band\b|\bthen\b)\s*/i)
    .map((c) => c.trim())
    .filter((c) => c.length > 0);
}

const MENTION = /<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g;
const REPO = /\b([a-z0-9][\w.-]*\/[\w.-]+)\b/gi;

interface Extracted {
  people: string[];
  repo?: string;
  team?: string;
  window?: TimeWindow;
  agingDays?: number;
  auditLimit?: number;
  policyAction?: string;
  text: string;
}

function extract(raw: string, o: PlannerOptions): Extracted {
  const people: string[] = [];
  let text = raw.replace(MENTION, (_m, id: string) => {
    if (id !== o.botUserId && !people.includes(id)) people.push(id);
    return id === o.botUserId ? ' ' : ' someone ';
  });
  text = text.replace(/(^|\s)@([a-z][\w.-]*)/gi, (m, pre: string, handle: string) => {
    const id = o.people?.[handle.toLowerCase()];
    if (!id) return m;
    if (!people.includes(id)) people.push(id);
    return `${pre}someone`;
  });
  let repo: string | undefined;
  const known = (o.repos ?? []).map((r) => r.toLowerCase());
  text = text.replace(REPO, (m) => {
    if (repo || /^\d+\/\d+$/.test(m) || m.includes('//')) return m;
    repo = m.toLowerCase();
    return ' ';
  });
  if (!repo) {
    for (const full of known) {
      const short = full.split('/')[1] as string;
      const re = new RegExp(
        `\\b(?:the\\s+)?(?:${short.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')})\\s+(?:repo|repository|service)\\b|\\b(?:repo|repository)\\s+${short}\\b`,
        'i',
      );
      if (re.test(text)) {
        repo = full;
        text = text.replace(re, ' ');
        break;
      }
    }
  }
  // The team named first (a follow-up's own team comes before the one of the request it extends).
  let team: string | undefined;
  let teamAt = Number.POSITIVE_INFINITY;
  for (const name of o.teams ?? []) {
    const esc = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const re = new RegExp(`(?:^|[^\\w/-])#?(${esc})(?:\\s+(?:team|squad|group))?(?=$|[^\\w/-])`, 'i');
    const found = re.exec(text);
    if (found && found.index < teamAt) {
      team = name;
      teamAt = found.index;
    }
  }
  const window = parseTimeWindow(text, o.now, { timezone: o.timezone, sprintDays: o.sprintDays });
  const tl = text.toLowerCase();
  const aging = /\b(?:more than|over|longer than|for|>)\s*(\d{1,2})\s*(?:days?|d)\b/.exec(tl);
  const limit = /\b(?:last|latest|recent)\s+(\d{1,3})\s+(?:decisions|entries|approvals|events|lines|actions)\b/.exec(
    tl,
  );
  return {
    people,
    repo,
    team,
    window,
    agingDays:
      aging && /\b(stuck|aging|sitting|in (?:qa|review|progress)|stalled)\b/.test(tl) ? Number(aging[1]) : undefined,
    auditLimit: limit ? Number(limit[1]) : undefined,
    policyAction: policyActionOf(tl),
    text,
  };
}

function policyActionOf(t: string): string | undefined {
  const named =
    /\b(slack\.dm|slack\.post|github\.comment|github\.label|github\.request_reviewers|jira\.comment|jira\.create|linear\.comment|linear\.create)\b/.exec(
      t,
    );
  if (named) return named[1];
  if (/\b(dm|direct message|nudge)/.test(t)) return 'slack.dm';
  if (/\bpost(?:ing)?\b.*\bchannel|\bchannel post/.test(t)) return 'slack.post';
  if (/\blabel/.test(t)) return 'github.label';
  if (/\breview(?:er)? requests?|request(?:ing)? (?:a )?review/.test(t)) return 'github.request_reviewers';
  if (/\bcomment/.test(t))
    return /\bjira\b/.test(t) ? 'jira.comment' : /\blinear\b/.test(t) ? 'linear.comment' : 'github.comment';
  if (/\b(ticket|issue)s?\b/.test(t)) return /\blinear\b/.test(t) ? 'linear.create' : 'jira.create';
  return undefined;
}

/** The arguments a tool gets from what the request named. Team and repo go to the tools about the org's work. */
function argsFor(tool: string, x: Extracted): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  const scoped = ['triage.list', 'standup.report', 'sprint.health', 'dora.report', 'signals.list', 'incidents.list'];
  if (scoped.includes(tool)) {
    if (x.team) args.team = x.team;
    if (x.repo && tool !== 'sprint.health') args.repo = x.repo;
  }
  if ((tool === 'standup.report' || tool === 'triage.list') && x.people.length) args.people = x.people;
  if (x.window) {
    if (tool === 'dora.report') args.days = Math.min(365, x.window.days);
    if (tool === 'standup.report') args.hours = Math.min(336, x.window.hours);
    if (tool === 'incidents.list') args.recentDays = Math.min(90, x.window.days);
  }
  if (tool === 'sprint.health' && x.agingDays) args.agingDays = x.agingDays;
  if (tool === 'approvals.audit' && x.auditLimit) args.limit = x.auditLimit;
  if (tool === 'policy.explain' && x.policyAction) args.action = x.policyAction;
  if (tool === 'ask.search')
    args.query = x.text
      .replace(/\bsomeone\b/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 300);
  if (tool === 'approvals.propose') {
    const text = x.text
      .replace(/\s+/g, ' ')
      .replace(/^\s*(?:please\s+|can you\s+|could you\s+)?(?:nudge|ping|remind|dm|message|tell|ask)\s+someone\s*/i, '')
      .trim();
    args.action = 'slack.dm';
    args.params = { to: { slack: x.people[0] }, text: text || 'a nudge' };
    args.summary = `DM <@${x.people[0]}>: ${text || 'a nudge'}`.slice(0, 300);
  }
  return args;
}

/** Plans a request. Never throws: every text gets a plan, an offer to choose, or an honest "no tool does this". */
export function plan(request: string, tools: PlannerTool[], options: PlannerOptions): Plan {
  const usable = tools.filter((t) => t.kind !== 'decide');
  const x = extract(request, options);
  const t = x.text.toLowerCase().replace(/\s+/g, ' ').trim();
  if (CANNOT.some((re) => re.test(t)))
    return {
      kind: 'unservable',
      reason: 'I can only read reports and propose messages for a person to approve; I cannot do that.',
    };
  // "Nudge @bob about …": addressed to one person with a verb of messaging, it is a proposal, whatever it is about.
  if (
    x.people.length === 1 &&
    usable.some((u) => u.name === 'approvals.propose') &&
    /^(?:please\s+|can you\s+|could you\s+|pls\s+)?(?:nudge|ping|remind|dm|message|tell)\s+someone\b/.test(t)
  )
    return { kind: 'run', calls: [{ tool: 'approvals.propose', args: argsFor('approvals.propose', x) }] };
  const descWords = new Map(
    usable.map((tool) => [tool.name, new Set(words(tool.description).filter((w) => !STOP.has(w)))]),
  );
  const picked = new Map<string, number>();
  let best: Scored[] = [];
  for (const clause of clauses(x.text)) {
    const scores = scoreClause(clause, usable, descWords).filter((s) => {
      // A proposal needs someone to send it to; "ask" alone is mostly "ask the docs".
      if (s.tool === 'approvals.propose')
        return (
          x.people.length === 1 &&
          /^\s*(?:please\s+|can you\s+|could you\s+)?(?:nudge|ping|remind|dm|message|tell|ask)\b/i.test(clause)
        );
      return true;
    });
    const top = scores[0];
    if (!top) continue;
    const docs = scores.find((s) => s.tool === 'ask.search');
    if (docs && docs.score >= RUN_AT && docs.score >= top.score) {
      // "How do we roll back a deploy?" is a question for the docs, whatever else its words name.
      picked.set('ask.search', docs.score);
    } else if (top.score >= RUN_AT) {
      picked.set(top.tool, Math.max(picked.get(top.tool) ?? 0, top.score));
      // A second tool as strong as the first in one clause ("stale PRs in the sprint") runs too.
      for (const s of scores.slice(1)) if (s.score >= 3 && s.score >= top.score) picked.set(s.tool, s.score);
    }
    if ((best[0]?.score ?? 0) < top.score) best = scores;
  }
  // The proposal is the request: reports named around it are its context, not extra work.
  if (picked.has('approvals.propose'))
    return { kind: 'run', calls: [{ tool: 'approvals.propose', args: argsFor('approvals.propose', x) }] };
  // People named and nothing else asked: what they have been doing.
  if (picked.size === 0 && x.people.length > 0 && usable.some((u) => u.name === 'standup.report'))
    picked.set('standup.report', 1);
  if (picked.size > 0) {
    const order = usable.map((u) => u.name);
    const calls = [...picked.keys()]
      .sort((a, b) => order.indexOf(a) - order.indexOf(b))
      .map((tool) => ({ tool, args: argsFor(tool, x) }));
    return { kind: 'run', calls, ...(x.window ? { window: x.window } : {}) };
  }
  // Unsure: the closest two or three tools as choices; a general "how are things?" gets the overviews.
  const generic =
    /^(?:so\s+)?(?:how(?:'s| is| are)? (?:things|it going|we doing|are we)|what'?s up|status|updates?|any news|overview|summary)\b/.test(
      t,
    );
  const offers = best.filter((s) => s.score >= OFFER_AT && s.tool !== 'approvals.propose').slice(0, 3);
  if (offers.length > 0 || generic) {
    const names = offers.map((s) => s.tool);
    for (const fallback of [...best.filter((s) => s.score > 0).map((s) => s.tool), ...OVERVIEWS])
      if (
        names.length < 3 &&
        !names.includes(fallback) &&
        fallback !== 'approvals.propose' &&
        usable.some((u) => u.name === fallback)
      )
        names.push(fallback);
    return { kind: 'choose', choices: names.slice(0, 3).map((tool) => ({ tool, args: argsFor(tool, x) })) };
  }
  return { kind: 'unservable', reason: 'None of my tools answers that.' };
}
