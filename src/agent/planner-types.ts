// The planner's public types: the tools it plans over, the calls and plans it returns, and its options.

import type { TimeWindow } from './time-window.js';

/** What the planner needs to know of a tool. */
export interface PlannerTool {
  name: string;
  description: string;
  kind: 'read' | 'propose' | 'decide';
}

export interface PlannedCall {
  tool: string;
  args: Record<string, unknown>;
}

export type Plan =
  /** Run these tools (in this order). */
  | { kind: 'run'; calls: PlannedCall[]; window?: TimeWindow }
  /** Not sure: offer these tools (2-3, closest first) to pick from. */
  | { kind: 'choose'; choices: PlannedCall[] }
  /** No tool serves this; `reason` says why in one line. */
  | { kind: 'unservable'; reason: string };

export interface PlannerOptions {
  now: Date;
  timezone?: string;
  /** Team names known to em-agent (lower case); a team may not be accepted by every tool yet. */
  teams?: string[];
  /** Repositories as owner/name. */
  repos?: string[];
  /** People by handle or first name (lower case) → Slack user id, for "@alice" typed without Slack's mention. */
  people?: Record<string, string>;
  /** The bot's own user id: a mention of it is the address, not a person asked about. */
  botUserId?: string;
  sprintDays?: number;
}
