-- Model tokens per person and UTC day, by what used them (the agent, ask answers, report narratives, postmortem
-- drafts): AGENT_TOKENS_PER_DAY bounds their sum. Until now only the agent's runs counted (agent_runs.tokens), so a
-- person's `/em ask` answers and narratives used the model without limit. Today's agent runs are carried over.
CREATE TABLE model_usage (
  person  text NOT NULL,
  day     date NOT NULL,
  purpose text NOT NULL,
  tokens  bigint NOT NULL DEFAULT 0 CHECK (tokens >= 0),
  calls   integer NOT NULL DEFAULT 0,
  PRIMARY KEY (person, day, purpose)
);

INSERT INTO model_usage (person, day, purpose, tokens, calls)
  SELECT person, (at AT TIME ZONE 'UTC')::date, 'agent', sum(tokens), count(*)
    FROM agent_runs
   WHERE tokens > 0 AND at >= now() - interval '2 days'
   GROUP BY person, (at AT TIME ZONE 'UTC')::date;
