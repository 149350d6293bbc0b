// What the sync jobs load of this connector, on their first run (its webhook route is loaded apart).
export { createLinearClient } from './client.js';
export { syncLinear } from './sync.js';
