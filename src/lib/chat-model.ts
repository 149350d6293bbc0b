import type { BaseChatModel } from '@langchain/core/language_models/chat_models';

/** The optional narrative model: only when OPENAI_API_KEY is set (and loaded on first use). */
export function chatModelFactory(config: {
  OPENAI_API_KEY?: string;
  OPENAI_BASE_URL?: string;
  OPENAI_MODEL?: string;
}): (() => Promise<BaseChatModel>) | undefined {
  const { OPENAI_API_KEY: apiKey, OPENAI_BASE_URL: baseURL, OPENAI_MODEL: model } = config;
  if (!apiKey) return undefined;
  let made: Promise<BaseChatModel> | undefined;
  return () => {
    made ??= import('@langchain/openai').then(
      ({ ChatOpenAI }) =>
        new ChatOpenAI({
          apiKey,
          model: model ?? 'gpt-4o-mini',
          temperature: 0,
          timeout: 15_000,
          maxRetries: 1,
          ...(baseURL ? { configuration: { baseURL } } : {}),
        }),
    );
    return made;
  };
}
