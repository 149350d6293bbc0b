/** What an incident is made of, independent of Slack and the store. */

export const INCIDENT_SEVERITIES = [
  { value: 'SEV1', label: 'SEV1 — critical: customers cannot use the product' },
  { value: 'SEV2', label: 'SEV2 — major: a core feature is down or degraded' },
  { value: 'SEV3', label: 'SEV3 — minor: limited impact, workaround exists' },
  { value: 'SEV4', label: 'SEV4 — low: cosmetic or internal only' },
] as const;
export type IncidentSeverity = (typeof INCIDENT_SEVERITIES)[number]['value'];
export const isSeverity = (value: unknown): value is IncidentSeverity =>
  INCIDENT_SEVERITIES.some((s) => s.value === value);

export const PHASES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export type Phase = (typeof PHASES)[number];

export const ROLES = {
  commander: 'Incident commander',
  comms_lead: 'Communications lead',
  scribe: 'Scribe',
  responder: 'Responder',
} as const;
export type Role = keyof typeof ROLES;

export const TIMELINE_KINDS = [
  'declared',
  'role',
  'severity',
  'status',
  'note',
  'pinned',
  'deploy',
  'action_item',
  'resolved',
  'reopened',
] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export interface TimelineFile {
  name: string;
  url: string;
  image: boolean;
}

export interface TimelineEntry {
  id: number;
  kind: TimelineKind;
  occurredAt: Date;
  author: string | null;
  text: string;
  files: TimelineFile[];
  /** The Slack message a pinned entry follows (its edits and deletion). */
  sourceTs: string | null;
  editedAt: Date | null;
  ticket: string | null;
}

export interface SuspectedDeploy {
  source: string;
  id: string;
  repo: string;
  sha: string | null;
  ref: string | null;
  finishedAt: Date;
}

export interface Incident {
  id: string;
  number: number;
  title: string;
  severity: IncidentSeverity | null;
  phase: Phase;
  status: 'open' | 'resolved';
  service: string | null;
  description: string | null;
  declaredBy: string;
  commander: string | null;
  commsLead: string | null;
  scribe: string | null;
  responders: string[];
  channelId: string | null;
  channelName: string | null;
  cardTs: string | null;
  announceChannel: string | null;
  announceTs: string | null;
  originChannel: string | null;
  originTs: string | null;
  openedAt: Date;
  resolvedAt: Date | null;
  lastUpdateAt: Date | null;
  summary: string | null;
  cause: { source: string; id: string; confirmedBy: string | null } | null;
  archivedAt: Date | null;
}

export const incidentLabel = (i: Pick<Incident, 'number'>) => `INC-${i.number}`;

/**
 * An action item's owner and due date as typed: the first `<@U…>` mention (else whoever added it) and
 * "due 2026-12-10" or "by 2026-12-10".
 */
export function parseActionItem(text: string, author: string): { owner: string; dueOn: string | null } {
  const mention = /<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/.exec(text);
  const due = /\b(?:due|by)\s+(\d{4}-\d{2}-\d{2})\b/i.exec(text);
  return { owner: mention?.[1] ?? author, dueOn: due?.[1] ?? null };
}

/** "1 h 5 min", "3 d 4 h", "45 s": how long something took, for people. */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 24) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** Files attached to a Slack message, as timeline links (images marked, so they render as pictures). */
export function timelineFiles(files: unknown): TimelineFile[] {
  if (!Array.isArray(files)) return [];
  return files
    .slice(0, 10)
    .map((f: { name?: string; title?: string; permalink?: string; url_private?: string; mimetype?: string }) => ({
      name: String(f.name ?? f.title ?? 'file'),
      url: String(f.permalink ?? f.url_private ?? ''),
      image: String(f.mimetype ?? '').startsWith('image/'),
    }));
}
