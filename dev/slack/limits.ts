// Slack's published Block Kit limits, checked the way Slack reports them:
// one message per problem, ending in [json-pointer:/blocks/N/...].

type Json = Record<string, unknown>;

export const LIMITS = {
  messageBlocks: 50,
  viewBlocks: 100,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  id: 255,
  buttonText: 75,
  buttonValue: 2000,
  url: 3000,
  optionText: 75,
  optionValue: 150,
  selectOptions: 100,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  viewTitle: 24,
  privateMetadata: 3000,
  inputLabel: 2000,
  altText: 2000,
  messageText: 40_000,
  /**
   * The text a message's blocks may hold in all: Slack answers `msg_blocks_too_long` past it. Undocumented; reported
   * at about 12,000 characters of text ("12,000 text characters with a buffer for block containers", a Slack engineer in
   * slackapi/bolt-js#2509, where markdown blocks failed from 13,297; slackapi/bolt-js#2867 saw it refused at 11,341 as
   * it measured). The emulator refuses past the 12,000 the reports cite, on chat.postMessage, chat.update and a
   * response_url. That a response_url refuses is not confirmed: in #2867 respond() took the blocks chat.postMessage
   * refused (at 11,341 by its measure, under this limit); the emulator holds it to the same limit to be safe.
   */
  blocksText: 12_000,
} as const;

const BLOCK_TYPES = new Set([
  'section',
  'header',
  'divider',
  'context',
  'actions',
  'image',
  'input',
  'rich_text',
  'file',
]);

class Checker {
  readonly errors: string[] = [];

  fail(pointer: string, message: string) {
    this.errors.push(`${message} [json-pointer:${pointer}]`);
  }

  maxLen(value: unknown, max: number, pointer: string) {
    if (typeof value === 'string' && value.length > max) this.fail(pointer, `must be less than ${max + 1} characters`);
  }

  text(obj: unknown, pointer: string, max: number, plainOnly = false) {
    if (!obj || typeof obj !== 'object') return this.fail(pointer, 'must provide an object');
    const t = obj as Json;
    if (t.type !== 'plain_text' && t.type !== 'mrkdwn')
      return this.fail(`${pointer}/type`, 'must be a valid enum value');
    if (plainOnly && t.type !== 'plain_text') this.fail(`${pointer}/type`, 'must be plain_text');
    if (typeof t.text !== 'string' || t.text.length === 0)
      return this.fail(`${pointer}/text`, 'must be more than 0 characters');
    this.maxLen(t.text, max, `${pointer}/text`);
  }

  element(el: Json, pointer: string) {
    this.maxLen(el.action_id, LIMITS.id, `${pointer}/action_id`);
    switch (el.type) {
      case 'button':
        this.text(el.text, `${pointer}/text`, LIMITS.buttonText, true);
        this.maxLen(el.value, LIMITS.buttonValue, `${pointer}/value`);
        this.maxLen(el.url, LIMITS.url, `${pointer}/url`);
        if (el.style !== undefined && el.style !== 'primary' && el.style !== 'danger') {
          this.fail(`${pointer}/style`, 'must be a valid enum value');
        }
        break;
      case 'static_select':
      case 'multi_static_select':
      case 'radio_buttons':
      case 'checkboxes': {
        const options = (el.options as Json[] | undefined) ?? [];
        if (options.length > LIMITS.selectOptions)
          this.fail(`${pointer}/options`, `must provide at most ${LIMITS.selectOptions} items`);
        for (const [i, o] of options.entries()) this.option(o, `${pointer}/options/${i}`);
        break;
      }
      case 'image':
        this.maxLen(el.image_url, LIMITS.url, `${pointer}/image_url`);
        this.maxLen(el.alt_text, LIMITS.altText, `${pointer}/alt_text`);
        break;
      case 'plain_text':
      case 'mrkdwn':
        this.text(el, pointer, LIMITS.sectionText);
        break;
      default:
        break;
    }
    if (el.confirm) this.confirm(el.confirm as Json, `${pointer}/confirm`);
  }

  option(o: Json, pointer: string) {
    this.text(o.text, `${pointer}/text`, LIMITS.optionText);
    this.maxLen(o.value, LIMITS.optionValue, `${pointer}/value`);
  }

  confirm(c: Json, pointer: string) {
    this.text(c.title, `${pointer}/title`, LIMITS.confirmTitle, true);
    this.text(c.text, `${pointer}/text`, LIMITS.confirmText);
    this.text(c.confirm, `${pointer}/confirm`, LIMITS.confirmButton, true);
    this.text(c.deny, `${pointer}/deny`, LIMITS.confirmButton, true);
  }

