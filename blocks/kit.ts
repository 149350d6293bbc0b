// The Block Kit em-agent sends, typed with Slack's own `@slack/types` (types only: blocks/ stay pure). Messages and
// views hold `KnownBlock`s, not Slack's catch-all `Block` (any `type` string), so a block of a type Slack does not
// know, or one missing a field Slack requires, is a compile error.
import type { Button, HomeView, KnownBlock, ModalView } from '@slack/types';
import type { ModalBuilder, SlackBlockDto } from 'slack-block-builder';

/** An object type with the fields of `T` (a plain object, so it also fits where any record is taken). */
type Plain<T> = { [K in keyof T]: T[K] };

/** A modal whose blocks are all known ones. */
export type SlackModal = Plain<ModalView & { blocks: KnownBlock[] }>;

/** The App Home tab, its blocks all known ones. */
export type SlackHome = Plain<HomeView & { blocks: KnownBlock[] }>;

/** A button em-agent listens to: Slack makes `action_id` optional, but a listener can only match a button by it. */
export type ActionButton = Button & { action_id: string };

/**
 * The blocks slack-block-builder built. Its builders emit Slack's JSON for each kind of block, but type it as `{ type }`
 * only, so this is the one place their output is taken as Slack's types (the blocks tests check what they emit).
 */
export function builtBlocks(blocks: readonly SlackBlockDto[] | undefined): KnownBlock[] {
  // slack-block-builder types its output as `{ type }` only, too weak to check against Slack's types.
  return [...(blocks ?? [])] as unknown as KnownBlock[];
}

/** A modal built with slack-block-builder, typed as Slack's (see `builtBlocks`). */
export function builtModal(modal: ModalBuilder): SlackModal {
  const built = modal.buildToObject();
  // slack-block-builder types a modal as `{ type, title, blocks: { type }[] }`, too weak to check (see builtBlocks).
  return { ...(built as unknown as ModalView), blocks: builtBlocks(built.blocks) };
}
