// Each tool's output rendered for Slack with the view its capability gives it, and the words the agent uses to say
// what it ran. Arguments a tool does not take yet (a team, a repository, people) narrow the rendered output where
// the view can, and are said plainly where it cannot.
import type { SlackMessage } from '../../blocks/help.js';
import { notice } from '../../blocks/notice.js';
import type { ToolView } from '../capabilities/capability.js';

export class ToolViews {
  constructor(private readonly views: Record<string, ToolView>) {}

  /** What the agent says it looked at. */
  labelOf(tool: string): string {
    return this.views[tool]?.label ?? tool;
  }

  /** The "I can …" list: every tool with an example request, of those given. */
  examples(tools: string[]): { label: string; example: string }[] {
    return tools.flatMap((name) => {
      const view = this.views[name];
      return view?.example ? [{ label: view.label, example: view.example }] : [];
    });
  }

  /**
   * Renders one tool's output. `args` are what the planner or model asked for; `notes` collects what could not be
   * honoured (a team filter a tool does not take yet).
   */
  render(
    tool: string,
    output: unknown,
    args: Record<string, unknown>,
    notes: string[],
    now = new Date(),
  ): SlackMessage {
    if (typeof args.team === 'string')
      notes.push(`${this.labelOf(tool)} does not take a team yet, so this covers everyone, not only ${args.team}.`);
    return this.views[tool]?.render?.(output, args, notes, now) ?? notice(`${tool} ran.`);
  }
}
