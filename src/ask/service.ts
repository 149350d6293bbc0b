import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { Counter, Histogram } from 'prom-client';
import type { ModelUsage } from '../lib/chat-model.js';
import type { Logger } from '../observability/logger.js';
import { metrics } from '../observability/metrics.js';
import type { Db } from '../store/db.js';
import { hasVector } from '../store/migrate.js';
import { type Answer, modelAnswer, offlineAnswer } from './answer.js';
import type { ChunkOptions } from './chunking.js';
import { primaryFirst } from './earlier-answers.js';
import type { NamedEmbeddings } from './embeddings.js';
import { indexDocuments, ingestOwnHistory } from './indexer.js';
import { retrieve } from './retrieval.js';
import {
  recordAnswer,
  recordAnswerVisibility,
  recordFeedback,
  type SearchFilters,
  setAnswerThread,
  threadHistory,
} from './store.js';

const answersByMode = new Counter({
  name: 'ask_answers_total',
  help: 'Answers given by /em ask, by mode (extractive, model, not_found)',
  labelNames: ['mode'] as const,
  registers: [metrics],
});
const feedbackTotal = new Counter({
  name: 'ask_feedback_total',
  help: 'Helpful / Not helpful clicks on answers',
  labelNames: ['helpful'] as const,
  registers: [metrics],
});
const retrievalSeconds = new Histogram({
  name: 'ask_retrieval_seconds',
  help: 'Time to retrieve passages for a question',
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
  registers: [metrics],
});

export interface AskServiceDeps {
  db: Db;
  logger: Logger;
  model?: () => Promise<BaseChatModel>;
  /** Each person's model tokens today: a model answer is paid from the asker's; once spent, answers are extractive. */
  modelUsage?: ModelUsage;
  embeddings?: () => Promise<NamedEmbeddings>;
  chunking?: ChunkOptions;
}

export interface AskedAnswer extends Answer {
  id: number;
  question: string;
}

/** `source:confluence`, `space:ENG` or `repo:acme/api` in a question narrow the search; the rest is the question. */
export function parseFilters(text: string): { question: string; filters: SearchFilters } {
  const filters: SearchFilters = {};
  // Slack sends typed `&`, `<` and `>` as entities (a command's text, a message): the question is searched and kept
  // as typed, not as `amp`, `lt` and `gt`; it is escaped once where it is shown.
  const question = text
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&')
    .replace(/(?:^|\s)(source|space|repo):(\S+)/gi, (_, key: string, value: string) => {
      if (key.toLowerCase() === 'source') filters.sources = [...(filters.sources ?? []), value.toLowerCase()];
      else filters.spaces = [...(filters.spaces ?? []), value];
      return ' ';
    })
    .replace(/\s+/g, ' ')
    .trim();
  return { question, filters };
}

/** Questions answered from the ingested docs, with citations; the model, when there is one, only writes. */
export class AskService {
  private vector?: Promise<boolean>;

  constructor(private readonly deps: AskServiceDeps) {}

  private vectorAvailable() {
    this.vector ??= hasVector(this.deps.db).catch(() => false);
    return this.vector;
  }

  async ask(input: {
    text: string;
    askedBy: string;
    context?: string;
    thread?: { channel: string; ts: string };
    /** Private channels whose documents may be used (public ones always are); none when unset. */
    visibleTo?: string[];
  }): Promise<AskedAnswer> {
    const { db, logger } = this.deps;
    const { question, filters } = parseFilters(input.text);
    const history = input.thread ? await threadHistory(db, input.thread.channel, input.thread.ts) : [];
    // A follow-up is searched together with the question it follows.
    const searchFor = [history.at(-1)?.question, question, input.context].filter(Boolean).join(' ');
    const started = process.hrtime.bigint();
    const retrieved = await retrieve(db, searchFor, {
      filters,
      limit: 5,
      embeddings: this.deps.embeddings,
      vectorAvailable: await this.vectorAvailable(),
      visibleTo: input.visibleTo ?? [],
    });
    retrievalSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
    retrieved.hits = primaryFirst(retrieved.hits);
    let answer: Answer = offlineAnswer(input.context ? `${question} ${input.context}` : question, retrieved);
    // The model only writes from passages the extractive check found relevant; it never decides anything.
    if (this.deps.model && answer.mode === 'extractive') {
      const meter = { usage: this.deps.modelUsage, person: input.askedBy, purpose: 'ask' };
      answer = (await modelAnswer(this.deps.model, question, retrieved.hits, history, logger, meter)) ?? answer;
    }
    answersByMode.inc({ mode: answer.mode });
    const id = await recordAnswer(db, {
      askedBy: input.askedBy,
      question,
      answer: answer.text,
      mode: answer.mode,
      citations: answer.citations,
      channel: input.thread?.channel,
      threadTs: input.thread?.ts,
    });
    await recordAnswerVisibility(
      db,
      id,
      retrieved.hits.map((h) => h.chunkId),
    );
    return { ...answer, id, question };
  }

  /** Where an answer was posted: follow-ups in that thread continue the conversation. */
  posted(id: number, channel: string, ts: string) {
    return setAnswerThread(this.deps.db, id, channel, ts);
  }

  async isAnswerThread(channel: string, ts: string): Promise<boolean> {
    return (await threadHistory(this.deps.db, channel, ts, 1)).length > 0;
  }

  async feedback(answerId: number, userId: string, helpful: boolean) {
    feedbackTotal.inc({ helpful: String(helpful) });
    return recordFeedback(this.deps.db, answerId, userId, helpful);
  }

  async index() {
    await ingestOwnHistory(this.deps.db);
    return indexDocuments(this.deps.db, {
      chunking: this.deps.chunking,
      // indexDocuments embeds only where pgvector exists.
      embeddings: this.deps.embeddings,
      logger: this.deps.logger,
    });
  }
}
