import type { AnyEvaluator, KindEvaluator } from '../finding.js';
import type { RuleKind } from '../rules.js';
import { failingMain, metricThreshold } from './ci-and-metrics.js';
import { largePr, noTicketLink, reviewBottleneck, reviewRequested, stalePr } from './pull-requests.js';
import { agingBlocked, sprintScopeCreep, unassignedUrgent, wipLimitExceeded } from './tickets.js';

const EVALUATORS: { [K in RuleKind]: KindEvaluator<K> } = {
  stale_pr: stalePr,
  review_bottleneck: reviewBottleneck,
  review_requested: reviewRequested,
  no_ticket_link: noTicketLink,
  large_pr: largePr,
  wip_limit_exceeded: wipLimitExceeded,
  failing_main: failingMain,
  unassigned_urgent: unassignedUrgent,
  sprint_scope_creep: sprintScopeCreep,
  aging_blocked: agingBlocked,
  metric_threshold: metricThreshold,
};

export const evaluatorFor = (kind: RuleKind): AnyEvaluator => EVALUATORS[kind] as AnyEvaluator;
