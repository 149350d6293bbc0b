// Peer retrieval libraries, run by bench:ask on exactly the chunks em-agent indexed: MiniSearch (BM25) and natural's
// TF-IDF, each with its documented defaults. Neither has a "not found" of its own: an empty result list counts as one.
import MiniSearch from 'minisearch';
import natural from 'natural';
import type { Outcome, RankedPassage } from '../../test/support/ask-eval.js';

export interface PeerChunk extends RankedPassage {
  id: number;
}

export type Peer = { name: string; search: (question: string) => Outcome };

export function miniSearchPeer(chunks: PeerChunk[]): Peer {
  const index = new MiniSearch<PeerChunk>({ fields: ['heading', 'content'], storeFields: [] });
  index.addAll(chunks);
  const byId = new Map(chunks.map((c) => [c.id, c]));
  return {
    name: 'MiniSearch (BM25)',
    search: (question) => {
      const hits = index
        .search(question)
        .slice(0, 10)
        .map((r) => byId.get(r.id as number) as PeerChunk);
      return { hits, notFound: hits.length === 0 };
    },
  };
}

export function tfIdfPeer(chunks: PeerChunk[]): Peer {
  const tfidf = new natural.TfIdf();
  for (const c of chunks) tfidf.addDocument(`${c.heading}\n${c.content}`);
  const tokenizer = new natural.WordTokenizer();
  return {
    name: 'natural TF-IDF',
    search: (question) => {
      const terms = tokenizer.tokenize(question.toLowerCase()) ?? [];
      const scored: { i: number; score: number }[] = [];
      tfidf.tfidfs(terms, (i: number, measure: number) => {
        if (measure > 0) scored.push({ i, score: measure });
      });
      const hits = scored
        .sort((a, b) => b.score - a.score || a.i - b.i)
        .slice(0, 10)
        .map((s) => chunks[s.i] as PeerChunk);
      return { hits, notFound: hits.length === 0 };
    },
  };
}
