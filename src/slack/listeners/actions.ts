import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { SlackDeps } from '../deps.js';
import { publishHome } from '../home.js';

type ActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

export function homeRefresh(deps: SlackDeps) {
  return async ({ ack, body, client }: ActionArgs) => {
    await ack();
    await publishHome(client, deps.home, { userId: body.user.id, db: deps.db }, deps.logger);
  };
}
