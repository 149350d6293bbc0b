import { plan } from '../../src/agent/planner.js';
import { EVAL_CONTEXT } from '../../test/support/agent-eval.js';
import { agentToolCatalogue } from '../../test/support/agent-tools.js';
for (const t of process.argv.slice(2)) console.log(t, '→', JSON.stringify(plan(t, agentToolCatalogue(), EVAL_CONTEXT)));
