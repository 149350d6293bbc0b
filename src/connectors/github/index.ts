// What the sync jobs load of this connector, on their first run (its webhook route is loaded apart).
export { createGitHubApp, instrument, stopWith } from './client.js';
export { syncRepoDocs } from './docs.js';
export { syncGitHubRepo } from './sync.js';
