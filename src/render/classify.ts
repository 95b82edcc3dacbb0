/**
 * The `classify` view: the recommended severity and the criteria that put it there, what the
 * policy says that severity looks like, the criteria nobody was asked (to judge by hand), and
 * whether it was applied. A function of what it is given (no I/O).
 */
import type { ChalkInstance } from 'chalk';
import type { SeverityId } from '../incident/criteria.js';
import type { Classification } from '../incident/decisions.js';
import type { Policy } from '../incident/policy.js';
import { severityLines } from './incident-lines.js';

export interface ClassifyViewInput {
  result: Classification;
  /** Plain-text criteria of the severities above the recommendation (unaskedCriteria). */
  unasked: ReadonlyArray<{ severity: SeverityId; text: string }>;
  /** The incident it was recorded in (--apply), if any. */
  appliedTo: string | undefined;
}

export function classifyView(c: ChalkInstance, policy: Policy, input: ClassifyViewInput): string[] {
  const { result, unasked, appliedTo } = input;
  const level = policy.severities[result.severity];
  return [
    `${c.bold('Recommended severity:')} ${c.red.bold(result.severity)} — ${level.definition} (respond within ${level.responseTime})`,
    ...result.reasons.map((r) => `  because: ${r}`),
    ...severityLines(c, policy, result.severity),
    ...(unasked.length
      ? [
          c.yellow('Not asked (the policy gives these no question; judge them yourself):'),
          ...unasked.map((u) => `  ${u.severity}: ${u.text}`),
        ]
      : []),
    appliedTo
      ? c.green(`Applied to incident ${appliedTo}.`)
      : c.dim(`Apply it to the current incident with --apply, or: bud-incident severity ${result.severity} --reason "..."`),
  ];
}
