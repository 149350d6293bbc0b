-- The door a person proposed an action through (slack, agent, api, mcp; null for rules' own proposals), kept on the
-- proposal so that the policies can be asked again at the decision: a policy that now denies the action (a `via`
-- policy included) stops its approval and its further attempts.
ALTER TABLE approvals ADD COLUMN via text;
