// The Slack emulator in a process of its own, so that what Slack does (serving the Web API, rate limiting, sending
// envelopes) costs the measured bot nothing, and acks and Home publishes are timed from Slack's side.
// Prints one JSON line {botToken, appToken, apiUrl, users, channel}, then answers IPC requests:
// {id, op: 'command', user, text} → {id, acked, attempts, ackLatencyMs}; {id, op: 'home', user} → {id, ms, completeMs};
// {id, op: 'connected'} once the bot's socket is open; {id, op: 'working'} → {id, working}: replies still saying
// "Working on…" (commands acked whose report has not come yet); {id, op: 'loop'} → {id, maxMs}: this process's worst
// event-loop delay since the last such request.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { SlackEmulator } from '../../dev/slack/emulator.js';
import { LOADING_TILE } from '../../src/slack/home.js';

const emulator = await new SlackEmulator({ rateLimits: true }).start();
const ws = emulator.workspace;
const alice = ws.addUser({ name: 'alice', real_name: 'Alice Smith', email: 'alice@acme.dev' }).id;
const bob = ws.addUser({ name: 'bob', real_name: 'Bob Jones', email: 'bob@acme.dev' }).id;
const channel = ws.addChannel('eng', { members: [alice, bob, ws.botUserId] }).id;

/**
 * Milliseconds from app_home_opened to the views.publish that answers it, and to the first one with no org-wide
 * tile still loading (the bot publishes again when such a tile is ready); 10 s at most.
 */
async function timeHomePublish(user: string): Promise<{ ms: number; completeMs: number }> {
  const before = emulator.callsTo('views.publish').length;
  const started = Date.now();
  await emulator.openHome(user);
  const since = () => emulator.callsTo('views.publish').slice(before);
  while (!since().length && Date.now() - started < 10_000) await new Promise((resolve) => setTimeout(resolve, 5));
  const ms = Date.now() - started;
  // Each publish is read once: reading every view again every 5 ms kept this process (Slack) from timing acks.
  let read = 0;
  const complete = () => {
    const published = since();
    for (; read < published.length; read += 1)
      if (!JSON.stringify(published[read]?.args.view ?? '').includes(LOADING_TILE)) return true;
    return false;
  };
  while (!complete() && Date.now() - started < 10_000) await new Promise((resolve) => setTimeout(resolve, 5));
  return { ms, completeMs: Date.now() - started };
}

type Request = {
  id: number;
  op: 'command' | 'home' | 'connected' | 'working' | 'loop';
  user?: string;
  text?: string;
};

// This process's own worst event-loop delay: an ack that arrives while it is held up is timed late.
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();

process.on('message', async (request: Request) => {
  const user = request.user ?? alice;
  if (request.op === 'connected') {
    await emulator.waitForConnections(1, 60_000);
    process.send?.({ id: request.id });
  } else if (request.op === 'working') {
    const replies = [alice, bob].flatMap((u) => emulator.ephemeralsFor(u));
    process.send?.({ id: request.id, working: replies.filter((e) => /Working on/.test(e.text ?? '')).length });
  } else if (request.op === 'loop') {
    process.send?.({ id: request.id, maxMs: Math.round(loop.max / 1e6) });
    loop.reset();
  } else if (request.op === 'home') {
    process.send?.({ id: request.id, ...(await timeHomePublish(user)) });
  } else {
    const d = await emulator.command({ user, channel, text: request.text ?? 'help' });
    process.send?.({ id: request.id, acked: d.acked, attempts: d.attempts, ackLatencyMs: d.ackLatencyMs });
  }
});
process.on('disconnect', () => emulator.stop().then(() => process.exit(0)));
process.stdout.write(
  `${JSON.stringify({ botToken: emulator.botToken, appToken: emulator.appToken, apiUrl: emulator.apiUrl, users: [alice, bob], channel })}\n`,
);
