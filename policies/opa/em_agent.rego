# em-agent's action policies for Open Policy Agent: the same decisions as policies/default.yml.
#
#   opa run --server --addr 127.0.0.1:8181 policies/opa/em_agent.rego
#   OPA_URL=http://127.0.0.1:8181 npm start
#
# em-agent asks  POST /v1/data/em_agent/decision  {"input": {"action", "rule", "severity", "repository",
# "requester", "via"}}  (null for what an action does not have) and reads the result:
#   {"mode": "auto" | "approve" | "deny", "approvers": [...], "channel": "#...", "min_approvals": 1,
#    "allow_self_approval": false, "ttl": "24 hours", "reason": "...", "policy": "<name>", "dry_run": false}
# (`approvers` is required for approve). When the result is undefined or not a decision, or OPA is unreachable,
# em-agent falls back to the YAML policies and says so in `/em policy` and `/ready`.
#
# As in the YAML: the most specific matching policy wins (one naming the door, `via`, first; then an exact action
# over a family such as github.*, over *; then rule, repo and severity narrowing it; the first in the list among
# equals), and actions no policy names, or that em-agent does not know, are denied.
package em_agent

import rego.v1

known_actions := {
	"slack.dm", "slack.post", "github.comment", "github.request_reviewers", "github.label",
	"jira.comment", "jira.create", "linear.comment", "linear.create",
	"github.team_add", "slack.invite", "github.assign",
}

# The policies of policies/default.yml, as JSON (test/approvals/opa-rego.test.ts checks they are the same).
# policies-begin
policies := [
	{"name": "agent-proposals", "action": "*", "via": ["agent"], "mode": "approve", "approvers": ["@eng-leads"], "ttl": "24 hours", "reason": "the agent proposed it, so a person approves it"},
	{"name": "nudges", "action": "slack.dm", "mode": "auto", "reason": "a private nudge to the person who can act is harmless"},
	{"name": "posts", "action": "slack.post", "mode": "auto"},
	{"name": "labels", "action": "github.label", "mode": "auto"},
	{"name": "pr-comments", "action": "github.comment", "mode": "approve", "approvers": ["@eng-leads"], "min_approvals": 1, "ttl": "24 hours"},
	{"name": "reviewer-requests", "action": "github.request_reviewers", "mode": "approve", "approvers": ["@eng-leads"], "ttl": "24 hours"},
	{"name": "ticket-writes", "action": "jira.*", "mode": "approve", "approvers": ["@eng-leads"], "ttl": "48 hours"},
	{"name": "linear-writes", "action": "linear.*", "mode": "approve", "approvers": ["@eng-leads"], "ttl": "48 hours"},
	{"name": "onboarding-github-teams", "action": "github.team_add", "mode": "approve", "approvers": ["@eng-leads"], "ttl": "48 hours"},
	{"name": "onboarding-channel-invites", "action": "slack.invite", "mode": "approve", "approvers": ["@eng-leads"], "ttl": "48 hours"},
	{"name": "onboarding-first-issues", "action": "github.assign", "mode": "auto"},
	{"name": "team-admins", "action": "teams.edit", "mode": "approve", "approvers": ["@eng-leads"]},
	{"name": "okr-admins", "action": "okrs.edit", "mode": "approve", "approvers": ["@eng-leads"]},
	{"name": "onboarding-starters", "action": "onboarding.start", "mode": "approve", "approvers": ["@eng-leads"]}
]
# policies-end

default decision := {
	"mode": "deny",
	"policy": "default",
	"reason": "no policy names this action, and unknown actions are denied",
}

decision := result if {
	field("action") in known_actions
	count(matching) > 0
	result := object.union(
		{"approvers": [], "min_approvals": 1, "allow_self_approval": false, "ttl": "24 hours", "policy": chosen.name},
		object.remove(chosen, {"name", "action", "via", "rule", "severity", "repo"}),
	)
}

matching := [p |
	some p in policies
	action_matches(p.action)
	via_matches(p)
	rule_matches(p)
	severity_matches(p)
	repo_matches(p)
]

chosen := [p | some p in matching; specificity(p) == max([specificity(q) | some q in matching])][0]

# Fields em-agent sends as null (or an older caller leaves out) read as null, never as undefined.
field(name) := object.get(input, name, null)

action_matches("*") := true

action_matches(pattern) if pattern == input.action

action_matches(pattern) if {
	endswith(pattern, ".*")
	startswith(input.action, trim_suffix(pattern, "*"))
}

# A policy without the field matches every input; with it, the input must be one it names.
via_matches(p) if not "via" in object.keys(p)

via_matches(p) if field("via") in p.via

rule_matches(p) if not "rule" in object.keys(p)

rule_matches(p) if field("rule") == p.rule

severity_matches(p) if not "severity" in object.keys(p)

severity_matches(p) if field("severity") in p.severity

repo_matches(p) if not "repo" in object.keys(p)

repo_matches(p) if {
	is_string(field("repository"))
	glob.match(lower(p.repo), [], lower(field("repository")))
}

specificity(p) := (((via_score(p) + action_score(p)) + narrowed(p, "rule", 4)) + narrowed(p, "repo", 2)) + narrowed(p, "severity", 1)

via_score(p) := 32 if {
	"via" in object.keys(p)
} else := 0

action_score(p) := 0 if {
	p.action == "*"
} else := 8 if {
	endswith(p.action, ".*")
} else := 16

narrowed(p, name, score) := score if {
	name in object.keys(p)
} else := 0
