// The capability contract on the demo org (the offline demo's data, synced through the real connectors from the
// GitHub and Jira stand-ins): every /em subcommand runs a tool, and every tool's output fits its schema.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type DemoSession, startOfflineDemo } from '../../dev/demo/offline.js';
import { runTool, type ToolContext } from '../../src/capabilities/tool.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { COMMANDS } from '../../src/slack/em-command.js';

let demo: DemoSession;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'em-tools-'));
  demo = await startOfflineDemo(
    loadConfig({
      DATA_DIR: dir,
      HTTP_PORT: '0',
      HTTP_HOST: '127.0.0.1',
      JOBS_LOCK_LIFETIME_MS: '2000',
      LOG_LEVEL: 'silent',
    }),
  );
}, 150_000);

afterAll(async () => {
  await demo?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Inputs for the tools that need one; the others run on their defaults (`{}`). */
const INPUTS: Record<string, unknown> = {
  'policy.explain': { action: 'nudge_reviewer' },
  'ask.search': { query: 'roll back a release' },
};

describe('the capability contract', () => {
  test('every /em subcommand (but help) runs tools, and each of them is a registered tool', () => {
    const names = demo.app.tools.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    const byCommand = demo.app.commands.tools();
    for (const { name } of COMMANDS) {
      if (name === 'help') continue;
      const tools = byCommand.get(name) ?? [];
      expect({ command: name, runsTools: tools.length > 0 }).toEqual({ command: name, runsTools: true });
      for (const tool of tools) expect(names).toContain(tool);
    }
  });

  test('every tool, run as maya on the demo org, returns output its schema accepts and JSON can carry', async () => {
    const ctx: ToolContext = {
      person: { slackId: demo.users.maya as string },
      db: demo.app.db,
      logger: createLogger('silent'),
      slack: demo.app.slack?.app.client,
    };
    const outputs: Record<string, unknown> = {};
    for (const tool of demo.app.tools) {
      const output = await runTool(tool, ctx, INPUTS[tool.name] ?? {});
      const checked = tool.output.safeParse(output);
      expect({ tool: tool.name, issues: checked.error?.issues ?? [] }).toEqual({ tool: tool.name, issues: [] });
      expect(() => JSON.stringify(output)).not.toThrow();
      outputs[tool.name] = output;
    }
    // The demo org has data behind each report: the schemas are checked on real values, not on empty lists.
    const dora = outputs['dora.report'] as { org: { current: { deployments: number } } };
    expect(dora.org.current.deployments).toBeGreaterThan(0);
    expect((outputs['sources.status'] as { scopes: unknown[] }).scopes.length).toBeGreaterThanOrEqual(4);
    expect((outputs['signals.list'] as { signals: unknown[] }).signals.length).toBeGreaterThan(0);
    expect((outputs['triage.list'] as unknown[]).length).toBeGreaterThan(0);
    expect((outputs['standup.report'] as { people: unknown[] }).people.length).toBeGreaterThan(0);
    expect((outputs['ask.search'] as { hits: unknown[] }).hits.length).toBeGreaterThan(0);
    expect(outputs['policy.explain']).toMatchObject({ action: 'nudge_reviewer' });
  }, 120_000);
});
