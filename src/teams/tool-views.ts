import { failure } from '../../blocks/notice.js';
import { teamCardMessage, teamListMessage } from '../../blocks/teams/teams.js';
import type { ToolView } from '../capabilities/capability.js';
import type { Team } from './model.js';

export const teamsToolViews: Record<string, ToolView> = {
  'teams.list': {
    label: 'the teams',
    example: 'which teams do we have?',
    render: (output) => teamListMessage((output as { teams: Team[] }).teams),
  },
  'teams.show': {
    label: 'the team',
    example: 'who is on the mobile team?',
    render: (output) => (output ? teamCardMessage(output as Team) : failure('That means the whole org, not a team.')),
  },
};
