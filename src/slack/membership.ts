import type { WebClient } from '@slack/web-api';

/** How long a channel's member list is trusted before Slack is asked again. */
export const MEMBERSHIP_TTL_MS = 60_000;

type MembersClient = Pick<WebClient, 'conversations'>;

/**
 * Who is in which Slack channel, from `conversations.members`, cached briefly and forgotten at once when someone
 * leaves (`member_left_channel`). Anything Slack will not tell us counts as "not a member": private stays private.
 */
export class ChannelMembership {
  private readonly cache = new Map<string, { at: number; members: Set<string> }>();

  constructor(
    private readonly ttlMs = MEMBERSHIP_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  async isMember(client: MembersClient, channel: string, user: string): Promise<boolean> {
    return (await this.members(client, channel)).has(user);
  }

  /** The channels among `channels` that `user` is a member of. */
  async visibleOf(client: MembersClient | undefined, channels: string[], user: string): Promise<string[]> {
    if (!client) return [];
    const visible: string[] = [];
    for (const channel of new Set(channels)) if (await this.isMember(client, channel, user)) visible.push(channel);
    return visible;
  }

  /** Someone left (or was removed from) a channel: the next check asks Slack again. */
  forget(channel: string): void {
    this.cache.delete(channel);
  }

  /** Forgets every channel (a new workspace connection). */
  clear(): void {
    this.cache.clear();
  }

  private async members(client: MembersClient, channel: string): Promise<Set<string>> {
    const cached = this.cache.get(channel);
    if (cached && this.now() - cached.at < this.ttlMs) return cached.members;
    const members = new Set<string>();
    try {
      let cursor: string | undefined;
      do {
        const page = await client.conversations.members({ channel, limit: 1000, cursor });
        for (const id of page.members ?? []) members.add(id);
        cursor = page.response_metadata?.next_cursor || undefined;
      } while (cursor);
    } catch {
      return members; // not cached: a transient failure denies now and asks again next time
    }
    this.cache.set(channel, { at: this.now(), members });
    return members;
  }
}

/** The items `user` may see: public ones (visibleIn null) and those of private channels they are a member of. */
export async function onlyVisible<T extends { visibleIn: string | null }>(
  items: T[],
  client: MembersClient | undefined,
  user: string,
  membership: ChannelMembership = channelMembership,
): Promise<T[]> {
  const channels = items.flatMap((i) => (i.visibleIn ? [i.visibleIn] : []));
  const visible = new Set(await membership.visibleOf(client, channels, user));
  return items.filter((i) => !i.visibleIn || visible.has(i.visibleIn));
}

/** One membership cache per process, shared by every surface that filters by channel. */
export const channelMembership = new ChannelMembership();

/**
 * A post target as a channel id: ids as they are, `#name` looked up among the channels the bot can see
 * (public ones, and private ones it is in). Undefined when there is no such channel.
 */
export async function channelIdOf(
  client: Pick<WebClient, 'conversations'>,
  target: string,
): Promise<string | undefined> {
  if (!target.startsWith('#')) return target;
  const name = target.slice(1);
  let cursor: string | undefined;
  do {
    const page = await client.conversations.list({
      types: 'public_channel,private_channel',
      exclude_archived: true,
      limit: 1000,
      cursor,
    });
    const found = page.channels?.find((c) => c.name === name);
    if (found?.id) return found.id;
    cursor = page.response_metadata?.next_cursor || undefined;
  } while (cursor);
  return undefined;
}
