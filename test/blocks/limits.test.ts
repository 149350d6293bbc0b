import { askModal } from '../../blocks/ask/modal.js';
import { helpMessage, unknownCommandMessage } from '../../blocks/help.js';
import { HOME_REFRESH_ACTION, homeView } from '../../blocks/home.js';
import { declareIncidentModal } from '../../blocks/incidents/declare-modal.js';
import { failure, notConfigured, notice, workingOn } from '../../blocks/notice.js';
import { checkMessageBlocks, checkView } from '../../dev/slack/limits.js';
import { createLogger } from '../../src/observability/logger.js';
import { CommandRegistry } from '../../src/slack/commands.js';
import { placeholderSections } from '../../src/slack/home.js';
import { listenerTable } from '../../src/slack/listeners/index.js';
import type { Db } from '../../src/store/db.js';
import { everySlackSurface, everySubcommandDeclared } from '../support/slack/surfaces.js';

const huge = 'x'.repeat(10_000);
const unicode = '👩🏽‍💻 ünïcödé — « quotes » <@U123> <!channel> `code` *bold* '.repeat(200);

const registry = everySubcommandDeclared();
const COMMANDS = registry.help();

const messages = {
  help: helpMessage({ commands: COMMANDS }),
  'help with a problem': helpMessage({ commands: COMMANDS, problem: huge, suggestion: 'standup' }),
  'unknown command (4,000 chars)': unknownCommandMessage(COMMANDS, 'y'.repeat(4000)),
  'unknown command (unicode)': unknownCommandMessage(COMMANDS, unicode),
  notice: notice(unicode),
  failure: failure(huge),
  'working on': workingOn(huge),
  ...Object.fromEntries(
    COMMANDS.map(({ name }) => [`not configured: ${name}`, notConfigured(name, registry.placeholder(name))]),
  ),
};

function home(lines: number, lineLength: number, sections = 5) {
  return homeView({
    userId: 'U1',
    updatedAt: new Date('2026-11-25T10:00:00Z'),
    sections: Array.from({ length: sections }, (_, i) => ({
      id: `s${i}`,
      title: `Section ${i} ${'t'.repeat(lineLength)}`,
      lines: Array.from({ length: lines }, (_, j) => `${j}. ${'l'.repeat(lineLength)}`),
      empty: 'Nothing here',
      actions: [{ actionId: HOME_REFRESH_ACTION, text: 'Refresh' }],
    })),
  });
}

const views = {
  'home, empty': home(0, 0),
  'home, every section full of long lines': home(500, 2000, 12),
  'home with the placeholder frame': homeView({ userId: 'U1', updatedAt: new Date(), sections: [] }),
  'ask modal': askModal(),
  'ask modal about a huge message': askModal({ aboutMessage: { channel: 'C1', ts: '1.1', text: unicode } }),
  'declare modal prefilled from a huge message': declareIncidentModal({
    title: unicode,
    description: unicode,
    fromMessage: { channel: 'C1', ts: '1.1' },
  }),
};

describe("every Slack surface fits Slack's limits", () => {
  test.each(Object.entries(messages))('message: %s', (_name, message) => {
    expect(checkMessageBlocks(message.blocks)).toEqual([]);
    expect(message.text.length).toBeGreaterThan(0);
  });

  test.each(Object.entries(views))('view: %s', (_name, view) => {
    expect(checkView({ ...view, type: 'type' in view ? view.type : 'modal' })).toEqual([]);
  });

  test('every button the surfaces show has a listener', () => {
    const table = listenerTable({
      db: {} as Db,
      logger: createLogger('silent'),
      commands: new CommandRegistry(),
      home: placeholderSections(),
      surfaces: everySlackSurface(),
    });
    const actionIds = new Set<string>();
    const collect = (node: unknown) => {
      if (Array.isArray(node)) node.forEach(collect);
      else if (node && typeof node === 'object') {
        const obj = node as Record<string, unknown>;
        if (obj.type === 'button' && typeof obj.action_id === 'string') actionIds.add(obj.action_id);
        Object.values(obj).forEach(collect);
      }
    };
    collect([Object.values(messages), Object.values(views)]);
    expect(actionIds.size).toBeGreaterThan(0);
    for (const id of actionIds) expect(Object.keys(table.actions)).toContain(id);
  });
});

describe('the limit checker itself catches what Slack refuses', () => {
  test.each([
    [
      'a header over 150 characters',
      [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }],
      'must be less than 151 characters [json-pointer:/blocks/0/text/text]',
    ],
    [
      '51 blocks in a message',
      Array.from({ length: 51 }, () => ({ type: 'divider' })),
      'must provide at most 50 items [json-pointer:/blocks]',
    ],
    [
      'a button label over 75 characters',
      [
        {
          type: 'actions',
          elements: [{ type: 'button', action_id: 'a', text: { type: 'plain_text', text: 'b'.repeat(76) } }],
        },
      ],
      '[json-pointer:/blocks/0/elements/0/text/text]',
    ],
    [
      '26 buttons in one actions block',
      [
        {
          type: 'actions',
          elements: Array.from({ length: 26 }, (_, i) => ({
            type: 'button',
            action_id: `a${i}`,
            text: { type: 'plain_text', text: 'b' },
          })),
        },
      ],
      'must provide between 1 and 25 items',
    ],
    [
      'a section over 3,000 characters',
      [{ type: 'section', text: { type: 'mrkdwn', text: 's'.repeat(3001) } }],
      'must be less than 3001 characters',
    ],
  ])('%s', (_name, blocks, expected) => {
    expect(checkMessageBlocks(blocks).join('\n')).toContain(expected);
  });

  test('a modal title over 24 characters and 101 blocks', () => {
    const errors = checkView({
      type: 'modal',
      title: { type: 'plain_text', text: 't'.repeat(25) },
      blocks: Array.from({ length: 101 }, () => ({ type: 'divider' })),
    });
    expect(errors.join('\n')).toContain('[json-pointer:/view/title/text]');
    expect(errors.join('\n')).toContain('must provide at most 100 items [json-pointer:/view/blocks]');
  });
});
