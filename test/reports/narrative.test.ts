import { FakeListChatModel } from '@langchain/core/utils/testing';
import { narrativeBlock, plainText } from '../../blocks/text.js';
import { OpenAIStandIn } from '../../dev/openai/server.js';
import { refreshShippedPullRequests } from '../../src/connectors/github/shipped.js';
import { chatModelFactory, ModelUsage, writeWithModel } from '../../src/lib/chat-model.js';
import { narrate } from '../../src/lib/narrative.js';
import { createLogger } from '../../src/observability/logger.js';
import { doraSyntax } from '../../src/reports/args.js';
import { doraCommand } from '../../src/reports/listeners.js';
import { deployment, deploymentSha, hoursBefore, pr } from '../support/fixtures.js';
import { type BotHarness, startBotHarness, visibleText } from '../support/slack/harness.js';

const logger = createLogger('silent');
const fake = (...responses: string[]) => {
  const model = new FakeListChatModel({ responses });
  return async () => model;
};
const FACTS = '*Deployment frequency*: 2 deployment days/week, 6 deployments\n*Lead time for changes*: 20.0 h';

describe('the optional model-written narrative', () => {
  test('is used when it only restates figures of the report; dropped when it invents a number; absent without a model', async () => {
    expect(await narrate(fake('Six deployments this week; lead time about 20.0 h.'), FACTS, logger)).toBe(
      'Six deployments this week; lead time about 20.0 h.',
    );
    expect(await narrate(fake('Lead time improved by 35% to 13 h.'), FACTS, logger)).toBeNull();
    expect(await narrate(undefined, FACTS, logger)).toBeNull();
  });

  test("one paragraph: a narrative cannot lay out headings or lists that pass for the report's own", async () => {
    expect(await narrate(fake('Six deployments.\n\n*Action needed*\n• lead time 20.0 h'), FACTS, logger)).toBe(
      'Six deployments. *Action needed* • lead time 20.0 h',
    );
  });

  test('its text is escaped like any outside text: it cannot ping or link anyone', () => {
    expect(plainText([narrativeBlock('Great week <!channel> see <https://evil.example|this>')])).toContain(
      '&lt;!channel&gt; see &lt;https://evil.example|this&gt;',
    );
  });
});

describe('/em dora with a narrative model (emulated Slack)', () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness({
      register: (commands) =>
        commands.registerOwn(
          doraSyntax,
          doraCommand({
            bandSet: '2023',
            timezone: 'UTC',
            // The model tries to change a figure; the report's figures must stay what the database says.
            model: fake('Ignore the data: lead time was 1 h and change failure rate 0%.'),
          }),
        ),
    });
    const now = Date.now();
    const ago = (hours: number) => hours + (Date.parse(hoursBefore(0)) - now) / 3_600_000;
    await pr(h.db, { number: 1, ageHours: ago(60), mergedHoursAgo: ago(40), state: 'merged' });
    await deployment(h.db, 'acme/api', 'd0', ago(100));
    await deployment(h.db, 'acme/api', 'd1', ago(30));
    // What d1 shipped, as the sync records GitHub's compare between d0 and d1: PR 1's merge commit.
    await h.db.query("UPDATE pull_requests SET merge_commit_sha = 'm1' WHERE number = 1");
    await h.db.query(
      "INSERT INTO commit_ranges (repo, base, head, status, shas) VALUES ('acme/api', $1, $2, 'ahead', '{m1}')",
      [deploymentSha('d0'), deploymentSha('d1')],
    );
    await refreshShippedPullRequests(h.db, 'acme/api');
  });
  afterAll(() => h.stop());

  test("a narrative is paid from the asker's daily model tokens; once they are spent it is left out unasked", async () => {
    let asked = 0;
    const counting = new FakeListChatModel({ responses: ['Six deployments this week.'] });
    const model = async () => {
      asked += 1;
      return counting;
    };
    const usage = new ModelUsage(h.db, 1000);
    const meter = { usage, person: 'U0NARR', purpose: 'narrative' };
    expect(await narrate(model, FACTS, logger, meter)).toBe('Six deployments this week.');
    // The fake reports no usage: what was sent and received is counted by estimate.
    expect(await usage.usedToday('U0NARR')).toBeGreaterThan(0);
    await usage.record('U0NARR', 'ask', 1000);
    expect(await narrate(model, FACTS, logger, meter)).toBeNull();
    expect(asked).toBe(1);
  });

  test('a model rate limited with a long retry-after, or hanging: the report goes out without waiting for it', async () => {
    const openai = await new OpenAIStandIn().start();
    try {
      const model = chatModelFactory({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: openai.url });
      openai.respond = () => ({ error: { status: 429, retryAfter: 30 } });
      let started = Date.now();
      await expect(
        writeWithModel(model as NonNullable<typeof model>, [{ role: 'user', content: FACTS }], undefined, 1500),
      ).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(5000);
      openai.respond = () => ({ hang: true });
      started = Date.now();
      await expect(
        writeWithModel(model as NonNullable<typeof model>, [{ role: 'user', content: FACTS }], undefined, 1500),
      ).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await openai.stop();
    }
  });

  test('a narrative that contradicts the figures is left out, and the figures are the database’s', async () => {
    await h.emulator.command({ user: h.users.alice, channel: h.channels.eng, text: 'dora 14d' });
    const shown = await h.emulator.waitFor(() =>
      h.emulator.ephemeralsFor(h.users.alice).find((e) => visibleText(e).includes('DORA four keys')),
    );
    const text = visibleText(shown);
    expect(text).toContain('*Lead time for changes*: 30.0 h'); // first commit 60 h ago, deployed 30 h ago
    expect(text).not.toContain('Summary written by a model');
  });
});
