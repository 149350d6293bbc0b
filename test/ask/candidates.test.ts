import { candidateQuery } from '../../src/ask/store.js';

const term = (lexeme: string, ndoc: number) => ({
  lexeme,
  ndoc,
  idf: Math.log(1 + (50_000 - ndoc + 0.5) / (ndoc + 0.5)),
});

describe('which chunks the first rank of a full-text search reads', () => {
  it('takes the question words rarest first while they fit the budget, two at least', () => {
    expect(candidateQuery([term('bisect', 40), term('work', 1500), term('run', 2500)], 11_000)).toEqual({
      candidates: "'bisect' | 'work'",
      headings: null,
    });
    expect(candidateQuery([term('deplo', 0)], 100)).toEqual({ candidates: "'deplo':*", headings: null });
  });

  it('past the budget keeps the words that fit and reads the rest in headings only', () => {
    expect(
      candidateQuery(
        [term('stash', 2700), term('untrack', 500 + 2700)].sort((a, b) => a.ndoc - b.ndoc),
        50_000,
      ),
    ).toEqual({ candidates: "'stash'", headings: "'untrack'" });
  });

  it('when even the rarest word is too common, reads the chunks holding the rarest words together', () => {
    expect(candidateQuery([term('read', 9973), term('line', 12_813), term('file', 26_531)], 50_014)).toEqual({
      candidates: "('read' & 'line')",
      headings: "'read' | 'line'", // 'file' is in more than 30% of the chunks: it only scores
    });
  });
});
