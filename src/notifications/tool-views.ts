import { type DigestView, digestMessage } from '../../blocks/notifications/messages.js';
import type { ToolView } from '../capabilities/capability.js';

export const notificationsToolViews: Record<string, ToolView> = {
  'notifications.digest': {
    label: 'your digest',
    example: "what's in my digest today?",
    render: (output) => digestMessage(output as DigestView),
  },
  'notifications.preferences': { label: 'your notification preferences' },
};
