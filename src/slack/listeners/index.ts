import { SpanKind } from '@opentelemetry/api';
import type { App } from '@slack/bolt';
import escapeRegExp from 'escape-string-regexp';
import { HOME_REFRESH_ACTION } from '../../../blocks/home.js';
import type { UnderWay } from '../../lib/under-way.js';
import { withSpan } from '../../observability/tracing.js';
import type { SlackDeps, SlackHandler, SlackSurface } from '../deps.js';
import { homeRefresh } from './actions.js';
import { emCommand } from './commands.js';
import { appHomeOpened, memberJoined, memberLeft } from './events.js';
import { onceEvents } from './once.js';

/** The bot's own listeners: `/em`, the Home tab, and joining or leaving channels. */
function coreSurface(deps: SlackDeps): SlackSurface {
  return {
    actions: { [HOME_REFRESH_ACTION]: homeRefresh(deps) },
    events: {
      app_home_opened: appHomeOpened(deps),
      member_joined_channel: memberJoined(deps),
      member_left_channel: memberLeft(),
    },
  };
}

/** Handlers for one id from several capabilities run one after the other, in the order they are listed. */
function inSequence(handlers: SlackHandler[]): SlackHandler {
  if (handlers.length === 1) return handlers[0] as SlackHandler;
  return async (args) => {
    for (const handler of handlers) await handler(args);
  };
}

function merge(surfaces: SlackSurface[], kind: keyof SlackSurface): Record<string, SlackHandler> {
  const byId = new Map<string, SlackHandler[]>();
  for (const surface of surfaces)
    for (const [id, handler] of Object.entries(surface[kind] ?? {})) {
      // Buttons, modals and shortcuts have one owner; two would both ack the same interaction.
      if (kind !== 'events' && byId.has(id)) throw new Error(`two capabilities listen to the ${kind} id ${id}`);
      byId.set(id, [...(byId.get(id) ?? []), handler]);
    }
  return Object.fromEntries([...byId].map(([id, handlers]) => [id, inSequence(handlers)]));
}

/** Every listener the bot has, by kind and id. The manifest test reads this table. */
export function listenerTable(deps: SlackDeps) {
  const surfaces = [coreSurface(deps), ...(deps.surfaces ?? []).map((of) => of(deps))];
  const freeText = surfaces.flatMap((s) => (s.freeText ? [s.freeText] : []));
  if (freeText.length > 1) throw new Error('two capabilities take free text after /em');
  return {
    commands: { '/em': emCommand(deps, freeText[0]) } as Record<string, SlackHandler>,
    actions: merge(surfaces, 'actions'),
    options: merge(surfaces, 'options'),
    views: merge(surfaces, 'views'),
    shortcuts: { global: merge(surfaces, 'globalShortcuts'), message: merge(surfaces, 'messageShortcuts') },
    events: merge(surfaces, 'events'),
  };
}

/** A listener inside a span of its own (`slack <kind> <id>`); the root of what it does (queries, calls, jobs). */
function tracedIn(kind: string, id: string, handler: SlackHandler, underWay: UnderWay): SlackHandler {
  const attributes = { 'slack.listener.kind': kind, 'slack.listener.id': id };
  return (args) =>
    underWay.track(withSpan(`slack ${kind} ${id}`, { kind: SpanKind.SERVER, attributes }, () => handler(args)));
}

/** Exactly these ids, for Bolt's matchers. */
const anyOf = (ids: string[]) => new RegExp(`^(?:${ids.map(escapeRegExp).join('|')})$`);

type IdOf = (args: Record<string, unknown>) => string | undefined;

/**
 * One Bolt listener for every handler of a kind, dispatching by id. Bolt runs each registered listener's
 * middleware for every envelope; with one listener per id, each /em command went through some eighty chains
 * before its ack, on the thread every other ack waits for.
 */
function dispatcher(
  kind: string,
  handlers: Record<string, SlackHandler>,
  idOf: IdOf,
  underWay: UnderWay,
): SlackHandler {
  const traced = new Map(Object.entries(handlers).map(([id, h]) => [id, tracedIn(kind, id, h, underWay)]));
  return async (args) => {
    const id = idOf(args);
    const handler = id === undefined ? undefined : traced.get(id);
    if (handler) await handler(args);
  };
}

/** Registers every listener; what they are doing is tracked in `underWay`, so that a stop can let it finish. */
export function registerListeners(app: App, deps: SlackDeps, underWay: UnderWay): void {
  app.use(onceEvents(deps));
  const table = listenerTable(deps);
  for (const [command, handler] of Object.entries(table.commands))
    app.command(command, tracedIn('command', command, handler, underWay));
  const register = (
    handlers: Record<string, SlackHandler>,
    kind: string,
    idOf: IdOf,
    add: (ids: RegExp, listener: SlackHandler) => void,
  ) => {
    const ids = Object.keys(handlers);
    if (ids.length) add(anyOf(ids), dispatcher(kind, handlers, idOf, underWay));
  };
  const field = (of: string, key: string) => (args: Record<string, unknown>) =>
    (args[of] as Record<string, string> | undefined)?.[key];
  register(table.actions, 'action', field('action', 'action_id'), (ids, l) => app.action(ids, l));
  register(table.options, 'options', field('body', 'action_id'), (ids, l) => app.options({ action_id: ids }, l));
  register(table.views, 'view', field('view', 'callback_id'), (ids, l) => app.view(ids, l));
  register(table.shortcuts.global, 'shortcut', field('shortcut', 'callback_id'), (ids, l) =>
    app.shortcut({ callback_id: ids, type: 'shortcut' }, l),
  );
  register(table.shortcuts.message, 'shortcut', field('shortcut', 'callback_id'), (ids, l) =>
    app.shortcut({ callback_id: ids, type: 'message_action' }, l),
  );
  register(table.events, 'event', field('event', 'type'), (ids, l) => app.event(ids, l));
}
