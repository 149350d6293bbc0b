import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { createLogger } from '../../src/observability/logger.js';
import { CommandRegistry } from '../../src/slack/commands.js';
import { placeholderSections } from '../../src/slack/home.js';
import { listenerTable } from '../../src/slack/listeners/index.js';
import type { Db } from '../../src/store/db.js';
import { everySlackSurface } from '../support/slack/surfaces.js';

interface Manifest {
  display_information: { name: string; description: string };
  features: {
    app_home: { home_tab_enabled: boolean };
    bot_user: { display_name: string };
    shortcuts: { name: string; type: 'global' | 'message'; callback_id: string; description: string }[];
    slash_commands: { command: string; description: string }[];
  };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    event_subscriptions: { bot_events: string[] };
    interactivity: { is_enabled: boolean };
    socket_mode_enabled: boolean;
  };
}

const manifest = parse(readFileSync(new URL('../../manifest.yml', import.meta.url), 'utf8')) as Manifest;
// Building the table only wires functions; no listener runs, so no database is touched.
const table = listenerTable({
  db: {} as Db,
  logger: createLogger('silent'),
  commands: new CommandRegistry(),
  home: placeholderSections(),
  surfaces: everySlackSurface(),
});
const sorted = (values: Iterable<string>) => [...values].sort();

describe('manifest.yml', () => {
  test('every slash command in the manifest has a listener, and every listener is in the manifest', () => {
    expect(sorted(manifest.features.slash_commands.map((c) => c.command))).toEqual(sorted(Object.keys(table.commands)));
  });

  test.each(['global', 'message'] as const)('every %s shortcut matches a listener both ways', (type) => {
    const declared = manifest.features.shortcuts.filter((s) => s.type === type).map((s) => s.callback_id);
    expect(sorted(declared)).toEqual(sorted(Object.keys(table.shortcuts[type])));
  });

  test('every subscribed event has a listener, and every event listener is subscribed', () => {
    // message.channels arrives as events of type "message".
    // message.channels and message.im both arrive as events of type "message".
    const subscribed = [
      ...new Set(manifest.settings.event_subscriptions.bot_events.map((e) => e.split('.')[0] as string)),
    ];
    expect(sorted(subscribed)).toEqual(sorted(Object.keys(table.events)));
  });

  test('runs in Socket Mode with interactivity and the Home tab on', () => {
    expect(manifest.settings.socket_mode_enabled).toBe(true);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
  });

  test("stays within Slack's manifest limits", () => {
    expect(manifest.display_information.name.length).toBeLessThanOrEqual(35);
    expect(manifest.features.bot_user.display_name.length).toBeLessThanOrEqual(80);
    expect(manifest.features.shortcuts.length).toBeLessThanOrEqual(10);
    for (const s of manifest.features.shortcuts) {
      expect(s.callback_id.length).toBeLessThanOrEqual(255);
      expect(s.description.length).toBeLessThanOrEqual(150);
    }
    for (const c of manifest.features.slash_commands) expect(c.command).toMatch(/^\/[a-z0-9_-]{1,31}$/);
  });

  test('asks for the scopes the product uses and no wildcard', () => {
    const scopes = manifest.oauth_config.scopes.bot;
    for (const needed of [
      'commands',
      'chat:write',
      'im:write',
      'channels:manage',
      'channels:history',
      'reactions:read',
      'pins:write',
      'users:read.email',
      'files:write',
      'usergroups:read',
      'im:history',
    ]) {
      expect(scopes).toContain(needed);
    }
    expect(new Set(scopes).size).toBe(scopes.length);
  });
});
