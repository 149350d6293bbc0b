// What the sync jobs load of this connector, on their first run (its webhook route is loaded apart).
export { createJiraClients } from './client.js';
export { syncJira } from './sync.js';
