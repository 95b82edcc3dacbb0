/**
 * The ranking of causes: roots first (by who is hurt, then by how many pods they explain, then by
 * a fixed order of failure classes), each root followed by the causes it explains.
 */
import type { CauseId } from './causes.js';
import { causeKey, type Cause, type Impact } from './model.js';

const WEIGHT: Record<Impact, number> = { platform: 0, data: 1, major: 2, inference: 3, performance: 4, partial: 5 };
const PRIORITY: CauseId[] = [
  'control-plane',
  'node-lost',
  'node-network',
  'dns-failure',
  'database-corruption',
  'database-storage',
  'database-oom',
  'database-down',
  'database-credentials',
  'bad-deployment',
  'certificate-expiry',
  'clock-skew',
  'bad-config',
  'image-pull',
  'keycloak-down',
  'gpu-oom',
  'model-serving-crash',
  'rate-limiting',
  'overload',
  'node-pressure',
  'database-replication',
  'app-oom',
  'app-crash',
];

/** Roots first, the one that explains most first; each root followed by what it explains. */
export function rank(causes: Cause[]): Cause[] {
  // A root's reach: the pods it explains plus those of the causes it explains.
  const reach = (c: Cause): number =>
    c.explains.length + causes.filter((x) => x.explainedBy === causeKey(c)).reduce((n, x) => n + x.explains.length, 0);
  const roots = causes
    .filter((c) => !c.explainedBy)
    .sort((a, b) => WEIGHT[a.impact] - WEIGHT[b.impact] || reach(b) - reach(a) || PRIORITY.indexOf(a.id) - PRIORITY.indexOf(b.id));
  const out: Cause[] = [];
  for (const root of roots) {
    out.push(root);
    for (const c of causes) if (c.explainedBy === causeKey(root)) out.push(c);
  }
  for (const c of causes) if (!out.includes(c)) out.push(c);
  return out;
}
