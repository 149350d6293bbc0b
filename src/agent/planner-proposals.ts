// The proposals a part of a request asks for: a DM, a channel post, a ticket, a label, reviewers or a comment.

import { MESSAGING, POLITE_START } from './planner-clauses.js';
import { argsFor, extract } from './planner-extract.js';
import type { PlannedCall, PlannerOptions } from './planner-types.js';
import { okrCheckinIn, onboardingStartIn } from './tool-proposals.js';

/** Names of systems, not Jira project keys ("open a ticket in JIRA"). */
const NOT_A_PROJECT = new Set(['JIRA', 'LINEAR', 'GITHUB', 'SLACK', 'CI', 'PR', 'QA', 'UI', 'API', 'ASAP', 'TODO']);
const POLITE_I = new RegExp(POLITE_START, 'i');
/** The rest of a request after its verb and target: "to rotate the secret" → "rotate the secret". */
const tidy = (s: string) =>
  s
    .replace(/^\s*(?:[:,\-–—]|to say|saying|that|titled|called|named|about|for|to|with)?\s*/i, '')
    .replace(/^["“']|["”'][.!]?$/g, '')
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
export function proposalIn(
  part: string,
  o: PlannerOptions,
  request: string,
  usable: Set<string>,
): PlannedCall | undefined {
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
    // "in the QA project" names a project whatever its key reads like.
    const namedProject = new RegExp(`\\b${project}\\s+(?:project|board|backlog)\\b|\\bproject\\s+${project}\\b`).test(
      raw,
    );
    if (/^[A-Z][A-Z0-9]+$/.test(project) && (namedProject || !NOT_A_PROJECT.has(project)) && summary)
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
export const PROPOSING = ['approvals.propose', 'okrs.checkin', 'onboarding.start'];

/** A person as written ("<@U0BOB>", "@bob", "bob") → their Slack id. */
function personOf(written: string, o: PlannerOptions): string | undefined {
  const mention = /^<@([UW][A-Z0-9]+)/.exec(written);
  if (mention) return mention[1];
  return o.people?.[written.replace(/^@/, '').toLowerCase()];
}
