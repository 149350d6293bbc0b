// What the offline planner makes of a request, on the evaluation's context and the running agent's catalogue: the
// shared shorthand of the planner's rule tests.
import { plan } from '../../src/agent/planner.js';
import { EVAL_CONTEXT } from './agent-eval.js';
import { agentToolCatalogue } from './agent-tools.js';

const tools = agentToolCatalogue();

/** The calls a request gets, exactly (or the plan when it runs nothing). */
export const callsOf = (text: string) => {
  const p = plan(text, tools, EVAL_CONTEXT);
  return p.kind === 'run' ? p.calls : p;
};

/** Whether a request is run, offered as choices or refused. */
export const kindOf = (text: string) => plan(text, tools, EVAL_CONTEXT).kind;
