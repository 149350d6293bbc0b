import { Bits, Blocks, Elements, Modal } from 'slack-block-builder';
import {
  INCIDENT_SEVERITIES,
  type Incident,
  incidentLabel,
  PHASES,
  ROLES,
  type SuspectedDeploy,
} from '../../src/incidents/model.js';
import { builtModal, type SlackModal } from '../kit.js';
import { truncate } from '../text.js';

export const INCIDENT_MODALS = {
  update: 'incident_update_modal',
  role: 'incident_role_modal',
  note: 'incident_note_modal',
  severity: 'incident_severity_modal',
  resolve: 'incident_resolve_modal',
  cause: 'incident_cause_modal',
} as const;

const title = (incident: Incident) => truncate(incidentLabel(incident), 24);
const build = (m: ReturnType<typeof Modal>): SlackModal => builtModal(m);
const severityOptions = () =>
  INCIDENT_SEVERITIES.map((s) => Bits.Option({ text: truncate(s.label, 75), value: s.value }));

export function statusUpdateModal(incident: Incident): SlackModal {
  return build(
    Modal({
      title: title(incident),
      submit: 'Post update',
      close: 'Cancel',
      callbackId: INCIDENT_MODALS.update,
      privateMetaData: incident.id,
    }).blocks(
      Blocks.Input({ label: 'Status', blockId: 'phase' }).element(
        Elements.StaticSelect({ actionId: 'phase' })
          .options(PHASES.map((p) => Bits.Option({ text: p, value: p })))
          .initialOption(Bits.Option({ text: incident.phase, value: incident.phase })),
      ),
      Blocks.Input({ label: 'What is happening?', blockId: 'summary' }).element(
        Elements.TextInput({ actionId: 'summary', placeholder: 'Rolled back v1.42; error rate falling.' })
          .multiline()
          .maxLength(2000),
      ),
    ),
  );
}

export function assignRoleModal(incident: Incident): SlackModal {
  return build(
    Modal({
      title: title(incident),
      submit: 'Assign',
      close: 'Cancel',
      callbackId: INCIDENT_MODALS.role,
      privateMetaData: incident.id,
    }).blocks(
      Blocks.Input({ label: 'Role', blockId: 'role' }).element(
        Elements.StaticSelect({ actionId: 'role' }).options(
          Object.entries(ROLES).map(([value, text]) => Bits.Option({ text, value })),
        ),
      ),
      Blocks.Input({ label: 'Person', blockId: 'user' }).element(Elements.UserSelect({ actionId: 'user' })),
    ),
  );
}

export function addNoteModal(incident: Incident): SlackModal {
  return build(
    Modal({
      title: title(incident),
      submit: 'Add note',
      close: 'Cancel',
      callbackId: INCIDENT_MODALS.note,
      privateMetaData: incident.id,
    }).blocks(
      Blocks.Input({ label: 'Note for the timeline', blockId: 'note' }).element(
        Elements.TextInput({ actionId: 'note' }).multiline().maxLength(2000),
      ),
    ),
  );
}

export function severityModal(incident: Incident): SlackModal {
  const select = Elements.StaticSelect({ actionId: 'severity' }).options(severityOptions());
  const current = INCIDENT_SEVERITIES.find((s) => s.value === incident.severity);
  return build(
    Modal({
      title: title(incident),
      submit: 'Change',
      close: 'Cancel',
      callbackId: INCIDENT_MODALS.severity,
      privateMetaData: incident.id,
    }).blocks(
      Blocks.Input({ label: 'Severity', blockId: 'severity' }).element(
        current
          ? select.initialOption(Bits.Option({ text: truncate(current.label, 75), value: current.value }))
          : select,
      ),
    ),
  );
}

export function resolveModal(incident: Incident): SlackModal {
  return build(
    Modal({
      title: title(incident),
      submit: 'Resolve',
      close: 'Cancel',
      callbackId: INCIDENT_MODALS.resolve,
      privateMetaData: incident.id,
    }).blocks(
      Blocks.Section({
        text: 'Resolving records the time to restore, posts a postmortem draft and archives the channel later.',
      }),
      Blocks.Input({ label: 'What resolved it?', blockId: 'summary' }).element(
        Elements.TextInput({ actionId: 'summary', placeholder: 'Rolled back v1.42.' }).multiline().maxLength(2000),
      ),
    ),
  );
}

export function pickDeploymentModal(incident: Incident, deployments: SuspectedDeploy[]): SlackModal {
  return build(
    Modal({
      title: title(incident),
      submit: 'Confirm',
      close: 'Cancel',
      callbackId: INCIDENT_MODALS.cause,
      privateMetaData: incident.id,
    }).blocks(
      deployments.length
        ? Blocks.Input({ label: 'The deployment that caused it', blockId: 'deployment' }).element(
            Elements.StaticSelect({ actionId: 'deployment' }).options(
              deployments.map((d) =>
                Bits.Option({
                  text: truncate(
                    `${d.repo}${d.sha ? ` @ ${d.sha.slice(0, 7)}` : ''} · ${d.finishedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
                    75,
                  ),
                  value: JSON.stringify({ source: d.source, id: d.id }).slice(0, 150),
                }),
              ),
            ),
          )
        : Blocks.Section({ text: 'No successful deployments were synced before this incident.' }),
    ),
  );
}
