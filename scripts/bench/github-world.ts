// A GitHub stand-in holding BENCH_REPOS × BENCH_PRS pull requests, in a process of its own so that serving it
// costs the measured process nothing (GitHub's servers are not on the bot's event loop either).
// Prints one JSON line {url, appId, privateKey, repos}, then serves until it is killed.
import { GitHubStandIn } from '../../dev/github/server.js';

const REPOS = Number(process.env.BENCH_REPOS ?? 20);
const PRS = Number(process.env.BENCH_PRS ?? 100);

const gh = await new GitHubStandIn().start();
const repos = Array.from({ length: REPOS }, (_, i) => `acme/service-${i}`);
gh.addInstallation(1, repos);
for (const repo of repos) {
  for (let n = 1; n <= PRS; n += 1) gh.addPull(repo, { title: `ENG-${n}: change`, author: `dev${n % 30}` });
  for (let d = 0; d < 10; d += 1) gh.addDeployment(repo, 'production', ['success']);
}
process.stdout.write(`${JSON.stringify({ url: gh.url, appId: gh.appId, privateKey: gh.privateKey, repos })}\n`);
process.on('SIGTERM', () => gh.stop().then(() => process.exit(0)));
