/** What a Slack Web API error means to the person who asked, without leaking internals. */
export function describeSlackError(err: unknown, target = 'there'): string {
  const code = (err as { data?: { error?: string }; code?: string })?.data?.error;
  switch (code) {
    case 'channel_not_found':
      return `I can't find ${target}. Check the name, or invite me first with \`/invite @EM Agent\`.`;
    case 'not_in_channel':
      return `I'm not a member of ${target}. Invite me with \`/invite @EM Agent\` and try again.`;
    case 'is_archived':
      return `${target} is archived, so I can't post there.`;
    case 'missing_scope':
      return 'This installation is missing a Slack permission for that; reinstall the app from manifest.yml.';
    case 'ratelimited':
      return 'Slack is rate-limiting me right now; try again in a minute.';
    case 'msg_too_long':
    case 'invalid_blocks':
      return 'That answer was too large for one Slack message; try a narrower request.';
    case 'expired_trigger_id':
      return 'That took too long to open; please try again.';
    default:
      return 'Something went wrong talking to Slack; the error was logged.';
  }
}
