import type { SlackEmulator } from '../../dev/slack/emulator.js';

const TOKEN = /ema_[a-z0-9]{10}_[A-Za-z0-9_-]{43}/;

/** A personal API token made the way people make one: `/em token create <name> <scope>` in Slack. */
export async function tokenMadeInSlack(
  emulator: SlackEmulator,
  user: string,
  channel: string,
  name: string,
  scope: 'read' | 'propose' | 'decide',
): Promise<string> {
  const before = emulator.ephemeralsFor(user).length;
  await emulator.command({ user, channel, text: `token create ${name} ${scope}` });
  const reply = await emulator.waitFor(
    () =>
      emulator
        .ephemeralsFor(user)
        .slice(before)
        .find((e) => TOKEN.test(JSON.stringify(e.blocks ?? []))),
    20_000,
  );
  return TOKEN.exec(JSON.stringify(reply.blocks))?.[0] as string;
}
