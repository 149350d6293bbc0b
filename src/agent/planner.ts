// The offline planner: a request in plain language → the tools to run, with their arguments. No model: synonyms
// per tool, fuzzy matching over the words of the synonyms and of the tools' descriptions (typos), time windows,
// team names, @mentions and repositories. Several intents ("sprint health and stale PRs") give several tools.

import escapeRe from 'escape-string-regexp';
import { findPhrase, words } from './phrase-match.js';
import { SYNONYMS } from './planner-vocabulary.js';
import { clauseQualifier, clauseTeams, teamIn } from './team-names.js';
import { parseTimeWindow, type TimeWindow } from './time-window.js';
import { okrCheckinIn, onboardingStartIn } from './tool-proposals.js';
import { isUnservable } from './unservable.js';

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

const STOP = new Set(
  'a an the of to in on for and or is are was were be been it its this that these those what whats who whos how why when where which our we us my me i you your do does did can could should would will with from at by as about any all some there their them they he she his her than then so if not no yes just get show tell give list me please pls hey hi thanks'.split(
    ' ',
  ),
);

interface Scored {
  tool: string;
  score: number;
}

interface PhraseHit {
  tool: string;
  start: number;
  end: number;
  score: number;
  /** The words as written, not a typo or another form of the phrase's. */
  exact: boolean;
}

const PHRASES = Object.fromEntries(
  Object.entries(SYNONYMS).map(([tool, list]) => [
    tool,
    // Longest phrases first, so "stale prs" counts once rather than "stale" and "prs" each.
    list.map(([phrase, weight]) => ({ words: words(phrase), weight })).sort((a, b) => b.words.length - a.words.length),
  ]),
);

/** "Who's been merging", "been reviewing": what people have been doing. */
const ACTIVITY =
  /\bbeen\s+(?!waiting|sitting|pending|blocked|stuck|failing|aging|idle|hanging|lingering|going down|approving|rejecting|deciding)[a-z]+ing\b/;

