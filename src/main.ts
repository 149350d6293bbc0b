// The product's entry point: em-agent connected to Slack. `npm start` runs the offline demo (dev/demo/main.ts)
// instead when no Slack tokens are set (scripts/start.mjs chooses); started here without them, it says so.
import { startApp } from './app.js';
import { slackMode } from './config.js';
import { runProcess } from './process.js';

await runProcess(async (config, logger) => {
  if (slackMode(config) === 'slack') return startApp(config, logger);
  process.stderr.write(
    'em-agent: SLACK_BOT_TOKEN and SLACK_APP_TOKEN are not set (set both, or run `npm start` for the offline demo)\n',
  );
  process.exit(78); // EX_CONFIG
});
