// Starts em-agent's service (embedded store, jobs, HTTP; no Slack) and prints its HTTP port, for bench:store's RSS figure.
import { startApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/observability/logger.js';

const app = await startApp(loadConfig(process.env), createLogger('warn'));
process.stdout.write(`"port":${app.http.port}\n`);
process.on('SIGTERM', () => {
  app.stop().then(() => process.exit(0));
});