  block(b: Json, pointer: string) {
    if (!BLOCK_TYPES.has(String(b.type))) return this.fail(`${pointer}/type`, 'must be a valid enum value');
    this.maxLen(b.block_id, LIMITS.id, `${pointer}/block_id`);
    switch (b.type) {
      case 'section': {
        if (!b.text && !b.fields) this.fail(pointer, 'must provide either text or fields');
        if (b.text) this.text(b.text, `${pointer}/text`, LIMITS.sectionText);
        const fields = (b.fields as Json[] | undefined) ?? [];
        if (fields.length > LIMITS.sectionFields)
          this.fail(`${pointer}/fields`, `must provide at most ${LIMITS.sectionFields} items`);
        for (const [i, f] of fields.entries()) this.text(f, `${pointer}/fields/${i}`, LIMITS.fieldText);
        if (b.accessory) this.element(b.accessory as Json, `${pointer}/accessory`);
        break;
      }
      case 'header':
        this.text(b.text, `${pointer}/text`, LIMITS.headerText, true);
        break;
      case 'context': {
        const elements = (b.elements as Json[] | undefined) ?? [];
        if (elements.length === 0 || elements.length > LIMITS.contextElements) {
          this.fail(`${pointer}/elements`, `must provide between 1 and ${LIMITS.contextElements} items`);
        }
        for (const [i, e] of elements.entries()) this.element(e, `${pointer}/elements/${i}`);
        break;
      }
      case 'actions': {
        const elements = (b.elements as Json[] | undefined) ?? [];
        if (elements.length === 0 || elements.length > LIMITS.actionsElements) {
          this.fail(`${pointer}/elements`, `must provide between 1 and ${LIMITS.actionsElements} items`);
        }
        for (const [i, e] of elements.entries()) this.element(e, `${pointer}/elements/${i}`);
        break;
      }
      case 'image':
        if (!b.image_url && !b.slack_file) this.fail(pointer, 'must provide image_url or slack_file');
        this.maxLen(b.image_url, LIMITS.url, `${pointer}/image_url`);
        this.maxLen(b.alt_text, LIMITS.altText, `${pointer}/alt_text`);
        break;
      case 'input':
        this.text(b.label, `${pointer}/label`, LIMITS.inputLabel, true);
        if (!b.element) this.fail(`${pointer}/element`, 'must provide an object');
        else this.element(b.element as Json, `${pointer}/element`);
        break;
      default:
        break;
    }
  }

  blocks(blocks: unknown, max: number, base = '/blocks') {
    if (!Array.isArray(blocks)) return this.fail(base, 'must provide an array');
    if (blocks.length > max) this.fail(base, `must provide at most ${max} items`);
    for (const [i, b] of blocks.entries()) this.block(b as Json, `${base}/${i}`);
  }
}

/** Problems with a message's blocks, in Slack's wording; empty when Slack would accept them. */
export function checkMessageBlocks(blocks: unknown): string[] {
  const checker = new Checker();
  checker.blocks(blocks, LIMITS.messageBlocks);
  return checker.errors;
}

/** All the text a message's blocks hold: every string `text` in them (text objects, rich text elements), summed. */
export function blocksTextLength(blocks: unknown): number {
  let length = 0;
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node as Json)) {
      if (key === 'text' && typeof value === 'string') length += value.length;
      else walk(value);
    }
  };
  walk(blocks);
  return length;
}

/** Whether Slack would refuse a message's blocks as too long in all (`msg_blocks_too_long`), though each fits. */
export function blocksTooLong(blocks: unknown): boolean {
  return blocksTextLength(blocks) > LIMITS.blocksText;
}

/** Problems with a modal or Home tab view; empty when Slack would accept it. */
export function checkView(view: unknown): string[] {
  const checker = new Checker();
  if (!view || typeof view !== 'object') return ['must provide an object [json-pointer:/view]'];
  const v = view as Json;
  if (v.type !== 'modal' && v.type !== 'home') checker.fail('/view/type', 'must be a valid enum value');
  if (v.type === 'modal') {
    checker.text(v.title, '/view/title', LIMITS.viewTitle, true);
    if (v.submit) checker.text(v.submit, '/view/submit', LIMITS.viewTitle, true);
    if (v.close) checker.text(v.close, '/view/close', LIMITS.viewTitle, true);
    const hasInput = Array.isArray(v.blocks) && v.blocks.some((b) => (b as Json).type === 'input');
    if (hasInput && !v.submit) checker.fail('/view/submit', 'must provide submit when the view has input blocks');
  }
  checker.maxLen(v.callback_id, LIMITS.id, '/view/callback_id');
  checker.maxLen(v.external_id, LIMITS.id, '/view/external_id');
  checker.maxLen(v.private_metadata, LIMITS.privateMetadata, '/view/private_metadata');
  checker.blocks(v.blocks, LIMITS.viewBlocks, '/view/blocks');
  return checker.errors;
}
