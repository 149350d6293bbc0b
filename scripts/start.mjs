// npm start / npm run dev: chooses the entry point. With both Slack tokens (from the environment or .env, the
// same rule as slackMode in src/config.ts), the product (src/main.ts); without them, the offline demo
// (dev/demo/main.ts), which the product never imports. `--source` runs the TypeScript sources under tsx;
// otherwise the compiled dist/ (built by npm start's prestart).
import { config as loadDotenv } from 'dotenv';

loadDotenv({ quiet: true });
const slack = Boolean(process.env.SLACK_BOT_TOKEN && process.env.SLACK_APP_TOKEN);
const entry = slack ? 'src/main' : 'dev/demo/main';
await import(process.argv.includes('--source') ? `../${entry}.ts` : `../dist/${entry}.js`);
