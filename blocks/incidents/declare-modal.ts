import { Bits, Blocks, Elements, Modal } from 'slack-block-builder';
import { INCIDENT_SEVERITIES } from '../../src/incidents/model.js';
import { builtModal, type SlackModal } from '../kit.js';
import { truncate } from '../text.js';

export const DECLARE_MODAL = 'declare_incident_modal';
export const SEVERITIES = INCIDENT_SEVERITIES;

export interface DeclareModalData {
  title?: string;
  description?: string;
  fromMessage?: { channel: string; ts: string };
}

export function declareIncidentModal(data: DeclareModalData = {}): SlackModal {
  return builtModal(
    Modal({
      title: 'Declare incident',
      submit: 'Declare',
      close: 'Cancel',
      callbackId: DECLARE_MODAL,
      privateMetaData: JSON.stringify(data.fromMessage ?? {}),
    }).blocks(
      Blocks.Input({ label: 'Title', blockId: 'title' }).element(
        Elements.TextInput({
          actionId: 'title',
          initialValue: data.title ? truncate(data.title, 80) : undefined,
          maxLength: 80,
        }),
      ),
      Blocks.Input({ label: 'Severity', blockId: 'severity', hint: 'Not sure yet? Leave it; I will remind you.' })
        .optional()
        .element(
          Elements.StaticSelect({ actionId: 'severity', placeholder: 'Choose a severity' }).options(
            SEVERITIES.map((s) => Bits.Option({ text: truncate(s.label, 75), value: s.value })),
          ),
        ),
      Blocks.Input({ label: 'Affected service', blockId: 'service' })
        .optional()
        .element(Elements.TextInput({ actionId: 'service', placeholder: 'checkout-api' })),
      Blocks.Input({ label: 'Commander', blockId: 'commander' })
        .optional()
        .element(Elements.UserSelect({ actionId: 'commander', placeholder: 'You, unless you pick someone' })),
      Blocks.Input({ label: 'Description', blockId: 'description' })
        .optional()
        .element(
          Elements.TextInput({
            actionId: 'description',
            initialValue: data.description ? truncate(data.description, 2900) : undefined,
          })
            .multiline()
            .maxLength(3000),
        ),
    ),
  );
}
