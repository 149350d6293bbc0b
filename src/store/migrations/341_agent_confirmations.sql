-- A tool that changes something (an OKR check-in, filing a ticket, starting an onboarding), chosen by the agent's
-- model, is not run on the model's word: it waits here for the person who asked to confirm it with a button. Until
-- now such a call ran at once, so an instruction planted in a PR title or a document could make it.
CREATE TABLE agent_confirmations (
  id           bigserial PRIMARY KEY,
  created_at   timestamptz NOT NULL DEFAULT now(),
  person       text NOT NULL,
  tool         text NOT NULL,
  args         jsonb NOT NULL DEFAULT '{}',
  thread_key   text,
  confirmed_at timestamptz
);
