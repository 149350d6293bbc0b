// What a request names (people, repository, team, time window, age, incident, quarter, limit, policy action) and
// the arguments each tool gets from it.

import escapeRe from 'escape-string-regexp';
import { clauses, MESSAGING, POLITE_START } from './planner-clauses.js';
import type { PlannerOptions } from './planner-types.js';
import { teamIn } from './team-names.js';
import { parseTimeWindow, type TimeWindow } from './time-window.js';

const MENTION = /<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g;
const REPO = /\b([a-z0-9][\w.-]*\/[\w.-]+)\b/gi;

export interface Extracted {
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
export function auditLimitOf(text: string): number | undefined {
  const m =
    /\b(?:last|latest|recent|past)\s+(\d{1,3})\s+(?:[a-z]+\s+)?(?:decisions|entries|approvals|events|lines|actions|proposals|records|items)\b/.exec(
      text.toLowerCase(),
    ) ?? /\b(\d{1,3})\s+(?:lines|rows|entries|records|events|decisions)\s+(?:of|from)\b/.exec(text.toLowerCase());
  return m ? Number(m[1]) : undefined;
}

export function limitOf(text: string): number | undefined {
  const m = LIMIT.exec(text.toLowerCase());
  return m ? Number(m[1] ?? m[2]) : undefined;
}

export function extract(raw: string, o: PlannerOptions): Extracted {
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
export function quarterOf(t: string, now: Date): string | undefined {
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

export const WITH_ARCHIVED =
  /\b(?:incl(?:uding|udes?)?|with|plus|and|also|even|show|list)\s+(?:the\s+|all\s+(?:the\s+)?)?archived\b|\bincl\w*\s+(?:the\s+)?(?:ones|those)\s+(?:(?:that|which)\s+(?:were|are|got|have been)|(?:we|you|they)(?:'ve|\s+have)?)\s+archived\b|\barchived\s+(?:ones|teams|too|as well)\b|\bteams?\b[^.?!]*\b(?:are|is|were|was|been|got)\s+archived\b/;
export const NOT_ARCHIVED = /\b(?:no|not|without|excluding|except|minus|skip)\s+(?:the\s+|any\s+)?archived\b/;

/** The arguments a tool gets from what the request named. Team and repo go to the tools about the org's work. */
export function argsFor(
  tool: string,
  x: Extracted,
  clause?: string,
  looseWindow?: TimeWindow,
): Record<string, unknown> {
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
      // "ping @x by DM: …": how it is sent is no part of the message.
      .replace(/^(?:by|via|over|in a|as a)\s+(?:dm|direct message|slack)\b/i, '')
      .replace(/^[\s,;:.\-–—]+/, '')
      .replace(/^(?:saying|that|to say)\s+/i, '')
      .trim();
    args.action = 'slack.dm';
    args.params = { to: { slack: x.people[0] }, text: text || 'a nudge' };
    // The recipient is shown from the params (the summary is shown escaped, so a mention in it would read as code).
    args.summary = `DM: ${text || 'a nudge'}`.slice(0, 300);
  }
  return args;
}
