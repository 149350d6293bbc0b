// Recognising requests no tool serves: asking to act on systems or people (deploy, merge, hire, book, write code),
// deciding, or topics outside the catalogue (pay, hiring, calendars, leave, personal questions, the world outside).
// The tools only read reports and propose messages for a person to approve.
import escapeRe from 'escape-string-regexp';

const POLITE = String.raw`^(?:(?:hey|hi|hello|yo|ok|okay|so|and|um)\b[\s,!]*)?(?:(?:please|pls|plz|kindly|quickly|just|go|now)\s+)*(?:(?:can|could|would|will)\s+(?:you|u)\s+(?:please\s+|pls\s+)?|i\s+(?:need|want)\s+(?:you\s+)?to\s+|(?:let'?s|lets)\s+)?`;

/** Verbs of acting that no tool does, whatever follows them at the start of a request. */
const ACTING = [
  'deploy',
  'redeploy',
  'merge',
  'revert',
  'rollback',
  'roll back',
  'restart',
  'reboot',
  'delete',
  'reopen',
  'book',
  'reset',
  'rotate',
  'schedule',
  'reschedule',
  'cancel',
  'buy',
  'purchase',
  'install',
  'uninstall',
  'upgrade',
  'downgrade',
  'create',
  'write',
  'rewrite',
  'draft',
  'compose',
  'generate',
  'implement',
  'refactor',
  'fix',
  'debug',
  'spin up',
  'spin down',
  'provision',
  'migrate',
  'grant',
  'revoke',
  'invite',
  'kick',
  'hire',
  'interview',
  'rename',
  'set up',
  'setup',
  'assign',
  'unassign',
  'reassign',
  'translate',
  'draw',
  'sing',
  'scale',
  'bump',
  'kill',
  'enable',
  'disable',
  'mute',
  'unmute',
  'silence',
  'snooze',
  'hide',
  'dismiss',
  'mint',
  'archive',
  'backup',
  'back up',
  'restore',
  'rerun',
  'retry',
  'execute',
  'pay',
  'transfer',
  'email',
  'tweet',
  'publish',
  'turn off',
  'turn on',
  'shut down',
  'approve',
  'reject',
  'decline',
  'promote',
  'send',
  'resolve',
  'transition',
  'escalate',
  'acknowledge',
  'ack',
  'declare',
  'close out',
  'greenlight',
  'deny',
  'unblock',
  'roll out',
  'rollout',
  'cherry-pick',
  'cherry pick',
  'rebase',
  'hotfix',
  'force push',
  'force-push',
];

/** Verbs that act only with an object after them ("update the ticket", not "update on the sprint"). */
const ACTING_ON = [
  'close',
  'set',
  'add',
  'remove',
  'drop',
  'move',
  'plan',
  'sign',
  'call',
  'play',
  'trigger',
  'patch',
  'update',
  'change',
  'edit',
  'open',
  'file',
  'raise',
  'release',
  'ship',
  'push',
  'commit',
  'make',
  'give',
  'start',
  'stop',
  'post',
  'submit',
  'put',
  'mark',
  'cut',
  'tag',
  'label',
  'bump',
  'pin',
  'lock',
];
const OBJECT = String.raw`(?:(?:a|an|the|my|our|his|her|their|this|that|these|those|it|all|every|everyone|everybody|some|new|someone|\d+)\b|[a-z][a-z0-9]*-\d+\b|#\d+\b|[\w.-]+\/[\w.-]+#\d+)`;

/** What follows "deploy"/"release" when it is about the metric, not the act. */
const METRIC_NOUN = String.raw`(?:freq\w*|count\w*|stat\w*|metric\w*|rate\w*|numbers?|cadence|history|lead|times?|speed|volume|health|status|trend\w*|queue|pipelines?)\b`;

/** "Order pizza", but not "order of incidents". */
const ORDER_RE = /^(?:please\s+|can you\s+|could you\s+)?order\s+(?!of\b|by\b)/;
/** What a verb of acting may act on because a tool does it: "rerun the rules" is the signals with `evaluate`. */
const SERVED_OBJECT = String.raw`(?:the\s+|all\s+(?:the\s+)?|our\s+|my\s+|every\s+|each\s+|an?\s+)?(?:fresh\s+|new\s+)?(?:signal\s+)?(?:rules?|signals?)(?:\s+evaluation)?\b`;
// A verb's particle may come before what it acts on: "kick off a fresh rule evaluation" is the signals' `evaluate`.
const ACTING_RE = new RegExp(
  `${POLITE}(?:${ACTING.map(escapeRe).join('|')})(?!\\s+${METRIC_NOUN})(?!\\s+(?:off\\s+|up\\s+)?${SERVED_OBJECT})(?:$|[^a-z-])`,
);
const ACTING_ON_RE = new RegExp(
  `${POLITE}(?:${ACTING_ON.map(escapeRe).join('|')})\\s+(?:me\\s+)?${OBJECT}(?!\\s+${METRIC_NOUN})(?!\\s*${SERVED_OBJECT})`,
);
/** "give me", "get me", "make me a list" ask for a report, not an act. */
const ASKING_FOR_REPORT = new RegExp(`${POLITE}(?:give|get|make|run|pull|fetch|show|find)\\s+(?:me|us)\\b`);