function scoreClause(
  clause: string,
  tools: PlannerTool[],
  descWords: Map<string, Set<string>>,
  x: Extracted,
): Scored[] {
  const w = words(clause);
  const content = w.filter((x) => !STOP.has(x));
  const hits: PhraseHit[] = [];
  for (const tool of tools) {
    const used = new Set<number>();
    const matched = new Set<(typeof PHRASES)[string][number]>();
    // The words as written first, then their other forms ("rejected" before "rejecting" claims "rejected").
    for (const atLeast of [1, 0])
      for (const phrase of PHRASES[tool.name] ?? []) {
        if (matched.has(phrase)) continue;
        const found = findPhrase(w, phrase.words, used, atLeast);
        if (!found) continue;
        matched.add(phrase);
        const end = found.start + phrase.words.length;
        for (let k = found.start; k < end; k++) used.add(k);
        hits.push({
          tool: tool.name,
          start: found.start,
          end,
          score: phrase.weight * found.quality,
          exact: w.slice(found.start, end).join(' ') === phrase.words.join(' '),
        });
      }
  }
  // A phrase inside a longer one of another tool is that tool's ("on fire" in "on fire in prod", "cycle" in
  // "cycle time"); words another tool has as written are not a typo for this one ("iteration", not "integration").
  const kept = hits.filter(
    (h) =>
      !hits.some(
        (o) =>
          o.tool !== h.tool &&
          o.start <= h.start &&
          o.end >= h.end &&
          (o.end - o.start > h.end - h.start || (o.end - o.start === h.end - h.start && o.exact && !h.exact)),
      ),
  );
  const bonus = new Map<string, number>();
  const lc = clause.toLowerCase();
  // "How has platform been doing" asks how it fares, not what it did.
  if (/\bhow\b[^.?!]*\bbeen\s+doing\b/.test(lc)) bonus.set('standup.report', -3);
  else if (ACTIVITY.test(lc)) bonus.set('standup.report', 2);
  // "What should I be looking at first", "what do we tackle today": what needs attention.
  if (
    /\bwhat\s+(?:should|do|must|shall)\s+(?:i|we)\s+(?:be\s+)?(?:look(?:ing)?\s+at|focus(?:ing)?\s+on|work(?:ing)?\s+on|tackl(?:e|ing)|start(?:ing)?\s+with|jump(?:ing)?\s+on|pick(?:ing)?\s+up|prioriti[sz](?:e|ing))\b/.test(
      lc,
    )
  )
    bonus.set('triage.list', 3);
  // "Teams that got archived", "incl archived teams" with no team named: the list of teams, archived ones too.
  if ((!x.team || x.team === 'org') && WITH_ARCHIVED.test(lc) && !NOT_ARCHIVED.test(lc)) bonus.set('teams.list', 4);
  // "Which PRs did mobile open and close", "what tickets did we ship": what was done.
  if (
    /\b(?:what|which)\s+(?:prs?|pull requests?|tickets?|issues?|work|changes)\s+(?:did|have|has)\s+[\w'-]+(?:\s+[\w'-]+)?\s+(?:open|merge|close|ship|land|review|finish|complete)/.test(
      lc,
    )
  )
    bonus.set('standup.report', 3);
  // "Incident 7", "INC-12": that incident's timeline, unless a list is asked for.
  if (x.incidentNumber !== undefined && /\b(?:inc|incident)[-\s#]*\d/.test(lc)) bonus.set('incidents.timeline', 3);
  // "Is the data from linear stale?": the freshness of the synced data.
  if (/\bdata\b/.test(lc) && /\b(?:stale|fresh|old|behind|outdated|current|up to date|lagging|missing)\b/.test(lc))
    bonus.set('sources.status', 4);
  // "The numbers look stale", "reports seem outdated": the synced data, not stale pull requests.
  if (
    /\b(?:numbers|figures|data|metrics|reports?|dashboards?|stats)\b[^.?!]*\b(?:look|looks|seem|seems|feel|are|is)\s+(?:\w+\s+)?(?:stale|old|outdated|off|behind|wrong|frozen)\b/.test(
      lc,
    )
  )
    bonus.set('sources.status', 4);
  // "Who is on the mobile team", "show me the platform team": the team itself (not "who is on call").
  if (
    x.team &&
    x.team !== 'org' &&
    (/\bwho(?:'s|s| is| are)?\s+(?:on|in)\s+(?:the\s+)?[\w-]+\s*(?:team|squad)?\b(?!\s*(?:shipped|merged|did|opened|worked|pushed|landed|reviewed|has been|have been|closed|finished))/.test(
      lc,
    ) ||
      /^\W*(?:show|tell)(?:\s+me)?(?:\s+about)?\s+(?:the\s+)?[\w-]+\s+(?:team|squad)\W*$/.test(lc))
  )
    bonus.set('teams.show', 4);
  // "Which repos does payments own", "show my team": the team's own details.
  if (
    (x.team &&
      x.team !== 'org' &&
      /\b(?:repos?|repositories|services|projects|boards)\b[^.?!]*\bown(?:s|ed)?\b|\bown(?:s)?\s+(?:which|what)\s+(?:repos?|repositories|services)\b/.test(
        lc,
      )) ||
    /^\W*(?:show|tell)(?:\s+me)?(?:\s+about)?\s+my\s+(?:team|squad)\W*$/.test(lc)
  )
    bonus.set('teams.show', 4);
  // "Is onboarding for dan going ok": one person's onboarding, not the list of them. A person's plan is their
  // onboarding plan only in a request about onboarding ("who's onboarding, and bob's plan"), not in "alice's plan for
  // the auth migration".
  if (
    x.people.length === 1 &&
    (/\bonboarding\b|\bnew[- ]hire plan\b|\bramp[- ]?up plan\b/.test(lc) ||
      (/\bsomeone(?:'s)?\s+(?:plan|checklist)\b|\bhow(?:'s|s| is)\s+someone\s+(?:doing|getting on|going|progressing|coming along)\b/.test(
        lc,
      ) &&
        /\bonboard/i.test(x.text))) &&
    !/\b(?:who|whos|which|list|all|running)\b/.test(lc)
  )
    bonus.set('onboarding.progress', 4);
  // "How am I doing on my own onboarding": the asking person's own.
  if (x.people.length === 0 && /\bmy\s+(?:own\s+)?(?:onboarding|new[- ]hire plan|ramp[- ]?up)\b/.test(lc))
    bonus.set('onboarding.progress', 4);
  // "What my team members did today": what was done, not who is on the team.
  if (
    /\bwhat\s+(?:[\w']+\s+){0,3}(?:did|shipped|merged|worked on)\b/.test(lc) &&
    !/\b(?:goals?|okrs?|key results?|objectives?|share|percent|fraction|portion|say|conclude|decide)\b/.test(lc)
  )
    bonus.set('standup.report', Math.max(bonus.get('standup.report') ?? 0, 2));
  // "Did I mute the digest?", "have I turned off pings?": what my notification settings are.
  if (
    /\b(?:did|have|has)\s+(?:i|we)\s+(?:muted?|turn(?:ed)? off|disabled?|silenced?|snoozed?|opt(?:ed)? out)\b/.test(lc)
  )
    bonus.set('notifications.preferences', 4);
  // "List mobile's objectives": a bare list of objectives, not their progress.
  if (
    (/\blist\b(?:\s+\S+){0,2}\s+(?:objectives|key results|krs)\b/.test(lc) ||
      (/\b(?:objectives|key results|krs)\b/.test(lc) &&
        /\b(?:just|only)\s+(?:the\s+)?list\b/.test(x.text.toLowerCase()))) &&
    !/\b(?:progress|on track|off track|tracking|status|at risk|risky|behind|confidence)\b/.test(lc)
  )
    bonus.set('okrs.list', 3);
  if (x.agingDays && x.agingIn === clause && !/\b(?:prs?|pull requests?|reviews?)\b/i.test(clause))
    bonus.set('sprint.health', 2);
  return tools
    .map((tool) => {
      let score = bonus.get(tool.name) ?? 0;
      for (const h of kept) if (h.tool === tool.name) score += h.score;
      // The tool's description: each content word found there is a weak hint.
      const desc = descWords.get(tool.name) ?? new Set();
      for (const x of content) if (x.length >= 4 && desc.has(x)) score += 0.5;
      return { tool: tool.name, score };
    })
    .sort((a, b) => b.score - a.score);
}

const RUN_AT = 2;
/** Greetings and politeness before the verb of a request. */
const POLITE_START = String.raw`^(?:(?:hey|hi|hello|yo|ok|okay)\b[\s,!]*)?(?:(?:please|pls|plz|kindly|quickly|just|go)\s+)*(?:(?:can|could|would|will)\s+(?:you|u)\s+(?:please\s+|pls\s+)?)?`;
/** Verbs of sending someone a message. */
const MESSAGING = 'nudge|ping|remind|dm|message|msg|tell|poke|send|chase|hit up|reach out to|follow up with';
/** What an audit log is counted in. */
const AUDIT_UNITS = /\b(?:lines|entries|rows|records|events|decisions)\b/;

/** A request about the present state: open incidents, what is active right now. */
const CURRENT_STATE = /\b(?:open|active|ongoing|current(?:ly)?|right now|rn|at the moment|still going)\b/;
/** What a general question is offered when nothing closer stands out. */
const OVERVIEWS = ['triage.list', 'sprint.health', 'standup.report'];
const OFFER_AT = 1;

/** Splits a request into its intents: "sprint health and stale PRs", "dora; also incidents". */
function clauses(text: string): string[] {
  return text
    .split(
      /\s*(?:[;?!]|,|\.\s|\band also\b|\balso\b|\bplus\b|\bas well as\b|\balong with\b|\btogether with\b|\bfollowed by\b|&|\s\+\s|\+|\band\b|\bthen\b)\s*/i,
    )
    .map((c) => c.trim())
    .filter((c) => c.length > 0);
}

/**
 * A part that asks for nothing: what the result is for ("need it for the postmortem", "it's for my 1:1") or what is
 * not wanted ("no progress needed", "don't need the burndown").
 */
const ASIDE =
  /^(?:[\w\s-]{1,30}\s+here$|(?:he|she|they|someone|it)\s+(?:says|said|mentioned|told me|claims|thinks|reports)\b|(?:i\s+)?need\s+(?:it|this|that|them|these|those)\s+(?:for|by|before)\b|(?:it'?s|this is|that'?s)\s+for\b|because\b|(?:no|not)\s+(?:\S+\s+){0,2}(?:needed|required|necessary|wanted)$|no need for\b|(?:i\s+)?(?:don'?t|do not)\s+(?:need|want|include)\b|skip\s+(?:the\s+)?\S+$)/i;

const MENTION = /<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g;
const REPO = /\b([a-z0-9][\w.-]*\/[\w.-]+)\b/gi;

interface Extracted {
  people: string[];
  repo?: string;
  team?: string;
  window?: TimeWindow;
  /** The window a part of the request names, if it names one. */
  windowOf: (text: string) => TimeWindow | undefined;
  agingDays?: number;
  /** The clause that names the aging ("stuck in QA for more than 5 days"). */
  agingIn?: string;
  incidentNumber?: number;
  /** A quarter named ("Q3", "last quarter", "2026Q1"), as 2026Q3. */
  quarter?: string;
  auditLimit?: number;
  policyAction?: string;
  text: string;
}

/** Where a person is first named in the request: a mention, an @handle or a first name. */
function firstNamed(raw: string, id: string, o: PlannerOptions): number {
  const at: number[] = [];
  for (const m of raw.matchAll(MENTION)) if (m[1] === id) at.push(m.index ?? 0);
  for (const [name, pid] of Object.entries(o.people ?? {})) {
    if (pid !== id) continue;
    const m = new RegExp(`(?:^|[^\\w/-])@?${escapeRe(name)}(?=$|[^\\w/-])`, 'i').exec(raw);
    if (m) at.push(m.index);
  }
  return at.length ? Math.min(...at) : Number.POSITIVE_INFINITY;
}

/** A limit on a list ("the 10 most recent", "last 20 entries", "top 5"), not a time window. */
const LIMIT =
  /\b(?:(?:last|latest|recent|newest|past|top|first)\s+(\d{1,3})(?!\s*(?:h|hrs?|hours?|d|days?|w|wks?|weeks?|m|mos?|months?|q|quarters?|y|yrs?|years?|sprints?|cycles?|iterations?|fortnights?)\b)|(\d{1,3})\s+(?:most recent|latest|newest|last|recent)\b)/;

/** "Give me the top 10 hits": how many passages a docs search returns. */
const HOW_MANY_HITS =
  /(?:,?\s*(?:give|show|get)\s+(?:me\s+)?)?(?:the\s+)?\b(?:top|first)\s+\d{1,3}\s*(?:hits|results|matches|passages|pages|docs)?\b/gi;

/** "The last 10 decisions", "last 5 approval entries": a count of audit entries. */
function auditLimitOf(text: string): number | undefined {
  const m =
    /\b(?:last|latest|recent|past)\s+(\d{1,3})\s+(?:[a-z]+\s+)?(?:decisions|entries|approvals|events|lines|actions|proposals|records|items)\b/.exec(
      text.toLowerCase(),
    ) ?? /\b(\d{1,3})\s+(?:lines|rows|entries|records|events|decisions)\s+(?:of|from)\b/.exec(text.toLowerCase());
  return m ? Number(m[1]) : undefined;
}

function limitOf(text: string): number | undefined {
  const m = LIMIT.exec(text.toLowerCase());
  return m ? Number(m[1] ?? m[2]) : undefined;
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
  // Known people by name, without the @ ("what did alice ship", "bob's PRs").
  for (const [name, id] of Object.entries(o.people ?? {})) {
    if (id === o.botUserId || name.length < 3) continue;
    text = text.replace(new RegExp(`(^|[^\\w@/-])${escapeRe(name)}(?:'s)?(?=$|[^\\w/-])`, 'gi'), (_m, pre: string) => {
      if (!people.includes(id)) people.push(id);
      return `${pre}someone`;
    });
  }
  people.sort((a, b) => firstNamed(raw, a, o) - firstNamed(raw, b, o));
  let repo: string | undefined;
  const known = (o.repos ?? []).map((r) => r.toLowerCase());
  text = text.replace(REPO, (m) => {
    if (repo || /^\d+\/\d+$/.test(m) || m.includes('//')) return m;
    repo = m.toLowerCase();
    return ' ';
  });
  if (!repo) {
    const shorts = known.map((full) => full.split('/')[1] as string);
    for (const [i, full] of known.entries()) {
      const short = shorts[i] as string;
      // A short name two repositories share names neither.
      if (shorts.filter((s) => s === short).length > 1) continue;
      // "payments-service", "payments service", "mobile_app": a separator may be written as a space.
      const esc = escapeRe(short).replace(/\\[-.]|[-_]/g, '[-_.\\s]?');
      // "the api repo", "repo monolith"; a distinctive name ("payments-service", "monolith") alone; a common word
      // ("api", "web") only after "in/on/for/of".
      const named = `\\b(?:the\\s+)?${esc}(?:'s)?\\s+(?:repo|repos|repository|service|codebase|project)\\b|\\b(?:repo|repository)\\s+${esc}\\b`;
      const distinctive = /[-_.]/.test(short) || short.length >= 6;
      const alone = distinctive
        ? `(?:^|(?<=[^\\w/-]))(?:the\\s+)?${esc}(?=$|[^\\w/-])`
        : `\\b(?:in|on|for|of|from|to|at)\\s+(?:the\\s+)?${esc}(?=$|\\s*[?.!,]|\\s+(?:this|last|over|since|in|for|and|repo)\\b)`;
      const re = new RegExp(`${named}|${alone}`, 'i');
      if (re.test(text)) {
        repo = full;
        text = text.replace(re, (m) =>
          /^(?:in|on|for|of|from|to|at)\s/i.test(m) ? `${m.split(/\s/)[0]} ` : /^the\s/i.test(m) ? ' the ' : ' ',
        );
        break;
      }
    }
  }
  // The team named first (a follow-up's own team comes before the one of the request it extends).
  const team = teamIn(text, o.teams ?? [])?.team;
  const tl = text.toLowerCase();
  const agingRe =
    /(?:\b(?:for\s+)?(?:more than|over|longer than|upwards of)|\bfor|\bolder than|>|\b(?:aging|age)\s+(?:threshold|limit|cutoff)\s*(?:of|at|=|:)?)\s*(\d{1,2}|a|one|two|three|four)\s*(days?|d|weeks?|w)\b/;
  const aging = agingRe.exec(tl);
  // The age's own part says what is aging ("dora over 30 days and also open incidents": no age).
  const agingPart = aging ? (clauses(tl).find((c) => c.includes(aging[0].trim())) ?? tl) : tl;
  const agingContext =
    /\b(stuck|aging|sitting|parked|same status|in (?:qa|review|progress)|stalled|idle|untouched|open|older than|(?:age|aging) (?:threshold|limit|cutoff))\b/.test(
      agingPart,
    );
  const agingDays = aging && agingContext ? daysOf(aging[1] as string, aging[2] as string) : undefined;
  // An age ("stuck for more than 5 days", "older than 2 weeks") is not the window the request is about.
  const ageless = (t: string) =>
    aging && (agingContext || /older than/.test(aging[0])) ? t.toLowerCase().replace(aging[0], ' ') : t.toLowerCase();
  const windowOf = (t: string) =>
    parseTimeWindow(ageless(t), o.now, { timezone: o.timezone, sprintDays: o.sprintDays });
  const window = windowOf(tl);
  const incident = /\b(?:inc|incident)[-\s#]*(\d{1,6})\b/.exec(tl);

  return {
    people,
    repo,
    team,
    window,
    windowOf,
    agingDays,
    agingIn: aging
      ? clauses(text).find((c) => c.toLowerCase().includes(aging[0].trim().split(/\s+/)[0] as string))
      : undefined,
    incidentNumber: incident ? Number(incident[1]) : undefined,
    quarter: quarterOf(tl, o.now),
    auditLimit: limitOf(tl) ?? auditLimitOf(tl),
    policyAction: policyActionOf(tl),
    text,
  };
}

/** "Q3", "q1 2027", "2026Q2", "this/last/next quarter" as 2026Q3 (a quarter without a year is this year's). */
function quarterOf(t: string, now: Date): string | undefined {
  const year = now.getUTCFullYear();
  const current = Math.floor(now.getUTCMonth() / 3) + 1;
  const shifted = (by: number) => {
    const index = year * 4 + (current - 1) + by;
    return `${Math.floor(index / 4)}Q${(index % 4) + 1}`;
  };
  const yearFirst = /\b(20\d\d)\s*-?\s*q([1-4])\b/.exec(t);
  if (yearFirst) return `${yearFirst[1]}Q${yearFirst[2]}`;
  const quarterFirst = /\bq([1-4])(?:\s*(?:of\s+)?'?(20\d\d|\d\d))?\b/.exec(t);
  if (quarterFirst) {
    const y = quarterFirst[2] ? Number(quarterFirst[2].length === 2 ? `20${quarterFirst[2]}` : quarterFirst[2]) : year;
    return `${y}Q${quarterFirst[1]}`;
  }
  if (/\b(?:this|current|the present)\s+quarter\b/.test(t)) return shifted(0);
  if (/\b(?:last|previous|past|prior)\s+quarter\b/.test(t)) return shifted(-1);
  if (/\bnext\s+quarter\b/.test(t)) return shifted(1);
  return undefined;
}

/** "Rerun the rules", "fresh signals", "re-evaluate": the rules run before the signals are listed. */
const REEVALUATE =
  /\b(?:re-?run|run|re-?evaluate|evaluate|refresh|re-?check|recompute)\s+(?:the\s+|all\s+(?:the\s+)?|our\s+|every\s+|each\s+)?(?:signal\s+)?(?:rules?|signals)\b|\b(?:fresh|current|up[- ]to[- ]date|live|latest)\s+signals\b|\bsignals\b[^.?!]*\b(?:re-?evaluated|re-?computed|refreshed)\b|\b(?:re-?evaluated|re-?computed|refreshed|re-?run|freshly evaluated)\s+(?:risk\s+)?signals\b|\b(?:fresh|new)\s+(?:rules?|signals?)\s+(?:evaluation|run|pass)\b/;

const SMALL_NUMBERS: Record<string, number> = { a: 1, one: 1, two: 2, three: 3, four: 4 };
function daysOf(n: string, unit: string): number {
  const count = SMALL_NUMBERS[n] ?? Number(n);
  return unit.startsWith('w') ? count * 7 : count;
}

function policyActionOf(t: string): string | undefined {
  const named =
    /\b(slack\.dm|slack\.post|github\.comment|github\.label|github\.request_reviewers|jira\.comment|jira\.create|linear\.comment|linear\.create)\b/.exec(
      t,
    );
  if (named) return named[1];
  if (/\b(dm|direct message|nudge)/.test(t)) return 'slack.dm';
  if (/\bpost(?:s|ing)?\b.*\b(?:channels?|slack)\b|\b(?:channel|slack) (?:post|message)s?\b/.test(t))
    return 'slack.post';
  if (/\blabel/.test(t)) return 'github.label';
  if (/\breview(?:er)? requests?|request(?:ing|s)? (?:a )?review|(?:add|assign)(?:ing|s)? (?:a )?reviewers?/.test(t))
    return 'github.request_reviewers';
  if (/\bcomment/.test(t))
    return /\bjira\b/.test(t) ? 'jira.comment' : /\blinear\b/.test(t) ? 'linear.comment' : 'github.comment';
  if (/\b(ticket|issue)s?\b/.test(t)) return /\blinear\b/.test(t) ? 'linear.create' : 'jira.create';
  return undefined;
}

const WITH_ARCHIVED =
  /\b(?:incl(?:uding|udes?)?|with|plus|and|also|even|show|list)\s+(?:the\s+|all\s+(?:the\s+)?)?archived\b|\bincl\w*\s+(?:the\s+)?(?:ones|those)\s+(?:that|which)\s+(?:were|are|got|have been)\s+archived\b|\barchived\s+(?:ones|teams|too|as well)\b|\bteams?\b[^.?!]*\b(?:are|is|were|was|been|got)\s+archived\b/;
const NOT_ARCHIVED = /\b(?:no|not|without|excluding|except|minus|skip)\s+(?:the\s+|any\s+)?archived\b/;

/** The arguments a tool gets from what the request named. Team and repo go to the tools about the org's work. */
function argsFor(tool: string, x: Extracted, clause?: string, looseWindow?: TimeWindow): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  const scoped = ['triage.list', 'standup.report', 'sprint.health', 'dora.report', 'signals.list', 'incidents.list'];
  if (scoped.includes(tool)) {
    if (x.team) args.team = x.team;
    if (x.repo && tool !== 'sprint.health') args.repo = x.repo;
  }
  if ((tool === 'standup.report' || tool === 'triage.list') && x.people.length) args.people = x.people;
  // A window named in a part that asks for no tool qualifies them all ("and over the last 30 days?" before the request
  // it follows up); else one named in the tool's own clause is its own ("dora for 30 days and incidents this week");
  // else the request's.
  const window = looseWindow ?? (clause !== undefined ? x.windowOf(clause) : undefined) ?? x.window;
  if (window) {
    if (tool === 'dora.report') args.days = Math.min(365, window.days);
    if (tool === 'standup.report') args.hours = Math.min(336, window.hours);
    if (tool === 'incidents.list') args.recentDays = Math.min(90, window.days);
  }
  if (tool === 'sprint.health' && x.agingDays) args.agingDays = x.agingDays;
  if (tool === 'signals.list' && REEVALUATE.test(x.text.toLowerCase())) args.evaluate = true;
  // A limit qualifies the list its clause asks for ("pending approvals + the last 10 audit entries").
  const limit = clause !== undefined ? (limitOf(clause) ?? auditLimitOf(clause)) : x.auditLimit;
  if (tool === 'approvals.audit' && limit) args.limit = Math.min(200, limit);
  if (tool === 'approvals.list' && limit) args.limit = Math.min(50, limit);
  if (tool === 'incidents.timeline' && x.incidentNumber) args.number = x.incidentNumber;
  // "File action item 143": the action item's id on the timeline.
  const actionItem = /\baction[- ]items?\s*(?:#|no\.?|number|id)?\s*(\d{1,9})\b/i.exec(x.text);
  if (tool === 'incidents.fileActionItem' && actionItem) args.actionItem = Number(actionItem[1]);
  if ((tool === 'teams.show' || tool.startsWith('okrs.')) && x.team) args.team = x.team;
  if (tool.startsWith('okrs.') && x.quarter) args.quarter = x.quarter;
  // "Teams including the archived ones", "archived ones too" (not "without the archived ones").
  if (tool === 'teams.list' && WITH_ARCHIVED.test(x.text.toLowerCase()) && !NOT_ARCHIVED.test(x.text.toLowerCase()))
    args.archived = true;
  if (tool === 'onboarding.progress' && x.people[0]) args.person = x.people[0];
  if (tool === 'policy.explain' && x.policyAction) args.action = x.policyAction;
  if (tool === 'ask.search' && limit) args.limit = Math.min(20, limit);
  if (tool === 'ask.search') {
    const query = (t: string) =>
      t
        .replace(/\bsomeone\b/g, ' ')
        .replace(/\s+/g, ' ')
        .trim()
        .slice(0, 300);
    // "Give me the top 10 hits" is how many, not what to look for.
    const unlimited = query(x.text.replace(HOW_MANY_HITS, ' '));
    args.query = unlimited.length >= 3 ? unlimited : query(x.text);
  }
  if (tool === 'ask.answer') args.question = x.text.replace(/\s+/g, ' ').trim().slice(0, 2000);
  if (tool === 'approvals.propose') {
    const text = x.text
      .replace(/\s+/g, ' ')
      .trim()
      .replace(new RegExp(`${POLITE_START}(?:(?:${MESSAGING}|ask)\\s+someone|let\\s+someone\\s+know)\\s*`, 'i'), '')
      .replace(/^[\s,;:.\-–—]+/, '')
      .replace(/^(?:saying|that|to say)\s+/i, '')
      .trim();
    args.action = 'slack.dm';
    args.params = { to: { slack: x.people[0] }, text: text || 'a nudge' };
    args.summary = `DM <@${x.people[0]}>: ${text || 'a nudge'}`.slice(0, 300);
  }
  return args;
}

/** A list of examples after a question: "…? reviews, blocked tix etc", "…? e.g. reviews or tickets". */
const EXAMPLES_AFTER_QUESTION =
  /\?\s*((?:(?:e\.?g\.?|like|i\.?e\.?|such as)[\s,:]+)?[^?]*?(?:\betc\.?|\band so on|\band stuff|\bthat kind of thing)|(?:e\.?g\.?|such as)[\s,:]+[^?]*)\s*$/i;

/** Where a request turns to another intent: "…, and show me …", "…; then open one …". */
const IMPERATIVE =
  'show|list|give|get|pull|check|tell me|open|create|file|raise|log|post|share|announce|dm|ping|nudge|message|remind|send|comment|go ahead and|propose';
const NEXT_INTENT = new RegExp(
  // After a conjunction any request may start; after a comma or a full stop only an imperative one (a question
  // there is mostly about what was just said: "ping bob, is he done with the review?").
  `(?:,?\\s+(?:and(?:\\s+then|\\s+also)?|then|also|plus)\\s+(?=(?:please\\s+|pls\\s+|(?:can|could) you\\s+)?(?:${IMPERATIVE}|what|whats|what's|how|is|are|any)\\b)|(?:\\s*;\\s*|[.?!]\\s+|,\\s*)(?=(?:please\\s+|pls\\s+|(?:can|could) you\\s+)?(?:${IMPERATIVE})\\b))`,
  'i',
);

/** Names of systems, not Jira project keys ("open a ticket in JIRA"). */
const NOT_A_PROJECT = new Set(['JIRA', 'LINEAR', 'GITHUB', 'SLACK', 'CI', 'PR', 'QA', 'UI', 'API', 'ASAP', 'TODO']);
const POLITE_I = new RegExp(POLITE_START, 'i');
/** The rest of a request after its verb and target: "to rotate the secret" → "rotate the secret". */
const tidy = (s: string) =>
  s
    .replace(/^\s*(?:[:,\-–—]|to say|saying|that|titled|called|named|about|for|to|with)?\s*/i, '')
    .replace(/^["“']|["”']$/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 250);

/** A pull request as written: "acme/web#12", "payments-service #77", "acme/web PR 12", "payments-service pull 305", "the api repo's PR 7". */
const PULL = String.raw`((?:pr|pull request|pull)\s*#?\s*\d+\s+(?:on|in|of)\s+[\w.-]+\/[\w.-]+|(?:the\s+)?[\w.-]+(?:\/[\w.-]+)?(?:\s?#\d+|(?:\s+repo(?:sitory)?)?(?:'s)?\s+(?:pr|pull request|pull)\s*#?\s*\d+))`;
/** Labels as written: "needs-design", "bug, needs-design", "'p1' and 'ux'". */
const LABELS = String.raw`((?:["'‘“\x60]?[\w:./-]+["'’”\x60]?)(?:\s*(?:,|\band\b|&)\s*["'‘“\x60]?[\w:./-]+["'’”\x60]?)*)`;
/** GitHub logins as written: "octo-dan", "@octo-dan and @mo". */
const LOGINS = String.raw`((?:@?[\w-]+)(?:\s*(?:,|\band\b|&)\s*@?[\w-]+)*)`;
/** A match whose pull request came first: its groups in the order [whole, names, pull request]. */
const swapped = (m: RegExpExecArray | null) => (m ? ([m[0], m[2], m[1]] as const) : null);
/** "bug, needs-design and 'p1'" → ["bug", "needs-design", "p1"]. */
const namesOf = (list: string) =>
  list
    .split(/\s*(?:,|\band\b|&)\s*/i)
    .map((n) => n.replace(/^["'‘“\x60]|["'’”\x60]$/g, '').trim())
    .filter(Boolean);

/** The repository (owner/name, or a known repository's short name) and number of a pull request as written. */
function pullRequestOf(written: string, o: PlannerOptions): { repo: string; number: number } | undefined {
  // "PR 1203 on acme/api": the number first.
  const numberFirst = /^(?:pr|pull request|pull)\s*#?\s*(\d+)\s+(?:on|in|of)\s+([\w.-]+\/[\w.-]+)$/i.exec(
    written.trim(),
  );
  if (numberFirst)
    return { repo: (numberFirst[2] as string).toLowerCase().replace(/\.+$/, ''), number: Number(numberFirst[1]) };
  const m =
    /^(?:the\s+)?([\w.-]+(?:\/[\w.-]+)?)(?:\s?#|(?:\s+repo(?:sitory)?)?(?:'s)?\s+(?:pr|pull request|pull)\s*#?\s*)(\d+)$/i.exec(
      written.trim(),
    );
  if (!m) return undefined;
  const name = (m[1] as string).toLowerCase();
  const norm = (s: string) => s.replace(/[-_.]/g, '');
  const repo = name.includes('/')
    ? name
    : (o.repos ?? []).find((r) => norm((r.split('/')[1] as string).toLowerCase()) === norm(name))?.toLowerCase();
  return repo ? { repo, number: Number(m[2]) } : undefined;
}

/**
 * A proposal the request asks for in this part of it: a DM to one person, a post in a channel with its text, a
 * Jira ticket in a named project, a Linear issue for a named team, a comment on a Jira key or a pull request.
 * Without its target (no project, no channel, no message) it is not a proposal, and the refusal rule decides.
 */
function proposalIn(part: string, o: PlannerOptions, request: string, usable: Set<string>): PlannedCall | undefined {
  // "What did bob do? and dm him to …": him, her or them is the one person the request names.
  const everyone = extract(request, o).people;
  const segment =
    everyone.length === 1
      ? part.replace(
          new RegExp(`(${POLITE_START}(?:${MESSAGING}|ask)\\s+)(?:him|her|them)\\b`, 'i'),
          `$1<@${everyone[0]}>`,
        )
      : part;
  const x = extract(segment, o);
  const own =
    (usable.has('okrs.checkin') ? okrCheckinIn(segment) : undefined) ??
    (usable.has('onboarding.start') ? onboardingStartIn(segment, x, (p) => personOf(p, o)) : undefined);
  if (own) return own;
  if (!usable.has('approvals.propose')) return undefined;
  const t = x.text.toLowerCase().replace(/\s+/g, ' ').trim();
  if (
    x.people.length === 1 &&
    new RegExp(
      `${POLITE_START}(?:(?:${MESSAGING})\\s+someone\\b|ask\\s+someone\\s+(?:to|about|if|whether|for)\\b|let\\s+someone\\s+know\\b)`,
    ).test(t)
  )
    return { tool: 'approvals.propose', args: argsFor('approvals.propose', x) };
  const raw = segment.replace(/\s+/g, ' ').trim().replace(POLITE_I, '');
  // A github.* proposal names its repository at the top too: that is the one policy matches.
  const propose = (action: string, params: Record<string, unknown>, summary: string): PlannedCall => ({
    tool: 'approvals.propose',
    args: {
      action,
      params,
      summary: summary.slice(0, 300),
      ...(action.startsWith('github.') && typeof params.repo === 'string' ? { repo: params.repo } : {}),
    },
  });
  // "post in #eng that …", "announce in #general: …", "tell #payments that …".
  const post =
    /^(?:post|announce|share|send|put|drop|write)\s+(?:a\s+(?:message|note|reminder|heads[- ]up|announcement|update)\s+)?(?:in|to|on|into)\s+(#[\w-]+|the\s+[\w-]+\s+channel)\s*(?:,?\s*(?:that|saying|to say)\b|[:\-–—])\s*(.+)$/i.exec(
      raw,
    ) ??
    /^(?:tell|let)\s+(#[\w-]+)\s+(?:know\s+)?(?:that\b|[:\-–—])\s*(.+)$/i.exec(raw) ??
    // "go ahead and propose posting 'deploy freeze starts friday' to #eng-announce": the text quoted, then where.
    swapped(
      /^(?:go\s+ahead\s+and\s+)?(?:propose\s+)?(?:posting|post|announcing|announce)\s+(["“'][^"”']+["”'])\s+(?:to|in|on|into)\s+(#[\w-]+)\s*[.!?]?$/i.exec(
        raw,
      ),
    );
  // "…, then post a summary of it in #eng-leads": what to post (made from what another part of the request read first,
  // so it points back at it), then where. A report named there ("post the sprint report in #eng"), or a request that
  // is only the post, is not a message I can write.
  const postWhat =
    post ||
    part.trim() === request.trim() ||
    !/\b(?:of|from|on|about)\s+(?:it|that|this|them|those|these|the above)\b/i.test(raw)
      ? null
      : /^(?:post|share|send|put|drop|write)\s+((?:a|an|the|this|that|our|my)\s+.+?)\s+(?:in|to|on|into)\s+(#[\w-]+)\s*[.!]?$/i.exec(
          raw,
        );
  if (postWhat) {
    const channel = postWhat[2] as string;
    const text = tidy(postWhat[1] as string);
    if (text) return propose('slack.post', { channel, text }, `Post in ${channel}: ${text}`);
  }
  if (post) {
    const channel = (post[1] as string).replace(/^the\s+|\s+channel$/gi, '').replace(/^(?!#)/, '#');
    const text = tidy(post[2] as string);
    if (text) return propose('slack.post', { channel, text }, `Post in ${channel}: ${text}`);
  }
  const ticketWords = /\b(?:tickets?|issues?|jira|bugs?|tasks?|stor(?:y|ies))\b/i.test(request);
  const verb = '(?:open|create|file|raise|log|make|add|cut|write up)';
  const thing = String.raw`(?:(?:(?:a|an|one|new|jira|bug|task|story)\s+)*(?:ticket|issue|bug|story|task)|(?:(?:a|an|one|new)\s+)*jira)`;
  const thingOrOne = ticketWords ? `(?:${thing}|one)` : thing;
  const key = String.raw`(?:the\s+)?(?:jira\s+)?(?:project\s+)?([A-Za-z][A-Za-z0-9]+)(?:\s+(?:project|board|backlog))?`;
  // "open a jira ticket in PAY to …", "file one in PAY for …", "open a ticket for … in PAY".
  const jira =
    new RegExp(`^(?:${verb}\\s+|(?=new\\s))${thingOrOne}\\s+(?:in|on|under|to|into)\\s+${key}\\b\\s*(.*)$`, 'i').exec(
      raw,
    ) ??
    (() => {
      const m = new RegExp(`^${verb}\\s+${thingOrOne}\\s+(.+?)\\s+(?:in|on|under|into)\\s+${key}\\s*[.!?]?$`, 'i').exec(
        raw,
      );
      return m ? ([m[0], m[2], m[1]] as const) : null;
    })() ??
    // "open a PLAT ticket to fix the flaky suite": the project's key before the thing.
    new RegExp(
      `^${verb}\\s+(?:(?:a|an|one|new)\\s+)*([A-Z][A-Z0-9]+)\\s+(?:(?:jira|bug|task|story)\\s+)?(?:ticket|issue|bug|story|task)\\b\\s*(.*)$`,
      'i',
    ).exec(raw);
  if (jira && !/linear/i.test(raw)) {
    const project = jira[1] as string;
    const summary = tidy(jira[2] as string);
    if (/^[A-Z][A-Z0-9]+$/.test(project) && !NOT_A_PROJECT.has(project) && summary)
      return propose('jira.create', { project, summary }, `Create a ${project} ticket: ${summary}`);
  }
  // "create a linear issue for the mobile team: …".
  const linear = new RegExp(
    `^(?:${verb}\\s+(?:a\\s+|an\\s+|new\\s+)*|new\\s+)linear\\s+(?:ticket|issue|task)\\s+(?:in|on|for|under|to)\\s+(?:the\\s+)?(?:team\\s+)?([\\w-]+)(?:\\s+team)?\\b\\s*(.*)$`,
    'i',
  ).exec(raw);
  if (linear) {
    const name = (linear[1] as string).toLowerCase();
    const team = (o.teams ?? []).includes(name) ? name : /^[A-Z][A-Z0-9]+$/.test(linear[1] as string) ? linear[1] : '';
    const title = tidy(linear[2] as string);
    if (team && title) return propose('linear.create', { team, title }, `Create a Linear issue for ${team}: ${title}`);
  }
  // "add the needs-design label to acme/web#12", "label acme/web#12 as bug, needs-design".
  const label =
    new RegExp(
      `^(?:add|put|apply|attach|stick|slap)\\s+(?:the\\s+|a\\s+)?(?:labels?\\s+)?${LABELS}\\s+(?:labels?\\s+)?(?:to|on|onto)\\s+${PULL}\\s*[.!?]?$`,
      'i',
    ).exec(raw) ?? swapped(new RegExp(`^label\\s+${PULL}\\s+(?:as|with)\\s+${LABELS}\\s*[.!?]?$`, 'i').exec(raw));
  const labelled = label ? pullRequestOf(label[2] as string, o) : undefined;
  if (label && labelled) {
    const labels = namesOf(label[1] as string);
    return propose(
      'github.label',
      { ...labelled, labels },
      `Label ${labelled.repo}#${labelled.number}: ${labels.join(', ')}`,
    );
  }
  // "request a review from octo-dan on acme/api#12", "add octo-dan as reviewer on acme/api#12".
  const review =
    new RegExp(
      `^(?:request|ask\\s+for|get)\\s+(?:a\\s+)?reviews?\\s+from\\s+(?:github\\s+(?:users?|logins?)\\s+)?${LOGINS}\\s+(?:on|for|of)\\s+${PULL}\\s*[.!?]?$`,
      'i',
    ).exec(raw) ??
    new RegExp(
      `^(?:add|request|assign)\\s+(?:github\\s+(?:users?|logins?)\\s+)?${LOGINS}\\s+as\\s+(?:an?\\s+)?reviewers?\\s+(?:on|to|for|of)\\s+${PULL}\\s*[.!?]?$`,
      'i',
    ).exec(raw) ??
    // "get github users jlee and mk to review payments-service#301".
    new RegExp(
      `^(?:get|have)\\s+(?:github\\s+(?:users?|logins?)\\s+)?${LOGINS}\\s+(?:to\\s+)?review\\s+${PULL}\\s*[.!?]?$`,
      'i',
    ).exec(raw) ??
    swapped(
      new RegExp(
        `^(?:request|ask\\s+for|get)\\s+(?:a\\s+)?reviews?\\s+(?:on|for|of)\\s+${PULL}\\s+from\\s+(?:github\\s+(?:users?|logins?)\\s+)?${LOGINS}\\s*[.!?]?$`,
        'i',
      ).exec(raw),
    );
  const reviewed = review ? pullRequestOf(review[2] as string, o) : undefined;
  if (review && reviewed) {
    const reviewers = namesOf(review[1] as string).map((r) => r.replace(/^@/, ''));
    return propose(
      'github.request_reviewers',
      { ...reviewed, reviewers },
      `Request a review of ${reviewed.repo}#${reviewed.number} from ${reviewers.join(', ')}`,
    );
  }
  // "nudge on payments-service PR 305: 'can someone review?'", "comment on the api repo's PR 12: …": a comment.
  const remark = new RegExp(
    `^(?:(?:add|leave|post|write|drop)\\s+a\\s+comment|comment|reply|nudge|ping|chase|poke|bump)\\s+(?:on|to|in)\\s+${PULL}\\s*(?:[:\\-–—]|,?\\s*(?:saying|to say)\\b)\\s*(.+)$`,
    'i',
  ).exec(raw);
  const remarked = remark ? pullRequestOf(remark[1] as string, o) : undefined;
  const remarkBody = remark ? tidy(remark[2] as string) : '';
  if (remarked && remarkBody)
    return propose(
      'github.comment',
      { ...remarked, body: remarkBody },
      `Comment on ${remarked.repo}#${remarked.number}: ${remarkBody}`,
    );
  // "comment on PAY-231: …", "leave a comment on acme/api#12 saying …".
  const comment =
    /^(?:(?:add|leave|post|write|drop)\s+a\s+(?:jira\s+|linear\s+)?comment|(?:jira\s+|linear\s+)?comment|reply)\s+(?:on|to|in)\s+(?:the\s+)?(?:(jira|linear)\s+)?(?:ticket\s+|issue\s+|pr\s+|pull request\s+)?([A-Za-z][A-Za-z0-9]+-\d+|[\w.-]+\/[\w.-]+#\d+)\b\s*(.*)$/i.exec(
      raw,
    );
  if (comment) {
    const tracker = comment[1]?.toLowerCase();
    const target = comment[2] as string;
    // "comment on GRO-88 in linear: …": the tracker named after the key is not part of the comment.
    const body = tidy((comment[3] as string).replace(/^(?:in|on)\s+(?:linear|jira)\b/i, ''));
    const gh = /^([\w.-]+\/[\w.-]+)#(\d+)$/.exec(target);
    if (body && gh)
      return propose(
        'github.comment',
        { repo: (gh[1] as string).toLowerCase(), number: Number(gh[2]), body },
        `Comment on ${target}: ${body}`,
      );
    // A key is Jira's unless the request says Linear ("comment on linear issue GRO-88: …").
    if (body && /^[A-Z][A-Z0-9]+-\d+$/.test(target))
      return tracker === 'linear' || (!tracker && /\blinear\b/i.test(raw))
        ? propose('linear.comment', { issue: target, body }, `Comment on ${target}: ${body}`)
        : propose('jira.comment', { key: target, body }, `Comment on ${target}: ${body}`);
  }
  return undefined;
}

/** The tools a part of a request may ask to propose through. */
const PROPOSING = ['approvals.propose', 'okrs.checkin', 'onboarding.start'];

/** A person as written ("<@U0BOB>", "@bob", "bob") → their Slack id. */
function personOf(written: string, o: PlannerOptions): string | undefined {
  const mention = /^<@([UW][A-Z0-9]+)/.exec(written);
  if (mention) return mention[1];
  return o.people?.[written.replace(/^@/, '').toLowerCase()];
}

const REFUSAL = 'I can only read reports and propose messages for a person to approve; I cannot do that.';
const GREETING = new Set([
  'hey',
  'hello',
  'yo',
  'ok',
  'okay',
  'pls',
  'plz',
  'please',
  'thx',
  'ty',
  'cheers',
  'morning',
]);

/** A rule written in the request (the rules/ YAML): try it without storing anything. A rule is a list item with its
 * id, name or kind ("- id: …", "- name: …", "- { name: …, kind: … }"), or the `rules:`/`calendar:` document. */
const RULE_YAML = /(?:^|\n)[ \t]*(?:-[ \t]+(?:\{[ \t]*)?(?:id|name|kind)[ \t]*:|rules:|calendar:)/;

const INLINE_RULE = /`{1,3}\s*(-\s*\{[^`]*\b(?:name|kind|id)\s*:[^`]*\})\s*`{1,3}/;

/** Plans a request. Never throws: every text gets a plan, an offer to choose, or an honest "no tool does this". */
export function plan(request: string, tools: PlannerTool[], options: PlannerOptions): Plan {
  const usable = tools.filter((t) => t.kind !== 'decide');
  const yaml = RULE_YAML.exec(request);
  if (yaml && usable.some((u) => u.name === 'signals.evaluate'))
    return {
      kind: 'run',
      calls: [{ tool: 'signals.evaluate', args: { yaml: request.slice(yaml.index).replace(/^\n/, '') } }],
    };
  // A rule quoted inline: "what would `- { name: stale24, kind: stale_pr }` catch?"
  const quoted = INLINE_RULE.exec(request);
  if (quoted && usable.some((u) => u.name === 'signals.evaluate'))
    return { kind: 'run', calls: [{ tool: 'signals.evaluate', args: { yaml: (quoted[1] as string).trim() } }] };
  const names = new Set(usable.map((u) => u.name));
  if (PROPOSING.some((n) => names.has(n))) {
    // Each part that asks for a proposal is one; the other parts are planned as a request of their own.
    const proposals: PlannedCall[] = [];
    const rest: string[] = [];
    for (const segment of request.split(NEXT_INTENT).filter((p) => p.trim())) {
      const proposal = proposalIn(segment, options, request, names);
      if (proposal) proposals.push(proposal);
      // A greeting before the request ("hey, can you …") is no part of its own.
      else if (words(segment).some((w) => !STOP.has(w) && !GREETING.has(w))) rest.push(segment);
    }
    if (proposals.length > 0) {
      if (rest.length === 0) return { kind: 'run', calls: proposals };
      const others = planReads(rest.join('; '), usable, options);
      // A part that acts where no tool does makes the request one I cannot do; a part I do not follow is context.
      if (others.kind === 'unservable' && others.reason === REFUSAL) return others;
      const reads = others.kind === 'run' ? others.calls.filter((c) => c.tool !== 'approvals.propose') : [];
      return { kind: 'run', calls: [...reads, ...proposals] };
    }
  }
  return planReads(request, usable, options);
}

/** What a document concluded or recommends: a question for the docs, whatever the words around it name. */
const DOCS_CONCLUSION =
  /\bwhat (?:did|does|do) (?:the|our|its|that)\s+(?:[\w-]+\s+)?(?:postmortems?|post-mortems?|runbooks?|docs?|wiki|handbook|rfcs?|adrs?|design docs?)\b[^.?!]*\b(?:conclude|recommend|decide|suggest|propose)\b/;
/** A question to be answered from the docs: how to do something, or what they say it is. */
const ANSWER_FROM_DOCS = new RegExp(
  String.raw`\b(?:according to|as per|per) (?:the |our )?(?:[\w-]+ )?(?:docs?|documentation|runbooks?|wiki|handbook|playbooks?|confluence|postmortems?)\b|^(?:so\s+|and\s+)?how (?:do|can|should|would) (?:we|i|you|one)\b|${DOCS_CONCLUSION.source}`,
);
/**
 * A question, then where its answer is written: "steps for rotating the key? per the runbooks", "…? check the docs".
 * Sent to one document ("…? check the runbook") it is a search for that document.
 */
const QUESTION_THEN_DOCS =
  /^([^?]+)\?\s*(?:(?:pls|please)\s+)?(?:(?:(?:as\s+)?per|according to|from)\s+(?:the\s+|our\s+)?(?:docs?|documentation|runbooks?|wiki|handbook|playbooks?|confluence|postmortems?)|(?:check|see|look in|in)\s+(?:the\s+|our\s+)?(?:docs|documentation|runbooks|playbooks|postmortems|confluence))\W*$/;
/** Finding the docs themselves, not an answer from them. */
const DOCS_LOOKUP =
  /\b(?:search|find|look up|lookup|where(?:'s| is| are| do| can)?|is there|are there|somewhere|written down|check the|links?|pages?|docs? (?:for|on)|hits|results)\b/;

function planReads(request: string, usable: PlannerTool[], options: PlannerOptions): Plan {
  const x = extract(request, options);
  const t = x.text.toLowerCase().replace(/\s+/g, ' ').trim();
  // "Nudge @bob about …": addressed to one person with a verb of messaging, it is a proposal, whatever it is about.
  if (
    x.people.length === 1 &&
    usable.some((u) => u.name === 'approvals.propose') &&
    new RegExp(
      `${POLITE_START}(?:(?:${MESSAGING})\\s+someone\\b|ask\\s+someone\\s+(?:to|about|if|whether|for)\\b|let\\s+someone\\s+know\\b)`,
    ).test(t)
  )
    return { kind: 'run', calls: [{ tool: 'approvals.propose', args: argsFor('approvals.propose', x) }] };
  if (isUnservable(t))
    return {
      kind: 'unservable',
      reason: REFUSAL,
    };
  const descWords = new Map(
    usable.map((tool) => [tool.name, new Set(words(tool.description).filter((w) => !STOP.has(w)))]),
  );
  const picked = new Map<string, number>();
  /** The clause each tool was picked for: its own arguments ("the last 10 audit entries") come from there. */
  const clauseOf = new Map<string, string>();
  let best: Scored[] = [];
  // "Anything waiting on me? reviews, blocked tix etc": what follows the question are examples of it.
  const examples = EXAMPLES_AFTER_QUESTION.exec(x.text);
  const exampleClauses = new Set(examples ? clauses(examples[1] as string) : []);
  // A condition ("if the bot wants to request reviewers, does that need sign-off?") is the premise of the question
  // beside it: it counts only when nothing else in the request asks for a tool.
  const conditional = (c: string) => /^(?:if|when|whenever|in case|assuming|suppose)\b/i.test(c);
  const ordered = [...clauses(x.text).filter((c) => !conditional(c)), ...clauses(x.text).filter(conditional)];
  for (const clause of ordered) {
    if (ASIDE.test(clause)) continue;
    if (picked.size > 0 && (exampleClauses.has(clause) || conditional(clause))) continue;
    const scores = scoreClause(clause, usable, descWords, x).filter((s) => {
      // A proposal needs someone to send it to; "ask" alone is mostly "ask the docs".
      if (s.tool === 'approvals.propose')
        return x.people.length === 1 && new RegExp(`${POLITE_START}(?:${MESSAGING}|ask)\\b`, 'i').test(clause.trim());
      return true;
    });
    const top = scores[0];
    if (!top) continue;
    const docs = scores.find((s) => s.tool === 'ask.search');
    if (docs && docs.score >= RUN_AT && docs.score >= top.score) {
      // "How do we roll back a deploy?" is a question for the docs, whatever else its words name.
      picked.set('ask.search', docs.score);
      if (!clauseOf.has('ask.search')) clauseOf.set('ask.search', clause);
    } else if (top.score >= RUN_AT) {
      picked.set(top.tool, Math.max(picked.get(top.tool) ?? 0, top.score));
      if (!clauseOf.has(top.tool)) clauseOf.set(top.tool, clause);
      // A second tool as strong as the first in one clause ("stale PRs in the sprint") runs too.
      for (const s of scores.slice(1))
        if (s.score >= 3 && s.score >= top.score) {
          picked.set(s.tool, s.score);
          if (!clauseOf.has(s.tool)) clauseOf.set(s.tool, clause);
        }
    }
    if ((best[0]?.score ?? 0) < top.score) best = scores;
  }
  // A question to be answered from the docs ("how do we rotate the webhook secret?", "what's the escalation process
  // according to the runbooks", "what did the postmortem conclude") is ask.answer; finding or locating docs ("is it
  // written down somewhere", "check the runbook", "search the wiki") stays a search.
  const answers = usable.some((u) => u.name === 'ask.answer');
  const question = request.replace(/\s+/g, ' ').trim().slice(0, 2000);
  if (answers && ANSWER_FROM_DOCS.test(t) && !DOCS_LOOKUP.test(t)) {
    if (picked.has('ask.search')) {
      picked.delete('ask.search');
      picked.set('ask.answer', RUN_AT);
      clauseOf.set('ask.answer', clauseOf.get('ask.search') ?? t);
    } else if (DOCS_CONCLUSION.test(t) && clauses(x.text).length === 1)
      return { kind: 'run', calls: [{ tool: 'ask.answer', args: { question } }] };
    // One sentence, "according to the handbook, …?": the answer alone, whatever the question's words name.
    if (/\baccording to\b|^(?:as\s+)?per\b/.test(t) && t.split(/[.?!;]\s+/).filter(Boolean).length === 1)
      return { kind: 'run', calls: [{ tool: 'ask.answer', args: { question } }] };
  }
  // One question with where its answer is written: the answer, whatever else the question's words name.
  const askedOfDocs = QUESTION_THEN_DOCS.exec(t);
  if (answers && askedOfDocs && !DOCS_LOOKUP.test(askedOfDocs[1] as string))
    return { kind: 'run', calls: [{ tool: 'ask.answer', args: { question } }] };
  // "INC-57's timeline, plus whatever else is open": the other incidents.
  if (
    picked.has('incidents.timeline') &&
    !picked.has('incidents.list') &&
    usable.some((u) => u.name === 'incidents.list') &&
    clauses(x.text).some(
      (c) =>
        c !== clauseOf.get('incidents.timeline') &&
        /\b(?:whatever|anything|everything|what(?:'s)?|the)\s+(?:else|others?|other ones|rest)\b/.test(
          c.toLowerCase(),
        ) &&
        /\b(?:open|active|ongoing|going on|live|still running)\b/.test(c.toLowerCase()),
    )
  ) {
    picked.set('incidents.list', RUN_AT);
    clauseOf.set('incidents.list', clauseOf.get('incidents.timeline') as string);
  }
  // "The log of proposals, approvals and executions": approvals named beside the audit log, not pending ones.
  if (
    picked.has('approvals.audit') &&
    picked.has('approvals.list') &&
    !/\b(?:pending|waiting|queue|queued|open|outstanding|awaiting|to approve|need(?:s|ing)?)\b/.test(
      (clauseOf.get('approvals.list') ?? '').toLowerCase(),
    )
  ) {
    // One intent written in pieces: the audit takes the words (and the count) the approvals had.
    const listClause = clauseOf.get('approvals.list') as string;
    if (
      auditLimitOf(clauseOf.get('approvals.audit') ?? '') === undefined &&
      limitOf(clauseOf.get('approvals.audit') ?? '') === undefined
    )
      clauseOf.set('approvals.audit', listClause);
    picked.delete('approvals.list');
  }
  // "OKRs for search, who owns each key result; don't need the progress bars": the list, not the progress.
  if (picked.has('okrs.show') && /\b(?:no|don'?t need|do not need|without|skip)\s+(?:the\s+)?progress\b/.test(t)) {
    picked.delete('okrs.show');
    if (usable.some((u) => u.name === 'okrs.list')) picked.set('okrs.list', RUN_AT);
  }
  // The list of teams asked for, a "team roster" beside it is that list, not one team's details.
  if (picked.has('teams.list') && picked.has('teams.show') && !x.team && !/\bmy\s+team\b/.test(t))
    picked.delete('teams.show');
  // "Objectives + KR owners": bare objectives beside their list are the list, not their progress.
  if (
    picked.has('okrs.list') &&
    picked.has('okrs.show') &&
    !/\b(?:progress|on track|off track|tracking|status|at risk|risky|behind|confidence|doing|going|mapped)\b/.test(t)
  )
    picked.delete('okrs.show');
  // The proposal is the request: reports named around it are its context, not extra work.
  if (picked.has('approvals.propose'))
    return { kind: 'run', calls: [{ tool: 'approvals.propose', args: argsFor('approvals.propose', x) }] };
  // People named and nothing else asked: what they have been doing.
  if (picked.size === 0 && x.people.length > 0 && usable.some((u) => u.name === 'standup.report'))
    picked.set('standup.report', 1);
  if (picked.size > 0) {
    const order = usable.map((u) => u.name);
    // A part that picked no tool qualifies the others ("pending approvals, just the latest 5").
    const pickedIn = new Set(clauseOf.values());
    const loose = clauses(x.text).filter((c) => !pickedIn.has(c));
    const looseLimit = loose.map(limitOf).find((n) => n !== undefined);
    // "…, last 10 lines": lines and entries count the audit log, not the pending approvals beside it.
    const auditUnits = loose.some((c) => limitOf(c) !== undefined && AUDIT_UNITS.test(c.toLowerCase()));
    const looseWindow = loose.map(x.windowOf).find((w) => w !== undefined);
    const teamOf = clauseTeams(clauses(x.text), pickedIn, options.teams ?? [], (c) => x.windowOf(c) !== undefined);
    // A quarter goes to the intent that names it, like a team ("okr progress for platform Q4 and growth's objectives").
    const quarterOfClause = clauseQualifier(
      clauses(x.text),
      pickedIn,
      (c) => quarterOf(c.toLowerCase(), options.now),
      (c) => teamIn(c, options.teams ?? []) !== undefined || x.windowOf(c) !== undefined,
    );
    const calls = [...picked.keys()]
      .sort((a, b) => order.indexOf(a) - order.indexOf(b))
      .map((tool) => {
        const clause = clauseOf.get(tool);
        const team = clause === undefined ? x.team : teamOf(clause, x.team);
        const quarter = clause === undefined ? x.quarter : quarterOfClause(clause, x.quarter);
        // An intent about what is open now takes no window from an earlier one ("dora this month and any open
        // incidents"); a bare follow-on does ("incidents this month and our mttr").
        const now = clause !== undefined && !x.windowOf(clause) && CURRENT_STATE.test(clause.toLowerCase());
        const args = argsFor(tool, { ...x, team, quarter, window: now ? undefined : x.window }, clause, looseWindow);
        const most = { 'approvals.list': 50, 'approvals.audit': 200, 'ask.search': 20 }[tool];
        const limited = !auditUnits || tool === 'approvals.audit' || !picked.has('approvals.audit');
        if (looseLimit && args.limit === undefined && most && limited) args.limit = Math.min(most, looseLimit);
        return { tool, args };
      });
    return { kind: 'run', calls, ...(x.window ? { window: x.window } : {}) };
  }
  // Unsure: the closest two or three tools as choices; a general "how are things?" gets the overviews.
  const generic =
    /^(?:so\s+)?(?:how(?:'s| is| are)? (?:things|it going|we doing|are we)|what'?s up|status|updates?|any news|overview|summary)\b/.test(
      t,
    ) || /^(?:so\s+)?how(?:'s| is| are)\s+(?:[\w'-]+\s+){1,3}(?:doing|going|looking|getting on|holding up)\b/.test(t);
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
