// Teams as requests name them: "payments", "#payments", "the payment team", "the serach team" (a typo, when a
// word like "team" says it is one), and the whole org ("org-wide", "every team").

import escapeRe from 'escape-string-regexp';
import { near } from './phrase-match.js';

/** Words after a team's name that say it is a team ("the payments folks"). */
const TEAM_WORD = '(?:team|teams|squad|group|folks|people|crew|pod|org|engineers|devs|eng)';

/** "Org-wide", "across the whole company": the org, not one team. */
const ORG_WIDE =
  /\b(?:org[- ]?wide|(?<=^\S+\s+)org(?=\s+\d|\s*$)|company[- ]wide|(?:across|for|in) (?:the )?(?:whole |entire )?(?:org|organi[sz]ation|company)|every team(?:'s)?|(?:the )?(?:whole|entire) (?:org|organi[sz]ation|company|eng(?:ineering)? org)|across (?:all (?:the )?|every )teams?|for (?:all|every) teams?|(?:all of|(?:the )?(?:whole|entire)) eng(?:ineering)?(?: org| department)?)\b/;

/** A word before "team", "squad", …: a misspelt team's name when it is near one ("serach team"). */
const BEFORE_TEAM_WORD = new RegExp(`(?:^|[^\\w/-])#?([a-z][a-z-]{3,})(?:'s?)?\\s+${TEAM_WORD}(?=$|[^\\w/-])`, 'gi');

/** The team named first in `text`, where it is named; else the org when the text is about all of it. */
export function teamIn(text: string, teams: string[]): { team: string; at: number } | undefined {
  let best: { team: string; at: number } | undefined;
  for (const name of teams) {
    const esc = escapeRe(name);
    // "payments", "#payments", "payments'", "the payment team", "infrastructure squad".
    const singular = name.endsWith('s') ? `|${escapeRe(name.slice(0, -1))}` : '';
    const re = new RegExp(
      `(?:^|[^\\w/-])#?(?:(${esc})(?:\\s+${TEAM_WORD})?|(?:${esc}[a-z]*${singular})\\s+${TEAM_WORD})(?=$|[^\\w/-])`,
      'i',
    );
    const found = re.exec(text);
    if (found && found.index < (best?.at ?? Number.POSITIVE_INFINITY)) best = { team: name, at: found.index };
  }
  if (best) return best;
  for (const m of text.matchAll(BEFORE_TEAM_WORD)) {
    const word = (m[1] as string).toLowerCase();
    const name = teams.find((t) => near(word, t));
    if (name) return { team: name, at: m.index ?? 0 };
  }
  const org = ORG_WIDE.exec(text.toLowerCase());
  return org ? { team: 'org', at: org.index } : undefined;
}

/** Words that point back at a team (or quarter) named before ("what is blocking them"). */
const BACK_REFERENCE = /\b(?:them|their|they|theirs|there|same|those)\b/i;

/**
 * The team of each intent in a request of several: the team its own clause names; else one named after it ("sprint
 * health and stale PRs for payments"); else one named before it, when the clause is a bare follow-on ("triage for
 * payments, then the burndown"), points back at it ("… and what is blocking them"), or that team was named where no
 * tool was asked for ("payments: sprint, blockers"). A later intent with qualifiers of its own (a window) and no team
 * has none ("dora org-wide since nov 1 and the incidents since nov 1 too"), unless the team heads the request
 * ("payments: sprint health and incidents this week"); `qualified` says whether a clause has them.
 */
export function clauseTeams(
  all: string[],
  picked: Set<string>,
  teams: string[],
  qualified: (clause: string) => boolean,
): (clause: string, requestTeam: string | undefined) => string | undefined {
  return clauseQualifier(all, picked, (c) => teamIn(c, teams)?.team, qualified);
}

/** The same rule for any qualifier a clause may name (a team, a quarter): `find` reads it from a piece of text. */
export function clauseQualifier(
  all: string[],
  picked: Set<string>,
  find: (text: string) => string | undefined,
  qualified: (clause: string) => boolean,
): (clause: string, requestValue: string | undefined) => string | undefined {
  const named = all.map(find);
  // A qualifier before a colon or dash that opens the request heads all of it ("payments: sprint and incidents").
  const heading = /^([^:–—]{1,40}?)\s*(?::|\s[-–—])\s/.exec(all[0] ?? '');
  const headed = heading ? find(heading[1] as string) : undefined;
  return (clause, requestValue) => {
    const i = all.indexOf(clause);
    if (i < 0) return requestValue;
    if (named[i] && !(i === 0 && headed)) return named[i];
    if (headed) return headed;
    if (named.slice(i + 1).some(Boolean)) return requestValue;
    const before = all.slice(0, i).filter((_c, k) => named[k]);
    if (before.length === 0 || !qualified(clause)) return requestValue;
    if (BACK_REFERENCE.test(clause) || before.some((c) => !picked.has(c))) return requestValue;
    return undefined;
  };
}
