import type { WebClient } from '@slack/web-api';
import { type Capability, ownSubcommand } from '../capabilities/capability.js';
import type { CapabilityModule } from '../kernel.js';
import { digestDue } from '../notifications/model.js';
import type { Db } from '../store/db.js';
import { OKR_HELP, parseOkrArgs } from './args.js';
import { applyOkrsFile, loadOkrsFile } from './file.js';
import { okrCheckinJob } from './jobs.js';
import { okrCommand, okrsHomeSection, okrsSurface } from './listeners.js';
import { NO_OKR_EDITORS, type OkrEditors, okrEditorsFromPolicies } from './permissions.js';
import { okrsToolViews } from './tool-views.js';
import { okrsCheckinTool, okrsListTool, okrsSaveTool, okrsShowTool } from './tools.js';

export interface OkrsOptions {
  db: Db;
  slack: () => WebClient | undefined;
  /** The notification pipeline's gate: the weekly check-in DM goes through it. */
  dmGate: (recipient: string, kind: string) => Promise<boolean>;
  /** Whether it is the time of day to ask an owner (their digest time on a working day). */
  due?: (recipient: string, now: Date) => Promise<boolean>;
  editors?: OkrEditors;
  /** How often the check-in job looks for this week's owed requests. */
  checkinEvery?: string;
  clock?: () => Date;
}

/**
 * OKRs: objectives and key results per team and quarter (okrs.yml, applied by app.ts at start, or okrs.save),
 * `/em okr`, the weekly check-in DM and modal, a Home section, and the tools.
 */
export function okrsCapability(options: OkrsOptions): Capability {
  const { clock } = options;
  return {
    name: 'okrs',
    tools: [
      okrsListTool(),
      okrsShowTool(clock),
      okrsCheckinTool(clock),
      okrsSaveTool(options.editors ?? NO_OKR_EDITORS),
    ],
    commands: [
      ownSubcommand({ ...OKR_HELP, parse: parseOkrArgs, handler: okrCommand({ clock }), tools: ['okrs.show'] }),
    ],
    home: [okrsHomeSection({ clock, editors: options.editors })],
    slack: okrsSurface({ clock, editors: options.editors }),
    jobs: [okrCheckinJob(options, options.checkinEvery ?? '15 minutes')],
  };
}

/** okrs.yml is applied at start (when it exists); editors are the policies' OKR editors. */
export const okrsModule: CapabilityModule = {
  name: 'okrs',
  async start(k) {
    const file = loadOkrsFile(k.config.OKRS_FILE);
    if (file) await applyOkrsFile(k.db, k.config.OKRS_FILE, file, k.logger);
    const capability = okrsCapability({
      db: k.db,
      slack: k.slack,
      dmGate: k.notifications.gate,
      due: async (owner, now) => digestDue(await k.notifications.prefsOf(owner), now),
      editors: okrEditorsFromPolicies(k.policies, k.approvals),
    });
    return { ...capability, toolViews: okrsToolViews };
  },
};
