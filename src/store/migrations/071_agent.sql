-- The agent: every run (request, tools with their arguments, tokens, duration, outcome), the turns of each
-- conversation (a Slack thread or DM) it keeps as memory, and what an assistant thread is looking at.
CREATE TABLE agent_runs (
  id          bigserial PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT now(),
  person      text NOT NULL,
  door        text NOT NULL,
  thread_key  text,
  request     text NOT NULL,
  planner     text NOT NULL,
  tools       jsonb NOT NULL DEFAULT '[]',
  tokens      integer NOT NULL DEFAULT 0,
  duration_ms integer NOT NULL DEFAULT 0,
  outcome     text NOT NULL,
  detail      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX agent_runs_person_at ON agent_runs (person, at);

CREATE TABLE agent_turns (
  id         bigserial PRIMARY KEY,
  thread_key text NOT NULL,
  at         timestamptz NOT NULL DEFAULT now(),
  role       text NOT NULL CHECK (role IN ('user', 'assistant')),
  content    text NOT NULL
);
CREATE INDEX agent_turns_thread ON agent_turns (thread_key, id);

CREATE TABLE agent_threads (
  thread_key text PRIMARY KEY,
  context    jsonb NOT NULL DEFAULT '{}',
  updated_at timestamptz NOT NULL DEFAULT now()
);
