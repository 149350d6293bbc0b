// Writing on an incident's timeline as tools: a note, an action item (which goes into the postmortem).
import { z } from 'zod';
import { defineTool } from '../capabilities/tool.js';
import { incidentLabel } from './model.js';
import type { IncidentService } from './service.js';
import { changed, changeOutput, incidentNumber, incidentToChange } from './tool-access.js';

export function incidentsNoteTool(service: IncidentService) {
  return defineTool({
    name: 'incidents.note',
    description:
      'Adds a note to the timeline of an incident declared in Slack, by its number (INC-12 is 12), as the acting ' +
      'person. Anyone who can see the incident may; one in a private channel is its members’ only.',
    kind: 'decide',
    input: z.object({
      number: incidentNumber,
      text: z.string().trim().min(1, { error: 'A note needs text.' }),
    }),
    output: changeOutput({}),
    run: async (ctx, input) => {
      const found = await incidentToChange(service, ctx, input.number);
      if (!('incident' in found)) return found;
      await service.addNote(found.incident, ctx.person.slackId, input.text);
      return changed(found.incident, true, `Added to the ${incidentLabel(found.incident)} timeline.`);
    },
  });
}

export function incidentsActionItemTool(service: IncidentService) {
  return defineTool({
    name: 'incidents.actionItem',
    description:
      'Adds an action item to an incident (by number; INC-12 is 12); it is listed in the postmortem. Its first ' +
      '<@U…> mention is its owner (else the acting person), "due 2026-12-10" or "by 2026-12-10" its due date.',
    kind: 'decide',
    input: z.object({
      number: incidentNumber,
      text: z.string().trim().min(1, { error: 'An action item needs text.' }),
    }),
    output: changeOutput({}),
    run: async (ctx, input) => {
      const found = await incidentToChange(service, ctx, input.number);
      if (!('incident' in found)) return found;
      await service.addActionItem(found.incident, ctx.person.slackId, input.text);
      return changed(
        found.incident,
        true,
        `Action item added to ${incidentLabel(found.incident)}; it will be in the postmortem.`,
      );
    },
  });
}
