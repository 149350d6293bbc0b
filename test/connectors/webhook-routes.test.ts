import { loadConfig, SECRET_SETTINGS } from '../../src/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { openPglite } from '../../src/store/pglite.js';
import { syncCapability } from '../../src/sync/capability.js';
import { parseSources } from '../../src/sync/sources.js';

const logger = createLogger('silent');
const SOURCES = parseSources(
  [
    'github:',
    '  installations: [{ id: 1, repos: [acme/api] }]',
    'jira:',
    '  projects: [ENG]',
    'linear:',
    '  teams: [APP]',
  ].join('\n'),
);

describe('webhook routes are registered only when their secret is set', () => {
  test('no secrets: no webhook route; each secret turns on its own', async () => {
    const db = await openPglite({});
    try {
      const routes = async (env: Record<string, string>) =>
        Object.keys((await syncCapability(loadConfig(env), SOURCES, db, logger)).routes ?? {}).sort();
      expect(await routes({})).toEqual([]);
      expect(await routes({ JIRA_WEBHOOK_SECRET: 'j-secret' })).toEqual(['POST /webhooks/jira']);
      expect(await routes({ LINEAR_WEBHOOK_SECRET: 'l-secret' })).toEqual(['POST /webhooks/linear']);
      expect(
        await routes({ GITHUB_WEBHOOK_SECRET: 'g', JIRA_WEBHOOK_SECRET: 'j', LINEAR_WEBHOOK_SECRET: 'l' }),
      ).toEqual(['POST /webhooks/github', 'POST /webhooks/jira', 'POST /webhooks/linear']);
      // A secret without the tracker in sources.yml turns nothing on.
      const none = await syncCapability(loadConfig({ JIRA_WEBHOOK_SECRET: 'j' }), parseSources('{}'), db, logger);
      expect(none.routes).toEqual({});
      // Secret settings are redacted from every log line.
      expect(SECRET_SETTINGS).toEqual(
        expect.arrayContaining(['GITHUB_WEBHOOK_SECRET', 'JIRA_WEBHOOK_SECRET', 'LINEAR_WEBHOOK_SECRET']),
      );
    } finally {
      await db.close();
    }
    // The embedded database starts slowly on a busy machine.
  }, 180_000);
});
