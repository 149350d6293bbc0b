#!/usr/bin/env bash
# A curl tour of em-agent's REST API: each seed route once, with a personal token.
#   EM_API_TOKEN=ema_… [EM_API_URL=http://127.0.0.1:3000] [CHANNEL=#eng-leads] scripts/api-tour.sh
# Create the token in Slack: `/em token create tour decide` (shown once, only to you). Read-only routes need a
# `read` token; the proposal needs `propose`; the decision needs `decide` (and obeys the approver/four-eyes rules).
set -euo pipefail
: "${EM_API_TOKEN:?set EM_API_TOKEN (from /em token create <name> [read|propose|decide])}"
URL="${EM_API_URL:-http://127.0.0.1:3000}"
CHANNEL="${CHANNEL:-#eng-leads}"
auth=(-H "Authorization: Bearer ${EM_API_TOKEN}")
json=(-H 'Content-Type: application/json')
show() { echo; echo "== $*"; }
get() { show "GET $1"; curl -sS "${auth[@]}" "${URL}$1"; echo; }
post() { show "POST $1 $2"; curl -sS "${auth[@]}" "${json[@]}" -X POST -d "$2" "${URL}$1"; echo; }

show "GET /v1/openapi.json (no token needed)"; curl -sS "${URL}/v1/openapi.json" | head -c 300; echo
get '/v1/metrics/dora?window=30d'
for metric in lead-time deployment-frequency change-fail-rate mttr recovery-time; do
  get "/v1/metrics/dora/${metric}?window=12w"
done
get '/v1/reports/standup?hours=24'
post '/v1/reports/standup/post' "{\"channel\":\"${CHANNEL}\",\"hours\":24}"
get '/v1/reports/sprint-health'
post '/v1/reports/sprint-health/post' "{\"channel\":\"${CHANNEL}\"}"
post '/v1/signals/evaluate' '{"yaml":"- { name: draft_stale, kind: stale_pr, older_than_hours: 24 }"}'
post '/v1/policy/evaluate' '{"action":"github.comment"}'
get '/v1/approvals'
proposal=$(curl -sS "${auth[@]}" "${json[@]}" -X POST "${URL}/v1/approvals/propose" \
  -d "{\"action\":\"slack.post\",\"params\":{\"channel\":\"${CHANNEL}\",\"text\":\"Hello from the API tour\"},\"summary\":\"API tour hello\"}")
show "POST /v1/approvals/propose"; echo "$proposal"
id=$(echo "$proposal" | sed -n 's/.*"approvalId":\([0-9]*\).*/\1/p')
if [ -n "$id" ]; then
  get "/v1/approvals/${id}"
  post "/v1/approvals/${id}/decision" '{"vote":"approve","reason":"tour"}'
fi
get '/v1/rag/search?q=how%20do%20we%20roll%20back'
get '/v1/ask/search?q=how%20do%20we%20roll%20back&limit=3'
post '/v1/tools/dora.report' '{"days":30}'
post '/v1/agent/run' '{"query":"sprint health and stale PRs"}'
get '/v1/teams'
show "GET /v1/approvals without a token (401 problem details)"; curl -sS -i "${URL}/v1/approvals" | sed -n '1p;/^content-type/Ip;$p'
