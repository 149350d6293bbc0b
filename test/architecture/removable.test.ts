// The removable capabilities (REMOVABLE in .dependency-cruiser.cjs) really are: with their folders and their lines
// in src/app.ts deleted, the product still type-checks, and started without them it still answers.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type App, CAPABILITIES, startApp } from '../../src/app.js';
import { runTool } from '../../src/capabilities/tool.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/observability/logger.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const REMOVABLE: string[] = createRequire(import.meta.url)(path.join(root, '.dependency-cruiser.cjs'))
  .forbidden.filter((rule: { name: string }) => rule.name.startsWith('leaf-capabilities-removable:'))
  .map((rule: { name: string }) => rule.name.split(':')[1]);

test('the rule names the removable capabilities, each a module of src/app.ts', () => {
  expect(REMOVABLE.sort()).toEqual(['agent', 'eventbus', 'incidents', 'okrs', 'onboarding']);
  expect(CAPABILITIES.map((m) => m.name)).toEqual(expect.arrayContaining(REMOVABLE));
});

test('with every removable capability deleted (folders and its line in app.ts), the product type-checks', async () => {
  const copy = mkdtempSync(path.join(tmpdir(), 'em-removed-'));
  try {
    for (const entry of ['src', 'blocks', 'dev', 'tsconfig.json', 'tsconfig.build.json', 'package.json'])
      cpSync(path.join(root, entry), path.join(copy, entry), { recursive: true });
    symlinkSync(path.join(root, 'node_modules'), path.join(copy, 'node_modules'));
    let app = readFileSync(path.join(copy, 'src/app.ts'), 'utf8');
    for (const leaf of REMOVABLE) {
      rmSync(path.join(copy, 'src', leaf), { recursive: true });
      rmSync(path.join(copy, 'blocks', leaf), { recursive: true, force: true });
      rmSync(path.join(copy, 'blocks', `${leaf}.ts`), { force: true });
      const line = new RegExp(`^import \\{ (\\w+Module) \\} from '\\./${leaf}/capability\\.js';\\n`, 'm');
      const module = line.exec(app)?.[1];
      expect(module).toBeDefined();
      app = app.replace(line, '').replace(new RegExp(`^  ${module},\\n`, 'm'), '');
    }
    writeFileSync(path.join(copy, 'src/app.ts'), app);
    const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
    const result = await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--noEmit'], {
      cwd: copy,
    }).catch((err: { stdout: string }) => ({ stdout: err.stdout }));
    expect(result.stdout).toBe('');
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}, 240_000);

describe('started without the removable capabilities', () => {
  let app: App;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'em-kernel-only-'));

  beforeAll(async () => {
    app = await startApp(
      loadConfig({ DATA_DIR: dataDir, HTTP_PORT: '0', HTTP_HOST: '127.0.0.1', METRICS_TOKEN: 'kernel-only' }),
      createLogger('silent'),
      CAPABILITIES.filter((m) => !REMOVABLE.includes(m.name)),
    );
  }, 150_000);
  afterAll(async () => {
    await app?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('offers none of their tools or subcommands, and the others still answer', async () => {
    const tools = app.tools.map((t) => t.name);
    expect(tools.filter((name) => /^(agent|incidents|okrs|onboarding)\./.test(name))).toEqual([]);
    const subcommands = app.commands.syntaxes().map((s) => s.name);
    expect(subcommands).toEqual(expect.arrayContaining(['dora', 'triage', 'sprint', 'approvals', 'ask', 'team']));
    expect(subcommands).not.toContain('incident');
    expect(subcommands).not.toContain('okr');

    const ctx = { person: { slackId: 'U1' }, db: app.db, logger: createLogger('silent') };
    const dora = app.tools.find((t) => t.name === 'dora.report');
    const report = (await runTool(dora as NonNullable<typeof dora>, ctx, { days: 30 })) as { days: number };
    expect(report.days).toBe(30);

    const ready = await fetch(`http://127.0.0.1:${app.http.port}/ready`, {
      headers: { authorization: 'Bearer kernel-only' },
    });
    expect(ready.status).toBe(200);
  });
});
