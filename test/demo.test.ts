import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runTs } from './support/processes.js';

describe('npm start without Slack tokens (the README’s first command)', () => {
  test('runs the offline tour against the emulator (data synced from local GitHub/Jira), showing every surface, and stops cleanly', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'em-demo-'));
    const demo = runTs(
      'scripts/start.mjs',
      {
        DATA_DIR: dataDir,
        HTTP_PORT: '0',
        HTTP_HOST: '127.0.0.1',
        SLACK_BOT_TOKEN: '',
        SLACK_APP_TOKEN: '',
        DATABASE_URL: '',
        JOBS_LOCK_LIFETIME_MS: '2000',
      },
      ['--source'],
    );
    try {
      await demo.waitFor(/Tour done|demo tour failed/, 400_000); // generous: on a loaded CI machine the tour took over 150 s
      const out = demo.output();
      expect(out).not.toContain('demo tour failed');
      // The demo's data comes through the real connectors from the GitHub, Jira and Shortcut stand-ins.
      expect(out).toContain(
        'First sync done: github acme/checkout-api, github acme/payments, github acme/web, jira ENG, shortcut mobile.',
      );
      expect(out).toMatch(/:large_green_circle: \*shortcut\* `mobile` — last success/); // /em sources
      expect(out).toContain('default branch is red'); // /em signals
      expect(out).toContain('*Waiting for approval* (2)'); // /em approvals
      expect(out).toMatch(/Approved by <@U\w+> .* · done/); // the Approve button ran the action
      expect(out).toContain('`/em dora [window] [team] [post #channel]`');
      expect(out).toContain('Did you mean `/em standup`?');
      expect(out).toContain('hours must be between 1 and 336');
      expect(out).toContain("maya's Home tab");
      // maya is in @eng-leads, whom the shipped policies make team admins: she can create the first team.
      expect(out).toContain('No teams yet: create one with New team.');
      expect(out).toContain('┌ Ask EM Agent');
      expect(out).toContain(
        'the modal stays open and shows: {"ask_question":"Ask a question of at least 3 characters."}',
      );
      expect(out).toContain('Title: [ checkout-api is returning 500s since 10:02 ]');
      expect(out).toContain('EM Agent in DM to sam');
      // /em ask answers from the repository docs the GitHub connector synced, with a citation.
      expect(out).toContain('To *roll* *back* a *release*, run `make rollback TO=previous`');
      expect(out).toContain('acme/checkout-api: docs/runbooks/rollback.md');
      // The incident co-pilot: its channel, the pinned timeline, and the postmortem draft on resolve.
      expect(out).toMatch(/Declared \*INC-1\*: <#C\w+>/);
      expect(out).toMatch(/EM Agent in #inc-\d{8}-checkout-api-returning-500s/);
      expect(out).toContain('severity not set');
      expect(out).toMatch(
        /TIMELINE: INC-1 CHECKOUT-API RETURNING 500S[\s\S]*Error rate 38% on \/checkout[\s\S]*rolled back to v1\.41/,
      );
      expect(out).toContain('POSTMORTEM DRAFT: INC-1 CHECKOUT-API RETURNING 500S'); // headers render in capitals
      expect(out).toContain('Time to restore');
      demo.proc.kill('SIGTERM');
      expect((await demo.exited()).code).toBe(0);
    } finally {
      if (demo.proc.exitCode === null) demo.proc.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 420_000);
});
