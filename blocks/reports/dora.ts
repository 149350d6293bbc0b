import { Blocks, Message } from 'slack-block-builder';
import { type Band, type BandSet, recoveryFor } from '../../src/reports/dora-bands.js';
import type { DoraReport, DoraScope } from '../../src/reports/dora-report.js';
import type { SlackMessage } from '../help.js';
import { builtBlocks } from '../kit.js';
import { escapeMrkdwn, truncate } from '../text.js';

const BAND_ICON: Record<Band, string> = {
  elite: ':large_green_circle: elite',
  high: ':large_blue_circle: high',
  medium: ':large_yellow_circle: medium',
  low: ':red_circle: low',
};
const band = (b: Band | null) => (b ? `*${BAND_ICON[b]}*` : '_no data_');

export function hours(h: number | null): string {
  if (h === null) return '–';
  if (h < 1) return `${Math.round(h * 60)} min`;
  if (h < 48) return `${h.toFixed(1)} h`;
  return `${(h / 24).toFixed(1)} days`;
}
const pct = (r: number | null) => (r === null ? '–' : `${Math.round(r * 100)}%`);
const num = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));
const was = (now: string, before: string) => (now === before ? '' : ` (was ${before})`);

function keyLines(s: DoraScope, set: BandSet, recoveryLabel: string): string[] {
  const bands = s.bands;
  const c = s.current;
  const p = s.previous;
  const recovery = recoveryFor(c, set);
  const recoveryBefore = recoveryFor(p, set);
  return [
    `• *Deployment frequency*: ${num(c.deploymentDaysPerWeek)} deployment days/week, ${c.deployments} deployments${was(num(c.deploymentDaysPerWeek), num(p.deploymentDaysPerWeek))} — ${band(bands.deploymentFrequency)}`,
    `• *Lead time for changes*: ${hours(c.leadTimeHours)}${was(hours(c.leadTimeHours), hours(p.leadTimeHours))} — ${band(bands.leadTime)}`,
    `• *Change failure rate*: ${pct(c.changeFailureRate)} (${c.failedDeployments} of ${c.deployments})${was(pct(c.changeFailureRate), pct(p.changeFailureRate))} — ${band(bands.changeFailureRate)}`,
    `• *${recoveryLabel}*: ${hours(recovery)}${was(hours(recovery), hours(recoveryBefore))} — ${band(bands.recovery)}`,
  ];
}

/** `/em dora`: the four keys for the org, per repository, the trend, and the definitions used. */
export function doraMessage(report: DoraReport): SlackMessage {
  const recoveryLabel = report.bandSet === '2023' ? 'Failed deployment recovery time' : 'Time to restore';
  const repoLines = report.repos.map((r) => {
    const c = r.current;
    return `\`${escapeMrkdwn(r.name)}\` ${num(c.deploymentDaysPerWeek)} days/wk · lead ${hours(c.leadTimeHours)} · CFR ${pct(c.changeFailureRate)} · recovery ${hours(recoveryFor(c, report.bandSet))}`;
  });
  const definitions =
    report.bandSet === '2023'
      ? 'DORA 2023 definitions as Apache DevLake computes them: a deployment is a pipeline (Actions run, release or deployment) with a successful production deployment (any `success` status counts, even if later superseded); a PR ships with the first deployment whose commits (GitHub compare with the previous deployment) hold its merge commit, lead time = that finish − the PR’s first commit; an incident counts against the latest deployment before it, of its repository or affected service when it names one (or the one a person confirmed); recovery = incident resolved − that deployment’s finish. Medians of an even count average the two middle values. Bands: elite ≥ 7 deployment days/wk, < 1 day, ≤ 5%, < 1 h.'
      : 'DORA 2021 bands (DORA_BANDS=2021): elite deploys ≥ 7 days/wk, lead time < 1 h, CFR ≤ 15%, time to restore (incident resolved − opened) < 1 h. Medians of an even count average the two middle values.';
  const built = Message({ text: `DORA four keys, last ${report.days} days` })
    .blocks(
      Blocks.Section({
        text: `*DORA four keys* — last ${report.days} days, compared with the ${report.days} days before`,
      }),
      Blocks.Section({
        text:
          report.org.current.deployments || report.org.current.leadTimeHours !== null
            ? keyLines(report.org, report.bandSet, recoveryLabel).join('\n')
            : '_No deployments or merged pull requests in this window yet. Connect GitHub deployments in sources.yml._',
      }),
      ...(repoLines.length
        ? [Blocks.Section({ text: truncate(`*Per repository*\n${repoLines.join('\n')}`, 2900) })]
        : []),
      Blocks.Context().elements(truncate(definitions, 2000)),
    )
    .buildToObject();
  return { text: built.text ?? '', blocks: builtBlocks(built.blocks) };
}
