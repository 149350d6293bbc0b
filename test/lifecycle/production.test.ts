// The production start, as service managers run it: one process receives SIGTERM, and nothing is left behind.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SlackEmulator } from '../../dev/slack/emulator.js';
import { eventually } from '../support/eventually.js';
import { type Child, ROOT, runCommand } from '../support/processes.js';

/** True while any process of the group still exists (signal 0 only asks). */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stopGroup(child: Child): Promise<void> {
  const pid = child.proc.pid;
  if (pid !== undefined && groupAlive(pid)) process.kill(-pid, 'SIGKILL');
}

describe('the production start', () => {
  test('npm start (the README’s command) stops cleanly when SIGTERM reaches npm alone, leaving no process in its group', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'em-npm-start-'));
    const started = runCommand('npm', ['start'], {
      detached: true,
      env: { DATA_DIR: dataDir, HTTP_PORT: '0', HTTP_HOST: '127.0.0.1', SLACK_BOT_TOKEN: '', SLACK_APP_TOKEN: '' },
    });
    try {
      // It builds dist/ on demand (npm start's prestart); without tokens scripts/start.mjs runs the demo's entry.
      await started.waitFor(/First sync done/, 150_000);
      expect(started.output()).toContain('node --enable-source-maps --max-semi-space-size=2 scripts/start.mjs');
      const npmPid = started.proc.pid as number;
      process.kill(npmPid, 'SIGTERM'); // what Docker, systemd and Kubernetes do with `npm start` as the command
      // npm exits at once; the bot, its child, must notice and stop on its own.
      await eventually(async () => started.output().includes('stopped cleanly'), 10_000, '"stopped cleanly" logged');
      await eventually(async () => !groupAlive(npmPid), 10_000, 'every process of the group gone');
    } finally {
      await stopGroup(started);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 200_000);

  test('the Dockerfile’s final stage, performed in a clean directory: production dependencies only, /health and its HEALTHCHECK answer, SIGTERM stops node', async () => {
    const recipe = finalStage(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
    const dir = mkdtempSync(path.join(tmpdir(), 'em-container-'));
    const emulator = await new SlackEmulator().start();
    let app: Child | undefined;
    try {
      for (const step of recipe.steps) {
        if (step.kind === 'copy') {
          for (const source of step.sources) {
            const from = step.fromBuild ? path.join(ROOT, path.relative('/app', source)) : path.join(ROOT, source);
            const to = step.sources.length > 1 ? path.join(dir, source) : path.join(dir, step.target);
            cpSync(from, to, { recursive: true });
          }
        } else if (step.command.startsWith('npm ci')) {
          // Only the install: `npm cache clean` would empty this machine's shared cache.
          const args = step.command.split('&&')[0]?.trim().split(/\s+/).slice(1) ?? [];
          expect(args).toContain('--omit=dev');
          const install = runCommand('npm', [...args, '--prefer-offline'], { cwd: dir });
          expect((await install.exited()).code).toBe(0);
        } else if (step.command.startsWith('mkdir')) {
          mkdirSync(path.join(dir, 'data'), { recursive: true });
        } else {
          throw new Error(`the test does not know how to perform: RUN ${step.command}`);
        }
      }
      // No development tool is installed: the product runs on what it declares it needs.
      expect(() => readFileSync(path.join(dir, 'node_modules/jest/package.json'))).toThrow();

      const [command, ...args] = recipe.cmd;
      app = runCommand(command === 'node' ? process.execPath : (command as string), args, {
        cwd: dir,
        env: {
          ...recipe.env,
          DATA_DIR: path.join(dir, 'data'),
          HTTP_PORT: '0',
          HTTP_HOST: '127.0.0.1',
          SLACK_BOT_TOKEN: emulator.botToken,
          SLACK_APP_TOKEN: emulator.appToken,
          SLACK_API_URL: emulator.apiUrl,
        },
      });
      const [, port] = (await app.waitFor(/"port":(\d+)[^\n]*http server listening/, 60_000)) as string[];
      await app.waitFor(/connected to Slack over Socket Mode/, 30_000);
      const health = await fetch(`http://127.0.0.1:${port}/health`);
      expect(health.status).toBe(200);
      const [checkCommand, ...checkArgs] = recipe.healthcheck;
      const check = runCommand(checkCommand === 'node' ? process.execPath : (checkCommand as string), checkArgs, {
        cwd: dir,
        env: { HTTP_PORT: port },
      });
      expect((await check.exited()).code).toBe(0);

      app.proc.kill('SIGTERM');
      await app.waitFor(/stopped cleanly/, 10_000);
      expect((await app.exited()).code).toBe(0);
    } finally {
      if (app && app.proc.exitCode === null) app.proc.kill('SIGKILL');
      await emulator.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});

type Step = { kind: 'copy'; sources: string[]; target: string; fromBuild: boolean } | { kind: 'run'; command: string };

/** The last stage of a Dockerfile: its COPY and RUN steps in order, ENV, HEALTHCHECK and CMD (exec form). */
function finalStage(dockerfile: string) {
  const lines = dockerfile
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const stage = lines.slice(lines.map((line) => line.startsWith('FROM ')).lastIndexOf(true) + 1);
  const steps: Step[] = [];
  const env: Record<string, string> = {};
  let cmd: string[] = [];
  let healthcheck: string[] = [];
  for (const line of stage) {
    const [instruction, ...rest] = line.split(/\s+/);
    const argument = line.slice((instruction as string).length).trim();
    if (instruction === 'COPY') {
      const fromBuild = rest[0]?.startsWith('--from=') ?? false;
      const parts = fromBuild ? rest.slice(1) : rest;
      steps.push({ kind: 'copy', sources: parts.slice(0, -1), target: parts.at(-1) as string, fromBuild });
    } else if (instruction === 'RUN') steps.push({ kind: 'run', command: argument });
    else if (instruction === 'ENV')
      for (const pair of rest) {
        const [key, value] = pair.split('=');
        env[key as string] = value as string;
      }
    else if (instruction === 'CMD') cmd = JSON.parse(argument);
    else if (instruction === 'HEALTHCHECK') healthcheck = JSON.parse(argument.slice(argument.indexOf('CMD') + 3));
  }
  return { steps, env, cmd, healthcheck };
}
