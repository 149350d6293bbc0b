// What the sync jobs load of this connector, on their first run (its webhook route, when it has one, is loaded apart).
export { createConfluenceClient } from './client.js';
export { syncConfluenceSpace } from './sync.js';
