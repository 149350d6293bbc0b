import type { ZodError } from 'zod';

/** Names the skipped record and the field at fault, e.g. "ENG-5: fields.assignee.accountId: Invalid input…". */
export function rejectionReason(id: unknown, error: ZodError): string {
  const issue = error.issues[0];
  const field = issue?.path.map(String).join('.') || '(the record itself)';
  const record = typeof id === 'string' || typeof id === 'number' ? String(id).slice(0, 80) : 'a record without id';
  return `${record}: ${field}: ${issue?.message ?? 'invalid'}`;
}
