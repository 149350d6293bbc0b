import type { WebClient } from '@slack/web-api';
import { slackErrorCode } from './errors.js';

/** How long a person's "still in the workspace" is trusted before Slack is asked again. */
export const ACCOUNT_TTL_MS = 300_000;

/**
 * Whether a Slack user is still a member of the workspace: deactivated (`deleted`) or unknown to Slack is not.
 * Asked of `users.info` at most every five minutes per person. When Slack cannot be asked (not connected, down),
 * the answer is yes: a token stays revocable by hand, and an outage must not shut every program out.
 */
export function slackAccountActive(
  slack: () => Pick<WebClient, 'users'> | undefined,
  ttlMs = ACCOUNT_TTL_MS,
  now: () => number = Date.now,
): (user: string) => Promise<boolean> {
  const known = new Map<string, { at: number; active: boolean }>();
  return async (user) => {
    const cached = known.get(user);
    if (cached && now() - cached.at < ttlMs) return cached.active;
    const client = slack();
    if (!client) return true;
    let active: boolean;
    try {
      const info = await client.users.info({ user });
      active = !info.user?.deleted;
    } catch (err) {
      if (slackErrorCode(err) !== 'user_not_found') return true;
      active = false;
    }
    known.set(user, { at: now(), active });
    return active;
  };
}
