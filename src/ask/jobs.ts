import type { JobDefinition } from '../jobs/scheduler.js';
import type { AskService } from './service.js';

/** Chunks and embeds what changed in the docs (and the bot's own history); deleted pages leave the index. */
export function askIndexJob(service: AskService, every = '1 minute'): JobDefinition {
  return {
    name: 'ask:index',
    every,
    concurrency: 1,
    async run() {
      await service.index();
    },
  };
}
