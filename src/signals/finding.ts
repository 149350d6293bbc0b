import type { WorkCalendar } from '../lib/work-calendar.js';
import type { Queryable } from '../store/db.js';
import type { Rule, RuleKind, RuleOf } from './rules.js';

/** An account in a source; the identity map turns it into a Slack user when a DM is due. */
export interface PersonRef {
  source: 'github' | 'jira' | 'linear' | 'shortcut';
  id: string;
}

/** What a rule found about one subject (a PR, a reviewer on a PR, a ticket, a repo's CI, a metric). */
export interface Finding {
  /** Stable across evaluations: the same subject keeps one open signal. */
  subject: string;
  title: string;
  url?: string | null;
  evidence: Record<string, string | number | null | { label: string; url: string | null; value: number }[]>;
  target: {
    repo?: string;
    number?: number;
    ticket?: { source: string; key: string };
    author?: PersonRef;
    reviewer?: PersonRef;
    assignee?: PersonRef;
  };
}

export interface EvalContext {
  db: Queryable;
  now: Date;
  /** Present when the rule counts working hours only. */
  calendar?: WorkCalendar;
}

export type KindEvaluator<K extends RuleKind> = (rule: RuleOf<K>, ctx: EvalContext) => Promise<Finding[]>;
export type AnyEvaluator = (rule: Rule, ctx: EvalContext) => Promise<Finding[]>;

/** A scope list as a SQL array parameter: null means "everything". */
export const scopeParam = (list?: string[]) => (list?.length ? list : null);
export const hoursAgo = (now: Date, hours: number) => new Date(now.getTime() - hours * 3_600_000);
export const round1 = (n: number) => Math.round(n * 10) / 10;
