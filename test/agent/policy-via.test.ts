// The door a proposal came through is part of the policy input: the shipped default lets a rule's or a person's
// DM run alone, and makes the agent's wait for a person.
import { fileURLToPath } from 'node:url';
import { PolicyBook } from '../../src/approvals/policies.js';
import { INCIDENT_POLICY_SECTION } from '../../src/incidents/settings.js';

describe('policies by door (via)', () => {
  const book = new PolicyBook(
    fileURLToPath(new URL('../../policies/', import.meta.url)),
    INCIDENT_POLICY_SECTION,
  ).reload();

  test('the shipped default: a DM runs alone, unless the agent proposed it', () => {
    expect(book.problems).toEqual([]);
    expect(book.decide({ action: 'slack.dm' }).mode).toBe('auto');
    expect(book.decide({ action: 'slack.dm', via: 'slack' }).mode).toBe('auto');
    const agent = book.decide({ action: 'slack.dm', via: 'agent' });
    expect(agent).toMatchObject({ mode: 'approve', approvers: ['@eng-leads'] });
    expect(agent.reason).toContain('the agent proposed it');
  });

  test('every action the agent proposes waits, labels and posts included; unknown actions stay denied', () => {
    for (const action of ['slack.post', 'github.label', 'github.comment', 'jira.create'])
      expect(book.decide({ action, via: 'agent' }).mode).toBe('approve');
    expect(book.decide({ action: 'shell.exec', via: 'agent' }).mode).toBe('deny');
  });
});
