import { Blocks, Message } from 'slack-block-builder';
import type { SlackMessage } from './help.js';
import { builtBlocks } from './kit.js';
import { escapeMrkdwn, link, truncate } from './text.js';

export interface SignalLine {
  severity: 'critical' | 'warning' | 'info';
  rule: string;
  title: string;
  url: string | null;
  openedAt: Date;
}

const HEADINGS = {
  critical: ':red_circle: *Critical*',
  warning: ':large_orange_circle: *Warning*',
  info: ':large_blue_circle: *Info*',
} as const;
const PER_SEVERITY = 15;

export function signalLine(s: SignalLine): string {
  const title = escapeMrkdwn(truncate(s.title, 200));
  return `• ${s.url ? link(s.url, title) : title} _(${escapeMrkdwn(s.rule)})_`;
}

/** `/em signals`: open signals grouped by severity, with links; problems in rule files are shown too. */
export function signalsMessage(signals: SignalLine[], problems: string[] = []): SlackMessage {
  const sections = (['critical', 'warning', 'info'] as const).flatMap((severity) => {
    const group = signals.filter((s) => s.severity === severity);
    if (!group.length) return [];
    const more = group.length > PER_SEVERITY ? `\n_…and ${group.length - PER_SEVERITY} more_` : '';
    return [
      Blocks.Section({
        text: truncate(
          `${HEADINGS[severity]} (${group.length})\n${group.slice(0, PER_SEVERITY).map(signalLine).join('\n')}${more}`,
          2900,
        ),
      }),
    ];
  });
  const warning = problems.length
    ? [
        Blocks.Context().elements(
          truncate(
            `:warning: Rule files have problems (the last valid rules stay in use):\n${problems
              .slice(0, 5)
              .map((p) => `• ${escapeMrkdwn(p)}`)
              .join('\n')}`,
            2000,
          ),
        ),
      ]
    : [];
  const built = Message({ text: `${signals.length} open signal(s)` })
    .blocks(
      Blocks.Section({ text: `*Signals* (${signals.length} open)` }),
      ...(sections.length ? sections : [Blocks.Section({ text: ':white_check_mark: No open signals. All clear.' })]),
      ...warning,
    )
    .buildToObject();
  return { text: built.text ?? '', blocks: builtBlocks(built.blocks) };
}
