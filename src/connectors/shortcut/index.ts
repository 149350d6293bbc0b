// What the sync jobs load of this connector, on their first run (its webhook route is loaded apart).
export { createShortcutClient } from './client.js';
export { syncShortcut } from './sync.js';
