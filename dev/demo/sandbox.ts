// npm run sandbox — the offline demo, driven by you: type /em commands, open Home, click buttons, submit modals.
import { createInterface } from 'node:readline';
import { ConfigError, loadConfig, loadDotenvFile } from '../../src/config.js';
import { startOfflineDemo } from './offline.js';

const HELP = `Commands (you act as one person of the demo org, in #eng):
  /em <text>                 a slash command, e.g. /em help, /em standup 48
  home                       open your Home tab
  click <action_id> [value]  click a button you can see (modal, Home, latest messages)
  shortcut ask               the "Ask EM Agent" shortcut
  shortcut declare <text>    post <text> in #eng, then "Declare incident" on it
  submit <field>=<value> ... submit your open modal (fields by action id: question, title, severity, ...)
  say <text>                 post a message in #eng
  as <name>                  act as someone else (users lists them)
  users | help | quit`;

loadDotenvFile();
let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig({ ...process.env, SLACK_BOT_TOKEN: '', SLACK_APP_TOKEN: '' });
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`em-agent: ${err.message}\n`);
    process.exit(78);
  }
  throw err;
}
const demo = await startOfflineDemo(config);
const { emulator, users, channels } = demo;
let me = 'maya';
console.log(HELP);

const rl = createInterface({ input: process.stdin, output: process.stdout });

async function handle(line: string) {
  const user = users[me] as string;
  const eng = channels.eng as string;
  const [word = '', ...rest] = line.trim().split(/\s+/);
  const text = line.trim().slice(word.length).trim();
  if (word === '/em') return emulator.command({ user, channel: eng, text });
  if (word === 'home') return emulator.openHome(user);
  if (word === 'say') return emulator.userPosts({ user, channel: eng, text });
  if (word === 'shortcut' && rest[0] === 'ask') return emulator.globalShortcut({ user, callbackId: 'ask_em_agent' });
  if (word === 'shortcut' && rest[0] === 'declare') {
    const message = await emulator.userPosts({
      user,
      channel: eng,
      text: rest.slice(1).join(' ') || 'something is on fire',
    });
    return emulator.messageShortcut({ user, callbackId: 'declare_incident', channel: eng, ts: message.ts });
  }
  if (word === 'click') {
    const [actionId = '', value] = rest;
    const places = [
      'modal',
      'home',
      { ephemeralIn: eng },
      ...[...emulator.messagesIn(eng)].reverse().map((m) => ({ channel: eng, ts: m.ts })),
    ] as const;
    for (const where of places) {
      try {
        return await emulator.click({ user, actionId, value, where: where as never });
      } catch {
        // not shown there; try the next place
      }
    }
    return console.log(`  no button "${actionId}" is visible to ${me}`);
  }
  if (word === 'submit') {
    const values = Object.fromEntries(rest.map((pair) => pair.split('=')).map(([k, ...v]) => [k, v.join('=')]));
    const delivery = await emulator.submitView({ user, values });
    const errors = (delivery.ack as { errors?: unknown } | undefined)?.errors;
    if (errors) console.log(`  the modal stays open and shows: ${JSON.stringify(errors)}`);
    return;
  }
  if (word === 'as' && rest[0] && users[rest[0]]) {
    me = rest[0];
    return console.log(`  you are now ${me}`);
  }
  if (word === 'users') return console.log(`  ${Object.keys(users).join(', ')}`);
  if (word === '') return;
  console.log(HELP);
}

// Reading lines through the iterator keeps lines typed (or piped) while a command is still running.
rl.setPrompt(`\n${me}> `);
rl.prompt();
for await (const line of rl) {
  if (!process.stdin.isTTY) console.log(line);
  if (/^\s*(quit|exit)\s*$/.test(line)) break;
  const since = Date.now();
  try {
    await handle(line);
    await demo.show(users[me] as string, since);
  } catch (err) {
    console.log(`  ${(err as Error).message}`);
  }
  rl.setPrompt(`\n${me}> `);
  rl.prompt();
}
await demo.stop();
process.exit(0);
