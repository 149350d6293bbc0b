interface SlackErrorData {
  error?: string;
  /** The missing permission, on `missing_scope`. */
  needed?: string;
}

const errorData = (err: unknown): SlackErrorData => (err as { data?: SlackErrorData } | null)?.data ?? {};

/** The code of a failed Slack Web API call (`channel_not_found`, `name_taken`…), or undefined for other errors. */
export function slackErrorCode(err: unknown): string | undefined {
  return errorData(err).error;
}

/**
 * What a failure was about: where the person asked to post (`#ops`, "there" when unnamed), or, as `{ step }`, the
 * step of a longer job that did not happen ("pin the incident card").
 */
export type SlackErrorSubject = string | { step: string };

const NOT_IN_CHANNEL_ANY_MORE = 'I am not in that channel any more. Invite me back with `/invite @EM Agent`.';
const TOO_LARGE = 'That answer was too large for one Slack message; try a narrower request.';

/** Each code's reason: as told to the person who asked (`target`: where), and as why a step did not happen. */
const REASONS: Record<string, { asked?: (target: string) => string; step?: (data: SlackErrorData) => string }> = {
  channel_not_found: {
    asked: (target) => `I can't find ${target}. Check the name, or invite me first with \`/invite @EM Agent\`.`,
    step: () => NOT_IN_CHANNEL_ANY_MORE,
  },
  not_in_channel: {
    asked: (target) => `I'm not a member of ${target}. Invite me with \`/invite @EM Agent\` and try again.`,
    step: () => NOT_IN_CHANNEL_ANY_MORE,
  },
  is_archived: {
    asked: (target) => `${target} is archived, so I can't post there.`,
    step: () => 'the channel is archived.',
  },
  missing_scope: {
    asked: () => 'This installation is missing a Slack permission for that; reinstall the app from manifest.yml.',
    step: ({ needed }) =>
      `this installation lacks the \`${needed ?? 'needed'}\` permission. An admin can reinstall the app from manifest.yml.`,
  },
  ratelimited: {
    asked: () => 'Slack is rate-limiting me right now; try again in a minute.',
    step: () => 'Slack is rate-limiting me; try again in a minute.',
  },
  restricted_action: { step: () => 'a workspace setting does not allow apps to do that.' },
  msg_too_long: { asked: () => TOO_LARGE },
  invalid_blocks: { asked: () => TOO_LARGE },
  expired_trigger_id: { asked: () => 'That took too long to open; please try again.' },
};

/**
 * What a failed Slack Web API call means, in words a person can act on, without leaking internals: told to the
 * person who asked (`subject` names where, `#ops`), or, for `{ step }`, "I could not <step>: <why>".
 */
export function describeSlackError(err: unknown, subject: SlackErrorSubject = 'there'): string {
  const data = errorData(err);
  const reason = data.error && Object.hasOwn(REASONS, data.error) ? REASONS[data.error] : undefined;
  if (typeof subject === 'string')
    return reason?.asked?.(subject) ?? 'Something went wrong talking to Slack; the error was logged.';
  const why = reason?.step?.(data);
  return why
    ? `I could not ${subject.step}: ${why}`
    : `I could not ${subject.step} (Slack said ${data.error ?? 'nothing useful'}).`;
}
