// The offline demo's entry point: em-agent against the local Slack emulator and the GitHub/Jira stand-ins,
// with a scripted tour. `npm start` and `npm run dev` run it when no Slack tokens are set (scripts/start.mjs).
import { runProcess } from '../../src/process.js';
import { runTour, startOfflineDemo } from './offline.js';

await runProcess(async (config, logger, isStopping) => {
  logger.info(
    'SLACK_BOT_TOKEN and SLACK_APP_TOKEN are not set: starting the offline demo against the local Slack emulator',
  );
  const demo = await startOfflineDemo(config);
  runTour(demo).catch((err: unknown) => {
    if (!isStopping()) logger.error({ err }, 'demo tour failed');
  });
  return demo;
});
