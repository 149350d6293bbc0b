// How strongly one clause of a request asks for each tool: synonyms, words of the descriptions, known phrasings.

import { findPhrase, words } from './phrase-match.js';
import { type Extracted, NOT_ARCHIVED, WITH_ARCHIVED } from './planner-extract.js';
import type { PlannerTool } from './planner-types.js';
import { SYNONYMS } from './planner-vocabulary.js';

export const STOP = new Set(
  'a an the of to in on for and or is are was were be been it its this that these those what whats who whos how why when where which our we us my me i you your do does did can could should would will with from at by as about any all some there their them they he she his her than then so if not no yes just get show tell give list me please pls hey hi thanks'.split(
    ' ',
  ),
);

export interface Scored {
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

export function scoreClause(
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
