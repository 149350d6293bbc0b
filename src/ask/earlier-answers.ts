import type { Queryable } from '../store/db.js';
import { type ChunkHit, deleteAnswerDocsNoLongerQualifying, upsertQualifyingAnswersAsDocs } from './store.js';

/** Another person's helpful votes an answer needs (net of their not-helpful ones) before it is searched again. */
export const MIN_OTHER_VOTERS = 2;
export const EARLIER_ANSWER_SOURCE = 'answer';

/**
 * Earlier answers as documents. Only votes of people other than the asker count; an answer enters with a net-positive
 * tally including at least two of them, and leaves as soon as the net is zero or below. What is indexed is the answer
 * and the sources it cited, never the question's free text.
 */
export async function ingestEarlierAnswers(db: Queryable): Promise<void> {
  const rule = { source: EARLIER_ANSWER_SOURCE, minOtherVoters: MIN_OTHER_VOTERS };
  await upsertQualifyingAnswersAsDocs(db, rule);
  // Out of the index when the tally no longer qualifies; indexed again from scratch if it qualifies later.
  await deleteAnswerDocsNoLongerQualifying(db, rule);
}

/** Earlier answers rank below every primary document, keeping their order among themselves. */
export function primaryFirst<T extends Pick<ChunkHit, 'source'>>(hits: T[]): T[] {
  return [
    ...hits.filter((h) => h.source !== EARLIER_ANSWER_SOURCE),
    ...hits.filter((h) => h.source === EARLIER_ANSWER_SOURCE),
  ];
}
