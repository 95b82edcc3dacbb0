/**
 * The `milestone` view: the milestone recorded, when, and for `detected --by`, how it was detected
 * in the policy's words. A function of what it is given (no I/O); no colour.
 */
import { detectionText, type Detection } from '../incident/detection.js';
import type { Policy } from '../incident/policy.js';

export function milestoneView(policy: Policy, input: { id: string; name: string; at: Date; by: Detection | undefined }): string[] {
  const { id, name, at, by } = input;
  return [`${id}: ${name} at ${at.toISOString()}${by ? ` (${detectionText(policy, by)})` : ''}`];
}
