import type { WebClient } from '@slack/web-api';

type SlackUser = { name?: string; real_name?: string; profile?: { display_name?: string } };

/** How Slack shows a person: their display name, else their full name, else their handle. */
export function shownName(user: SlackUser | undefined): string | undefined {
  return user?.profile?.display_name || user?.real_name || user?.name || undefined;
}

/**
 * Text holding mentions (`<@U…>`), with each person's name added to the mention (`<@U…|Dana>`), for places where
 * Slack shows text as it is (a form's error): `readableText` then shows it as `@Dana`. A person Slack will not
 * describe keeps their id.
 */
export async function withMentionNames(client: Pick<WebClient, 'users'>, text: string): Promise<string> {
  const ids = [...new Set([...text.matchAll(/<@([UW][A-Z0-9]+)>/g)].map((m) => m[1] as string))];
  let named = text;
  for (const id of ids) {
    const name = await client.users
      .info({ user: id })
      .then((info) => shownName(info.user))
      .catch(() => undefined);
    if (name) named = named.replaceAll(`<@${id}>`, `<@${id}|${name.replaceAll('>', '')}>`);
  }
  return named;
}
