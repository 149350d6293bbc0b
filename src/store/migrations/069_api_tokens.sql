-- Personal API tokens (REST API and MCP server): a token acts as the Slack user who created it. Only a SHA-256 of
-- the secret is kept; `prefix` (public, shown in `/em token list`) finds the row, the hash is compared in constant time.
CREATE TABLE api_tokens (
  id bigserial PRIMARY KEY,
  slack_user_id text NOT NULL,
  name text NOT NULL,
  scope text NOT NULL CHECK (scope IN ('read', 'propose', 'decide')),
  prefix text NOT NULL UNIQUE,
  hash bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
CREATE UNIQUE INDEX api_tokens_live_name_idx ON api_tokens (slack_user_id, name) WHERE revoked_at IS NULL;
