/** How an incident was detected (§2.1), and how it is said: a policy detection source with an optional detail. */
import type { Policy } from './policy.js';

export interface Detection {
  source: string;
  detail?: string;
}

/** "Monitoring alert (PagerDuty BudAPIDown)". */
export function detectionText(policy: Policy, d: Detection): string {
  return `${policy.detection[d.source] ?? d.source}${d.detail ? ` (${d.detail})` : ''}`;
}
