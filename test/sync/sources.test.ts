import { readFileSync } from 'node:fs';
import { sourcesSyntax } from '../../src/sync/args.js';
import { sourcesCommand } from '../../src/sync/listeners.js';
import { configuredSources, parseSources, SourcesError } from '../../src/sync/sources.js';
import { recordSyncFailure, recordSyncSuccess } from '../../src/sync/status-store.js';
import { type BotHarness, startBotHarness, visibleText } from '../support/slack/harness.js';

function problems(text: string): string[] {
  try {
    parseSources(text);
  } catch (err) {
    if (err instanceof SourcesError) return err.problems;
    throw err;
  }
  return [];
}

describe('sources.yml', () => {
  test('the committed example is valid and gets defaults', () => {
    const sources = parseSources(readFileSync(new URL('../../sources.example.yml', import.meta.url), 'utf8'));
    expect(sources.github).toMatchObject({
      interval: '5 minutes',
      backfill_days: 90,
      deployments: { environment: 'production' },
    });
  });

  test('an empty file means no sources, no people, and the default incident rules', () => {
    const sources = parseSources('');
    expect(configuredSources(sources)).toEqual([]);
    expect(sources.people).toEqual([]);
    expect(sources.incidents).toEqual({
      jira: { issue_types: ['Incident'], labels: [] },
      linear: { labels: ['incident'] },
      github: { labels: ['incident'] },
      shortcut: { labels: ['incident'] },
    });
  });

  test('incident rules can be narrowed per tracker; a typo is reported with its line', () => {
    expect(parseSources('incidents:\n  linear: { labels: [outage] }\n').incidents.linear).toEqual({
      labels: ['outage'],
    });
    expect(() => parseSources('incidents:\n  jira:\n    issue_type: [Incident]\n', 'sources.yml')).toThrow(
      /sources\.yml:3: incidents\.jira: .*issue_type/,
    );
  });

  test('a bad value is reported with file, line and field', () => {
    const text = [
      'github:',
      '  installations:',
      '    - id: 12',
      '      repos:',
      '        - acme/api',
      '        - not a repo',
      '  interval: often',
    ].join('\n');
    expect(problems(text)).toEqual([
      'sources.yml:6: github.installations.0.repos.1: must look like owner/repo',
      'sources.yml:7: github.interval: must look like "5 minutes"',
    ]);
  });

  test('a person may be named by a Jira account alone (hidden e-mail), but not by nothing', () => {
    const sources = parseSources('people:\n  - { jira: 5b10ac8d82e05b22cc7d4ef5, slack: U0KIM, name: Kim Park }\n');
    expect(sources.people).toEqual([{ jira: '5b10ac8d82e05b22cc7d4ef5', slack: 'U0KIM', name: 'Kim Park' }]);
    expect(problems('people:\n  - { slack: U0KIM, name: Kim Park }\n')).toEqual([
      'sources.yml:2: people.0: needs an email, or a jira, linear, shortcut or github account',
    ]);
  });

  test('an unknown key and broken YAML are reported with their lines', () => {
    expect(problems('github:\n  installations: []\ngitlab: {}\n').join('\n')).toMatch(/sources.yml:\d+: .*gitlab/);
    expect(problems('github:\n  installations: [\n')[0]).toMatch(/^sources.yml:\d+: /);
  });
});

describe('/em sources', () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness({
      register: (commands) => commands.registerOwn(sourcesSyntax, sourcesCommand(['github'])),
    });
  });
  afterAll(() => h.stop());

  test('shows each scope with its last success, rate limit left and the last error in plain words', async () => {
    await recordSyncSuccess(h.db, 'github', 'acme/web', { rateLimitRemaining: 4990, rejected: 2 });
    await recordSyncSuccess(h.db, 'jira', 'ENG', {
      rejected: 1,
      lastSkip: 'ENG-9: fields.summary: <b> expected string',
    });
    await recordSyncFailure(h.db, 'github', 'acme/api', 'authentication failed (401): check the credentials');
    await h.emulator.command({ user: h.users.alice, channel: h.channels.eng, text: 'sources' });
    const answer = await h.emulator.waitFor(() =>
      h.emulator.ephemeralsFor(h.users.alice).find((e) => visibleText(e).includes('acme/api')),
    );
    const text = visibleText(answer);
    expect(text).toContain(':red_circle: *github* `acme/api` — never synced');
    expect(text).toContain('authentication failed (401)');
    expect(text).toContain(
      ':large_yellow_circle: *github* `acme/web` — last success just now · rate limit left 4990 · 2 malformed records skipped',
    );
    // Which record and which field, escaped.
    expect(text).toContain('1 malformed records skipped (last: ENG-9: fields.summary: &lt;b&gt; expected string)');
  });
});
