// The syntax of `/em onboard` and `/em onboarding`: pure parsers the capability registers with its subcommands.
export type OnboardCommand = { name: 'onboard'; person: string; team?: string; buddy?: string; template?: string };

export const ONBOARD_HELP = {
  onboard: {
    usage: 'onboard @person [team] [buddy @person] [template <name>]',
    summary: "start a new hire's onboarding plan (team managers)",
  },
  onboarding: { usage: 'onboarding', summary: 'the running onboarding plans and their progress' },
} as const;

const MENTION = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/;

/** The words after `/em onboarding`. */
export function parseOnboardingArgs(
  words: string[],
): { ok: true; command: Record<string, never> } | { ok: false; message: string } {
  return words.length ? { ok: false, message: '`onboarding` takes no arguments' } : { ok: true, command: {} };
}

/** The words after `/em onboard`, as typed (Slack escapes mentions as <@U…|name>). */
export function parseOnboardArgs(
  words: string[],
): { ok: true; command: Omit<OnboardCommand, 'name'> } | { ok: false; message: string } {
  const usage = `usage: \`/em ${ONBOARD_HELP.onboard.usage}\`, e.g. \`/em onboard @dana payments buddy @bob\``;
  const person = MENTION.exec(words[0] ?? '')?.[1];
  if (!person) return { ok: false, message: usage };
  const rest = words.slice(1);
  let buddy: string | undefined;
  let template: string | undefined;
  const team: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i] as string;
    if (word.toLowerCase() === 'buddy') {
      buddy = MENTION.exec(rest[i + 1] ?? '')?.[1];
      if (!buddy) return { ok: false, message: `buddy needs a @person. ${usage}` };
      i += 1;
    } else if (word.toLowerCase() === 'template') {
      template = rest[i + 1];
      if (!template || !/^[\w-]{1,60}$/.test(template))
        return { ok: false, message: `template needs a name. ${usage}` };
      i += 1;
    } else team.push(word);
  }
  const teamText = team.join(' ').trim().slice(0, 80);
  return {
    ok: true,
    command: {
      person,
      ...(teamText ? { team: teamText } : {}),
      ...(buddy ? { buddy } : {}),
      ...(template ? { template } : {}),
    },
  };
}
