import { Bits, Blocks, Elements, Modal } from 'slack-block-builder';
import { truncate } from '../text.js';

export const DECLARE_MODAL = 'declare_incident_modal';
export const SEVERITIES = [
  { value: 'SEV1', label: 'SEV1 — critical: customers cannot use the product' },
  { value: 'SEV2', label: 'SEV2 — major: a core feature is down or degraded' },
  { value: 'SEV3', label: 'SEV3 — minor: limited impact, workaround exists' },
  { value: 'SEV4', label: 'SEV4 — low: cosmetic or internal only' },
] as const;

export interface DeclareModalData {
  title?: string;
  description?: string;
  fromMessage?: { channel: string; ts: string };
}

export function declareIncidentModal(data: DeclareModalData = {}): Record<string, unknown> {
  return Modal({
    title: 'Declare incident',
    submit: 'Declare',
    close: 'Cancel',
    callbackId: DECLARE_MODAL,
    privateMetaData: JSON.stringify(data.fromMessage ?? {}),
  })
    .blocks(
      Blocks.Input({ label: 'Title', blockId: 'title' }).element(
        Elements.TextInput({
          actionId: 'title',
          initialValue: data.title ? truncate(data.title, 80) : undefined,
          maxLength: 80,
        }),
      ),
      Blocks.Input({ label: 'Severity', blockId: 'severity' }).element(
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
    )
    .buildToObject() as Record<string, unknown>;
}
