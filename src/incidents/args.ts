// The syntax of `/em incident`: a pure parser the capability registers with its subcommand.
import type { OwnSyntax } from '../slack/em-command.js';

export type IncidentCommand = { action: string; text: string };

const ACTIONS = ['start', 'list', 'note', 'action', 'timeline', 'update', 'resolve', 'roles', 'severity'];

const NEEDS_TEXT: Record<string, string> = {
  start: 'give the incident a title: `/em incident start checkout is failing`',
  note: 'a note needs text: `/em incident note rolled back v1.42`',
  action: 'an action item needs text: `/em incident action add an alert on queue depth`',
};

export const incidentSyntax: OwnSyntax<IncidentCommand> = {
  name: 'incident',
  order: 90,
  usage:
    'incident start <title> | list | note <text> | action <text> | timeline | update | roles | severity [SEV1-4] | resolve',
  summary: 'incident co-pilot',
  placeholder: 'the incident co-pilot: channel, roles, timeline, reminders and postmortem',
  parse(words) {
    const [action = '', ...rest] = words;
    if (!ACTIONS.includes(action.toLowerCase()))
      return { ok: false, message: `usage: \`/em incident ${ACTIONS.join(' | ')}\`` };
    const detail = rest.join(' ');
    const missing = NEEDS_TEXT[action.toLowerCase()];
    if (missing && detail.length === 0) return { ok: false, message: missing };
    return { ok: true, command: { action: action.toLowerCase(), text: detail } };
  },
};
