import { type Capability, ownSubcommand } from '../capabilities/capability.js';
import type { CapabilityModule } from '../kernel.js';
import { teamSyntax } from './args.js';
import { applyTeamsFile, loadTeamsFile } from './file.js';
import { teamCommand, teamsHomeSection, teamsSurface } from './listeners.js';
import { NO_TEAM_ADMINS, type TeamAdmins, teamAdminsFromPolicies } from './permissions.js';
import { teamsToolViews } from './tool-views.js';
import { teamsArchiveTool, teamsListTool, teamsSaveTool, teamsShowTool } from './tools.js';

/**
 * Teams: `/em team list|show`, the Home team section (picker, figures, create/edit/archive modals), and the
 * tools (read, and save/archive under the same permissions as the modals). Every report's `[team]` scoping lives with the reports; teams.yml is applied by app.ts at start.
 */
export function teamsCapability(admins: TeamAdmins = NO_TEAM_ADMINS): Capability {
  return {
    name: 'teams',
    // teams.save and teams.archive decide (admins, and managers for their own team): REST and MCP decide tokens.
    tools: [teamsListTool(), teamsShowTool(), teamsSaveTool(admins), teamsArchiveTool(admins)],
    commands: [ownSubcommand({ ...teamSyntax, handler: teamCommand(), tools: ['teams.list', 'teams.show'] })],
    home: [teamsHomeSection(admins)],
    slack: teamsSurface(admins),
  };
}

/** teams.yml is applied at start (when it exists); admins are the policies' team admins. */
export const teamsModule: CapabilityModule = {
  name: 'teams',
  async start(k) {
    const file = loadTeamsFile(k.config.TEAMS_FILE);
    if (file) await applyTeamsFile(k.db, k.config.TEAMS_FILE, file, k.logger);
    return { ...teamsCapability(teamAdminsFromPolicies(k.policies, k.approvals)), toolViews: teamsToolViews };
  },
};