/** Subjects no tool knows about, wherever they appear. */
const TOPICS = [
  // acting on approvals directly (not "does it need someone to approve it?", a question of policy)
  String.raw`(?<!\b(?:someone|somebody|anyone|anybody|a human|a person|an approver|a manager)\s+to\s+)\b(?:approve|reject)\s+(?:every|all|the|it|that|this|proposal|request|pending|#?\d)`,
  // hiring and people management
  String.raw`\b(?:(?<!new[- ])hire|hiring|hired|recruit\w*|(?<!release )candidates?|interview\w*|job (?:description|posting|ad|offer)s?|offer letters?|headcount|referrals?|onboard (?:a|the) new hire)\b`,
  String.raw`\b(?:promote|promotion|promotions|performance reviews?|perf reviews?|pip|fire (?:him|her|them|someone)|layoffs?|org chart)\b`,
  // pay
  String.raw`\b(?:salary|salaries|compensation|comp band|pay band|salary band|bonus|bonuses|bonus pool|equity|stock options|payroll|pay raise|a raise|raises|pay rise)\b`,
  // calendars and leave
  String.raw`\b(?:calendar|calendars|meeting room|book a room|1:1s?|1-on-1s?|one-on-ones?|invite|invites|zoom|google meet|offsite|off-site|team building|find a time|free slot|vacation|vacations|pto|holiday|holidays|sick leave|sick days?|personal days?|vacation days?|time off|day off|days off|out of office|ooo|parental leave|leave balance)\b`,
  // personal questions, to the bot or about people
  String.raw`\b(?:how are you|how r u|who are you|what are you|are you (?:a |an )?(?:bot|human|real|ai|sentient|ok|there)|your name|your favou?rite|do you (?:like|love|think|feel|dream)|how old|birthday|birthdays|married|girlfriend|boyfriend|phone number|home address|personal email|address of)\b`,
  // the world outside
  String.raw`\b(?:weather|forecast|headlines|stock price|share price|stock market|bitcoin|crypto|ethereum|sports|football|soccer|basketball|the game|score last night|recipes?|cook|cooking|bake|baking|restaurant|restaurants|movie|movies|film|music|song|songs|joke|jokes|poem|poems|(?:tell|write|read)\s+(?:me\s+|us\s+)?a\s+story about|haiku|riddle|capital of|time is it|time zone in|lunch|dinner|pizza|coffee|flights?|hotel|flowers|gift|keyboard|laptop to buy|book on|books on|recommend a book)\b`,
  // money and bills
  String.raw`\b(?:(?:aws|gcp|azure|cloud|infra|saas|vendor|our|the|monthly|total)\s+spend|aws bill|cloud bill|invoice|invoices|(?:spend|spent|spending|paying) on|how much (?:\w+ )*(?:spend|spent|pay|paid|cost|costs)|costs?|budget|budgets|pricing|licen[cs]es?|subscriptions?|expenses?|reimburse\w*)\b`,
  // writing code or text for the person
  String.raw`\b(?:write|draft|generate|compose)\s+(?:me\s+)?(?:a|an|the|some|my)?\s*(?:\w+\s+)?(?:code|script|function|class|regex|query|test|tests|unit tests?|snippet|program|email|letter|essay|blog|post|tweet|message|description|summary of this|doc|document|readme|proposal|spec|rfc|cover letter)\b`,
  String.raw`\b(?:inbox|emails|e-mail|whatsapp|sms|text message)\b`,
  String.raw`\b(?:password|passwords|2fa|mfa|okta|sso login|api key|secret key|ssh key)\b`,
  // (asking whether one did is asking for one's settings: "did i turn off realtime pings?")
  String.raw`\b(?:slack status|my status to|(?<!\b(?:did|have|has|had)\s+(?:i|we|someone)\s+)(?:turn off|disable|mute|silence))\b`,
  // moving tickets through their workflow
  String.raw`\b(?:move|transition|mark|set|flip|put)\s+(?:\S+\s+){1,3}(?:to|as|in|into)\s+(?:done|closed|resolved|complete|completed|in progress|in review|to do|todo|blocked|won'?t do|ready for qa|qa)\b`,
  // leave and time off
  String.raw`\b(?:weeks? off|months? off|(?:enough|much|any|annual|parental|maternity|paternity|sick|his|her|their|my|unpaid) leave|leave (?:left|balance|remaining|days|allowance|requests?)|on leave)\b`,
  // people data no tool holds
  String.raw`\b(?:utili[sz]ation|timesheets?|billable hours|overtime|attrition|e?nps|engagement survey|morale survey)\b`,
  // quality data no tool holds
  String.raw`\b(?:(?:test|code|unit test|line|branch)\s+coverage|coverage (?:report|numbers|percentage|trend)|code quality score|sonar\w*|lines of code)\b`,
  // ranking and rating people
  String.raw`\b(?:stack[- ]rank\w*|from (?:strongest|best|top) to (?:weakest|worst|bottom)|rank\w*\s+(?:my|the|our|all)?\s*(?:engineers|devs|developers|people|reports|team|team members|direct reports|everyone|individuals|(?:engineering\s+)?managers|ems|leads|tech leads)\b(?!\s+(?:by|on)\s+(?:deploy|dora|lead|incident))|leaderboard|(?:reports?|engineers?|devs?|developers?|people|who)\b[^.?!]{0,30}\bunderperform\w*|by performance|review season|(?:low|under)[- ]?perform(?:ers?|ing)\s+(?:engineers?|devs?|developers?|people|employees|reports|team members)|who(?:'s| is) (?:the )?(?:best|worst|laziest|weakest|strongest) (?:engineer|dev|developer|person)|most productive (?:engineer|dev|developer|person))\b`,
  // paging people
  String.raw`\b(?:page|wake up)\s+(?:the\s+)?(?:on-?call|oncall|someone|sre|him|her|them|whoever)\b`,
  // API tokens are made by a person, in Slack
  String.raw`\b(?:new|create|make|mint|issue|generate)\s+(?:me\s+)?(?:an?\s+)?(?:[\w-]+\s+){0,2}(?:api\s+)?tokens?\b`,
  // declaring an incident, a note on one, snoozing a reminder, creating a team: decide-only operations
  String.raw`\bincidents?\s+(?:opened|declared|raised|started|created)\b|\b(?:add|post|log|write|put|leave)\s+(?:a\s+|the\s+|this\s+)?note\s+(?:to|on|in|for)\s+(?:inc|incident)\b`,
  String.raw`\breminders?\s*\(?\s*(?:id|number|no\.?|#)?\s*\d+\s*\)?[^.?!]*\b(?:until|till|before|for the next)\b|\b(?:don'?t|do not)\s+want\s+to\s+see\s+(?:it|this|that)\b`,
  String.raw`\b(?:register|create|add|set up|make)\s+(?:it|this|them|that|(?:a|the)\s+new\s+\w+)\s+as\s+a\s+(?:new\s+)?team\b`,
  // saving an OKR objective is a decide-only operation
  String.raw`\b(?:record|save|add|create|enter|set up|register)\s+(?:a\s+|an\s+|the\s+)?new\s+(?:objective|okr|key result)s?\b`,
  // what customers say outside the tools
  String.raw`\b(?:app store|play store|customer (?:feedback|reviews?|complaints)|customers? (?:are\s+)?saying)\b`,
  // chat channels
  String.raw`\b(?:new|create|archive|rename|delete)\s+(?:a\s+|the\s+)?(?:new\s+)?(?:slack\s+)?channels?\b|\bchannels?\s+(?:created|set up|made|opened)\b|\bdedicated\s+(?:slack\s+)?channel\b`,
];
const TOPIC_RE = new RegExp(TOPICS.join('|'));

