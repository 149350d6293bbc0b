import { describeSlackError, slackErrorCode } from '../../src/slack/errors.js';

/** A failed Web API call as @slack/web-api throws it (a platform error carrying Slack's response). */
const slackFailure = (error: string, extra: Record<string, string> = {}) =>
  Object.assign(new Error(`An API error occurred: ${error}`), {
    code: 'slack_webapi_platform_error',
    data: { ok: false, error, ...extra },
  });

describe('one Slack error describer, for a person who asked and for a step of a longer job', () => {
  test('to the person who asked, it names the place they asked for and what to do', () => {
    expect(describeSlackError(slackFailure('channel_not_found'), '#nowhere')).toBe(
      "I can't find #nowhere. Check the name, or invite me first with `/invite @EM Agent`.",
    );
    expect(describeSlackError(slackFailure('is_archived'), '#ops')).toBe("#ops is archived, so I can't post there.");
    expect(describeSlackError(slackFailure('restricted_action'))).toBe(
      'Something went wrong talking to Slack; the error was logged.',
    );
  });

  test('for a step, it says which step did not happen and why, naming a missing permission', () => {
    expect(describeSlackError(slackFailure('missing_scope', { needed: 'pins:write' }), { step: 'pin the card' })).toBe(
      'I could not pin the card: this installation lacks the `pins:write` permission. An admin can reinstall the app from manifest.yml.',
    );
    expect(describeSlackError(slackFailure('not_in_channel'), { step: 'update the channel topic' })).toBe(
      'I could not update the channel topic: I am not in that channel any more. Invite me back with `/invite @EM Agent`.',
    );
    expect(describeSlackError(slackFailure('msg_too_long'), { step: 'post the update' })).toBe(
      'I could not post the update (Slack said msg_too_long).',
    );
    expect(describeSlackError(new Error('socket hang up'), { step: 'post the update' })).toBe(
      'I could not post the update (Slack said nothing useful).',
    );
  });

  test('the code comes from Slack errors only, and an unknown one is quoted, not taken for a known one', () => {
    expect(slackErrorCode(slackFailure('name_taken'))).toBe('name_taken');
    expect(slackErrorCode(new Error('boom'))).toBeUndefined();
    expect(slackErrorCode(undefined)).toBeUndefined();
    expect(describeSlackError(slackFailure('constructor'), { step: 'archive it' })).toBe(
      'I could not archive it (Slack said constructor).',
    );
  });
});
