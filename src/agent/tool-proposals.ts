// Requests for the propose tools that are not a message or a ticket: a check-in on a key result ("check in on key
// result 14: confidence 7, vendor api still slipping") and starting a new hire's onboarding ("kick off onboarding for
// @dan on payments, bob is his buddy"). Each needs what its tool cannot do without; else it is no such request.

export interface ToolProposal {
  tool: 'okrs.checkin' | 'onboarding.start';
  args: Record<string, unknown>;
}

/** What the planner found in the part of the request: people in the order named, the team named first. */
export interface Named {
  people: string[];
  team?: string;
  /** The part's text with each person replaced by "someone", in the order named. */
  text: string;
}

const KEY_RESULT = /\b(?:key[- ]result|kr)\s*[-#]?\s*(\d{1,6})\b/i;
const CONFIDENCE =
  /\bconfidence(?:\s+(?:is|of|at|level|score))?\s*[:=]?\s*(\d{1,2})(?:\s*(?:\/\s*10|out of 10))?\b|\b(\d{1,2})\s*(?:\/\s*10|out of 10)(?:\s+confiden(?:ce|t))?\b/i;
const CHECK_IN = /\bcheck[- ]?in\b|\bconfidence\s+(?:on|for|in)\s+(?:key[- ]result|kr)\s*[-#]?\s*\d+\s+(?:is|at|=)\s/i;
const BARE_LEVEL = /^\s*(?:at|to|[:=]|with|->|→)\s*(\d{1,2})\b(?!\s*(?:%|percent|days?|hours?|am|pm|\/))/i;
const LEADING_KEY_RESULT =
  /^\s*(?:key[- ]result|kr)\s*[-#]?\s*\d{1,6}\s*[:,]?\s*(?:confidence\b|\d{1,2}\s*(?:\/\s*10|out of 10))/i;

/** "Check in on KR 14: confidence 7, …": key result, confidence 1-10, and the rest as its note. */
export function okrCheckinIn(part: string): ToolProposal | undefined {
  // "KR 9 confidence 9/10, note: …" is a check-in written as one, without the word.
  if (!CHECK_IN.test(part) && !LEADING_KEY_RESULT.test(part)) return undefined;
  const kr = KEY_RESULT.exec(part);
  // "Check in KR 7 at 8": a bare level right after the key result is its confidence.
  const confidence = CONFIDENCE.exec(part) ?? (kr ? BARE_LEVEL.exec(part.slice(kr.index + kr[0].length)) : null);
  const level = confidence ? Number(confidence[1] ?? confidence[2]) : Number.NaN;
  if (!kr || !confidence || !(level >= 1 && level <= 10)) return undefined;
  const note = part
    .replace(/^.*?\bcheck[- ]?in\b/i, (lead) => (lead.trim().split(/\s+/).length <= 4 ? ' ' : lead))
    .replace(KEY_RESULT, ' ')
    .replace(confidence[0], ' ')
    // "my weekly confidence on KR 22 is 8/10": what is left of the sentence once its numbers are out.
    .replace(
      /^\s*(?:(?:my|our|the)\s+)?(?:(?:weekly|monthly|latest|current|new)\s+)?confidence\s+(?:on|for|in)\s+(?:is|at|=)\s*/i,
      ' ',
    )
    .replace(CHECK_IN, ' ')
    .replace(/^(?:\s|[:,;.\-–—]|(?:log|add|record|do|post)\s+(?:a|my|the)\b|on\b|for\b)+/i, '')
    .replace(/\s+/g, ' ')
    // "…, record it": the request to save it is no part of the note.
    .replace(/[\s,;.]*(?:please\s+)?(?:log|record|save|submit|note)\s+(?:it|that|this)(?:\s+please)?[.!]?$/i, '')
    .replace(/^[\s:,;.\-–—]+|[\s:,;\-–—]+$/g, '')
    .trim()
    .slice(0, 2000);
  const args: Record<string, unknown> = { key_result: Number(kr[1]), confidence: level };
  // What is left of "check in on KR 5 with confidence 3" is a joining word, not a note.
  if (note && !/^(?:with|and|at|to|of|on|for|by|now)$/i.test(note)) args.note = note;
  return { tool: 'okrs.checkin', args };
}

/** "hey, please", "could you": the politeness before a request to start something. */
const ASK_LEAD = String.raw`^(?:(?:hey|hi|ok)\b[\s,!]*)?(?:(?:please|pls|plz|kindly|(?:can|could|would) you)\s+)*`;
const START_VERB = String.raw`(?:start|kick\s*off|kickoff|begin|launch|set\s*up|open|create)`;
const START_ONBOARDING = new RegExp(
  String.raw`${ASK_LEAD}(?:${START_VERB}\s+(?:an?\s+|the\s+)?onboarding(?:\s+plan)?\s+(?:for|of)\s+someone\b|onboard\s+someone\b)`,
  'i',
);
const START_PLAN = new RegExp(String.raw`${ASK_LEAD}${START_VERB}\s+(?:an?\s+|the\s+)?plan\s+for\s+someone\b`, 'i');
/** "New hire @gina joins search monday, set up her onboarding": the new hire named, then their onboarding asked for. */
const THEIR_ONBOARDING = new RegExp(String.raw`\b${START_VERB}\s+(?:his|her|their)\s+onboarding(?:\s+plan)?\b`, 'i');
/** "w/ the sre template", "using the backend template", "template: sre": the template named. */
const TEMPLATE =
  /\b(?:with|w\/|using|use|from|on)\s+(?:the\s+|an?\s+)?([\w-]+)\s+(?:onboarding\s+)?template\b|\btemplate\s*(?:[:=]|is|called|named)?\s*["'‘“]?([\w-]+)/i;
/** A person as written: a Slack mention, an @handle or a first name. */
const PERSON = String.raw`(<@[UW][A-Z0-9]+(?:\|[^>]*)?>|@?[A-Za-z][\w.-]*)`;
/** The buddy among the people named: "bob is his buddy", "with bob as buddy", "buddy: bob". */
const BUDDY = new RegExp(
  String.raw`${PERSON}\s+(?:is|as|will be)\s+(?:the\s+|his\s+|her\s+|their\s+|a\s+)?buddy\b|\bbuddy\s*(?:is|:|=|will be)?\s*${PERSON}`,
  'i',
);

/**
 * "Kick off onboarding for @dan on payments, bob is his buddy": the new hire, the team, the buddy. `named` is what
 * the planner found in the part (its text with people as "someone"); `personOf` reads one person as written.
 */
export function onboardingStartIn(
  raw: string,
  named: Named,
  personOf: (written: string) => string | undefined,
): ToolProposal | undefined {
  const text = named.text.trim();
  // "Start a plan for @x on platform with bob as buddy": a plan with a buddy or a template is an onboarding plan.
  const planWithBuddy = START_PLAN.test(text) && (BUDDY.test(raw) || TEMPLATE.test(text));
  if (!(START_ONBOARDING.test(text) || THEIR_ONBOARDING.test(text) || planWithBuddy) || named.people.length === 0)
    return undefined;
  const buddyAt = BUDDY.exec(raw);
  const buddy = buddyAt ? personOf((buddyAt[1] ?? buddyAt[2]) as string) : undefined;
  const person = named.people.find((p) => p !== buddy);
  if (!person) return undefined;
  const args: Record<string, unknown> = { person };
  if (named.team && named.team !== 'org') args.team = named.team;
  if (buddy) args.buddy = buddy;
  const template = TEMPLATE.exec(text);
  if (template) args.template = (template[1] ?? (template[2] as string)).toLowerCase();
  return { tool: 'onboarding.start', args };
}
