-- The REST API's and MCP server's request budget per token (RATE_LIMIT_PER_MIN), kept in the database so that every
-- replica counts in the same window: each process counted alone before, so N replicas allowed N times the limit.
CREATE TABLE api_rate_budget (
  key text PRIMARY KEY,
  window_start timestamptz NOT NULL,
  count integer NOT NULL
);
