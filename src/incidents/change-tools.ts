// Changing an incident as tools: its severity, its roles, a status update, resolving it. Each posts in the
// incident's channel and updates its card, as the same change from Slack does.
import { z } from 'zod';
import { defineTool, timestamp } from '../capabilities/tool.js';
import { INCIDENT_SEVERITIES, type IncidentSeverity, PHASES, ROLES, type Role } from './model.js';
import type { IncidentService } from './service.js';
import { getIncident } from './store.js';
import { changed, changeOutput, incidentNumber, incidentToChange, slackUser } from './tool-access.js';

const SEVERITY_VALUES = INCIDENT_SEVERITIES.map((s) => s.value) as [IncidentSeverity, ...IncidentSeverity[]];
const ROLE_KEYS = Object.keys(ROLES) as [Role, ...Role[]];

export function incidentsSeverityTool(service: IncidentService) {
  return defineTool({
    name: 'incidents.severity',
    description:
      'Sets the severity of an incident (by number; INC-12 is 12): SEV1 (critical) to SEV4 (low). The on-call ' +
      'people the incidents policy names for it are invited; the card and channel topic say it.',
    kind: 'decide',
    input: z.object({
      number: incidentNumber,
      severity: z.enum(SEVERITY_VALUES, { error: 'Severity must be SEV1, SEV2, SEV3 or SEV4.' }),
    }),
    output: changeOutput({ severity: z.enum(SEVERITY_VALUES), previous: z.enum(SEVERITY_VALUES).nullable() }),
    run: async (ctx, input) => {
      const found = await incidentToChange(service, ctx, input.number);
      if (!('incident' in found)) return found;
      const { incident } = found;
      const message = await service.setSeverity(incident, ctx.person.slackId, input.severity);
      return {
        ...changed(incident, incident.severity !== input.severity, message),
        severity: input.severity,
        previous: incident.severity,
      };
    },
  });
}

export function incidentsAssignTool(service: IncidentService) {
  return defineTool({
    name: 'incidents.assign',
    description:
      'Gives a person (Slack user id) a role on an incident (by number): commander, comms_lead, scribe or ' +
      'responder, and invites them to its channel. Only the current commander, or someone the incidents policy ' +
      'names under commander_handover, may hand over the commander role; each attempt is audited.',
    kind: 'decide',
    input: z.object({
      number: incidentNumber,
      role: z.enum(ROLE_KEYS, { error: 'The role is commander, comms_lead, scribe or responder.' }),
      user: slackUser,
    }),
    output: changeOutput({ role: z.enum(ROLE_KEYS), user: z.string() }),
    run: async (ctx, input) => {
      const found = await incidentToChange(service, ctx, input.number);
      if (!('incident' in found)) return found;
      const result = await service.assignRole(found.incident, ctx.person.slackId, input.role, input.user);
      if (!result.allowed) return { ok: false as const, message: result.message };
      return { ...changed(found.incident, true, result.message), role: input.role, user: input.user };
    },
  });
}

export function incidentsUpdateTool(service: IncidentService) {
  return defineTool({
    name: 'incidents.update',
    description:
      'Posts a status update on an incident (by number): its phase (investigating, identified, monitoring, ' +
      'resolved) and what is happening, in its channel and under its announcement. An update on a resolved ' +
      'incident reopens it; the phase `resolved` resolves it (as incidents.resolve).',
    kind: 'decide',
    input: z.object({
      number: incidentNumber,
      phase: z.enum(PHASES, { error: 'Choose a status: investigating, identified, monitoring or resolved.' }),
      summary: z.string().trim().min(3, { error: 'Say what is happening (at least 3 characters).' }),
    }),
    output: changeOutput({ phase: z.enum(PHASES), status: z.enum(['open', 'resolved']) }),
    run: async (ctx, input) => {
      const found = await incidentToChange(service, ctx, input.number);
      if (!('incident' in found)) return found;
      const { incident } = found;
      const message = await service.postStatusUpdate(incident, ctx.person.slackId, input.phase, input.summary);
      const now = (await getIncident(ctx.db, incident.id)) ?? incident;
      const didChange = input.phase !== 'resolved' || incident.status !== 'resolved';
      return { ...changed(incident, didChange, message), phase: now.phase, status: now.status };
    },
  });
}

export function incidentsResolveTool(service: IncidentService) {
  return defineTool({
    name: 'incidents.resolve',
    description:
      'Resolves an incident (by number) with what resolved it: records the time to restore, posts the postmortem ' +
      'draft in its channel and tells its announcement thread.',
    kind: 'decide',
    input: z.object({
      number: incidentNumber,
      summary: z.string().trim().min(3, { error: 'Say what resolved it (at least 3 characters).' }),
    }),
    output: changeOutput({ resolvedAt: timestamp.nullable() }),
    run: async (ctx, input) => {
      const found = await incidentToChange(service, ctx, input.number);
      if (!('incident' in found)) return found;
      const { incident } = found;
      const message = await service.resolve(incident, ctx.person.slackId, input.summary);
      const now = (await getIncident(ctx.db, incident.id)) ?? incident;
      return { ...changed(incident, incident.status !== 'resolved', message), resolvedAt: now.resolvedAt };
    },
  });
}