/** What a phrase means (in our process): a definition, written in the docs if anywhere. */
export const MEANING = /\bwhat (?:does|do) (?:'[^']+'|"[^"]+"|‘[^’]+’|“[^”]+”|[\w-]+(?: [\w-]+){0,3}) mean\b/;

/** A request about the docs ("where is the doc on our interview process?") is servable whatever its subject. */
const ABOUT_DOCS = new RegExp(
  String.raw`${MEANING.source}|\b(?:docs?|documentation|documented|runbooks?|wiki|confluence|handbook|playbook|guide|guidelines|process|written down|readme|policy|policies)\b`,
);

/** "What did payments open and merge", "which PRs have we shipped": a question about acts, not an act. */
const ASKS_WHAT_WAS_DONE = /^(?:what|which|who|how many)\b[^.?!;]*\b(?:did|have|has|had)\b/;

/** Whether no tool serves this request (lower-cased text with mentions replaced). */
export function isUnservable(t: string): boolean {
  const text = t
    .replace(/^(?:someone\s+)+/, '')
    // "Back from two days off, catch me up": where the person has been is context, not the request.
    .replace(/^(?:just\s+|i'?m\s+|i am\s+)?(?:back|returning|returned)\s+from\s+[^,.;:!?]+[,.;:!?-]+/, '')
    // "I've been at an offsite since friday. …": where the person was is context too.
    .replace(/^(?:i'?ve been|i have been|i was|we'?ve been|we were)\s+(?:at|on|in|away|out|off)\b[^.;!?]+[.;!?]+/, '')
    .trim();
  if (!ASKING_FOR_REPORT.test(text) && (ACTING_RE.test(text) || ACTING_ON_RE.test(text) || ORDER_RE.test(text)))
    return true;
  // A later part that acts ("show me the incidents, then restart the api"): the whole request cannot be served.
  // Not in a question about what was done ("what PRs did payments open and merge").
  const parts = ASKS_WHAT_WAS_DONE.test(text)
    ? []
    : text.split(/\s*(?:[;,]|\.\s|\band then\b|\bthen\b|\band\b)\s*/).slice(1);
  if (parts.some((p) => ACTING_RE.test(p) && !ASKING_FOR_REPORT.test(p))) return true;
  if (TOPIC_RE.test(text) && !ABOUT_DOCS.test(text)) return true;
  return false;
}
