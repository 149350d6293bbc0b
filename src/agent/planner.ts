// The offline planner: a request in plain language → the tools to run, with their arguments. No model: synonyms
// per tool, fuzzy matching over the words of the synonyms and of the tools' descriptions (typos), time windows,
// team names, @mentions and repositories. Several intents ("sprint health and stale PRs") give several tools.

import { words } from './phrase-match.js';
import { clauses, MESSAGING, POLITE_START } from './planner-clauses.js';
import { argsFor, auditLimitOf, extract, limitOf, quarterOf } from './planner-extract.js';
import { PROPOSING, proposalIn } from './planner-proposals.js';
import { type Scored, STOP, scoreClause } from './planner-scoring.js';
import type { Plan, PlannedCall, PlannerOptions, PlannerTool } from './planner-types.js';
import { clauseQualifier, clauseTeams, teamIn } from './team-names.js';
import { isUnservable, MEANING } from './unservable.js';

export type { Plan, PlannedCall, PlannerOptions, PlannerTool } from './planner-types.js';

const RUN_AT = 2;
/** What an audit log is counted in. */
const AUDIT_UNITS = /\b(?:lines|entries|rows|records|events|decisions)\b/;

/** A request about the present state: open incidents, what is active right now. */
const CURRENT_STATE = /\b(?:open|active|ongoing|current(?:ly)?|right now|rn|at the moment|still going)\b/;
/** What a general question is offered when nothing closer stands out. */
const OVERVIEWS = ['triage.list', 'sprint.health', 'standup.report'];
const OFFER_AT = 1;

/**
 * A part that asks for nothing: what the result is for ("need it for the postmortem", "it's for my 1:1") or what is
 * not wanted ("no progress needed", "don't need the burndown").
 */
const ASIDE =
  /^(?:(?:i'?m|i am|we'?re|we are)\s+(?:delegating|handing|passing|reorgani[sz]ing|restructuring)\b|(?:no|without)\s+(?:[\w-]+\s+){0,2}(?:bars?|charts?|graphs?|details?|breakdowns?)$|[\w\s'-]{0,30}\bhad\s+(?:a|an|one|two|three|some|several|a few)\s+(?:rough|bad|tough|hard|great|good|quiet|busy)\b|[\w\s-]{1,30}\s+here$|(?:i'?m\s+|am\s+)?(?:writing|preparing|prepping|putting together|drafting)\s+(?:the\s+|my\s+|our\s+|a\s+)?[\w\s-]{1,30}$|[\w\s-]{0,30}\b(?:sync|meeting|call|standup|1:1)\s+in\s+\d+\s*(?:m|min|mins|minutes)?$|(?:he|she|they|someone|it)\s+(?:says|said|mentioned|told me|claims|thinks|reports)\b|(?:i\s+)?need\s+(?:it|this|that|them|these|those)\s+(?:for|by|before)\b|(?:it'?s|this is|that'?s)\s+for\b|because\b|(?:no|not)\s+(?:\S+\s+){0,2}(?:needed|required|necessary|wanted)$|no need for\b|(?:i\s+)?(?:don'?t|do not)\s+(?:need|want|include)\b|skip\s+(?:the\s+)?\S+$)/i;

/** A list of examples after a question: "…? reviews, blocked tix etc", "…? e.g. reviews or tickets". */
const EXAMPLES_AFTER_QUESTION =
  /\?\s*((?:(?:e\.?g\.?|like|i\.?e\.?|such as)[\s,:]+)?[^?]*?(?:\betc\.?|\band so on|\band stuff|\bthat kind of thing)|(?:e\.?g\.?|such as)[\s,:]+[^?]*)\s*$/i;

/** Where a request turns to another intent: "…, and show me …", "…; then open one …". */
const IMPERATIVE =
  'show|list|give|get|pull|check|tell me|open|create|file|raise|log|post|share|announce|dm|ping|nudge|message|remind|send|comment|go ahead and|propose|start';
const NEXT_INTENT = new RegExp(
  // After a conjunction any request may start; after a comma or a full stop only an imperative one (a question
  // there is mostly about what was just said: "ping bob, is he done with the review?").
  `(?:,?\\s+(?:and(?:\\s+then|\\s+also)?|then|also|plus)\\s+(?=(?:please\\s+|pls\\s+|(?:can|could) you\\s+)?(?:${IMPERATIVE}|what|whats|what's|how|is|are|any)\\b)|(?:\\s*;\\s*|[.?!]\\s+|,\\s*)(?=(?:please\\s+|pls\\s+|(?:can|could) you\\s+)?(?:${IMPERATIVE})\\b))`,
  'i',
);

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
export function plan(written: string, tools: PlannerTool[], options: PlannerOptions): Plan {
  // "whatd they do": a contraction typed without its apostrophe and letters.
  const request = written
    .replace(/^[\w\s-]{1,30}\s+here\s*[—–:,-]+\s*/i, '')
    .replace(/\bwhatd\b/gi, 'what did')
    .replace(/\bwhod\b/gi, 'who did');
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
  String.raw`${MEANING.source}|\b(?:according to|as per|per) (?:the |our )?(?:[\w-]+ )?(?:docs?|documentation|runbooks?|wiki|handbook|playbooks?|confluence|postmortems?)\b|^(?:so\s+|and\s+)?how (?:do|can|should|would) (?:we|i|you|one)\b|${DOCS_CONCLUSION.source}`,
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
    } else if ((DOCS_CONCLUSION.test(t) || MEANING.test(t)) && clauses(x.text).length === 1)
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
  // "OKRs for search, who owns each key result; don't need the progress bars", "the list of mobile's objectives":
  // the list, not the progress.
  if (
    picked.has('okrs.show') &&
    (/\b(?:no|don'?t need|do not need|without|skip)\s+(?:the\s+)?progress\b/.test(t) ||
      (/\blist of\b[^.?!;]*\bobjectives\b/.test(clauseOf.get('okrs.show')?.toLowerCase() ?? '') &&
        !/\b(?:progress|on track|off track|tracking|status|at risk|confidence)\b/.test(t)))
  ) {
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
