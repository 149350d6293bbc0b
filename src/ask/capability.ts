import { ASK_HELPFUL, ASK_NOT_HELPFUL } from '../../blocks/ask/answer.js';
import { ASK_MODAL } from '../../blocks/ask/modal.js';
import { type Capability, ownSubcommand } from '../capabilities/capability.js';
import type { CapabilityModule } from '../kernel.js';
import type { EventArgs } from '../slack/listeners/events.js';
import { askSyntax } from './args.js';
import { embeddingsFor } from './embeddings.js';
import { askIndexJob } from './jobs.js';
import {
  ASK_ABOUT_MESSAGE_SHORTCUT,
  ASK_SHORTCUT,
  askAboutMessage,
  askCommand,
  askShortcut,
  askSubmitted,
  feedbackClicked,
  followUpInThread,
} from './listeners.js';
import { AskService } from './service.js';
import { askToolViews } from './tool-views.js';
import { askAnswerTool, askSearchTool } from './tools.js';

/** `/em ask`, the Ask shortcuts and modal, answer feedback, follow-ups in answer threads, and the indexing job. */
export function askCapability(service: AskService, options: { indexEvery: string }): Capability {
  const answer = askAnswerTool(service);
  return {
    name: 'ask',
    tools: [askSearchTool(), answer],
    commands: [ownSubcommand({ ...askSyntax, handler: askCommand(service, answer), tools: ['ask.answer'] })],
    slack: (deps) => ({
      actions: {
        [ASK_HELPFUL]: feedbackClicked(deps, service, true),
        [ASK_NOT_HELPFUL]: feedbackClicked(deps, service, false),
      },
      views: { [ASK_MODAL]: askSubmitted(deps) },
      globalShortcuts: { [ASK_SHORTCUT]: askShortcut(deps) },
      messageShortcuts: { [ASK_ABOUT_MESSAGE_SHORTCUT]: askAboutMessage(deps) },
      events: {
        message: async ({ event, client }: EventArgs<'message'>) => {
          const e = event as unknown as Parameters<typeof followUpInThread>[1];
          if (!e.subtype && e.thread_ts) await followUpInThread(service, e, client);
        },
      },
    }),
    jobs: [askIndexJob(service, options.indexEvery)],
  };
}

declare module '../capabilities/services.js' {
  interface CapabilityServices {
    ask: AskService;
  }
}

export const askModule: CapabilityModule = {
  name: 'ask',
  start(k) {
    const ask = new AskService({
      db: k.db,
      logger: k.logger,
      model: k.model,
      modelUsage: k.modelUsage,
      embeddings: embeddingsFor(k.config),
      chunking: { size: k.config.ASK_CHUNK_SIZE, overlap: k.config.ASK_CHUNK_OVERLAP },
    });
    return {
      ...askCapability(ask, { indexEvery: k.every(k.config.ASK_INDEX_TICK_MS) }),
      toolViews: askToolViews,
      services: { ask },
    };
  },
};
