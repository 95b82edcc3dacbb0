/**
 * Cluster targeting: which configured cluster a command or a native check reaches, and by which
 * kubeconfig/context. One resolver for both kinds of check, so a kubectl step and a native step
 * naming the same cluster reach the same place: no name is the control plane, "workload" is the
 * config's workloadCluster, any other name must have an entry under `clusters` (a simulation runs
 * nothing, so it needs none).
 */
import { quoteForDisplay, TemplateError, type ResolvedCommand } from '../runbook/command.js';
import { renderTemplate } from '../runbook/template.js';

export interface ClusterTarget {
  kubeconfig?: string;
  context?: string;
}

/** What targeting needs from the run. */
export interface TargetingContext {
  /** Fills `{{…}}` in a step's cluster name. */
  lookup: (name: string) => string | undefined;
  configValues: Record<string, string>;
  /** The config's clusters: undefined for a name with no entry. */
  cluster: (name: string) => ClusterTarget | undefined;
  simulate: boolean;
}

/** The configured cluster a step names (`workload` is the config's workloadCluster; none is the control plane). */
export function clusterName(cluster: string | undefined, ctx: TargetingContext): string {
  const name = cluster ? renderTemplate(cluster, ctx.lookup) : 'control-plane';
  return name === 'workload' ? (ctx.configValues['config.workloadCluster'] ?? 'workload') : name;
}

/**
 * The cluster a step reaches and how: its name and the kubeconfig/context from the config
 * (undefined for the control plane when the config has none: kubectl's own default). Throws a
 * TemplateError for a cluster the config does not know.
 */
export function resolveCluster(cluster: string | undefined, ctx: TargetingContext): { name: string; target: ClusterTarget | undefined } {
  const name = clusterName(cluster, ctx);
  const target = ctx.cluster(name);
  if (!target && name !== 'control-plane' && !ctx.simulate)
    throw new TemplateError(`cluster "${name}" is not configured: add clusters.${name} (kubeconfig, context) to your config`);
  return { name, target };
}

/** Points a resolved kubectl command at its cluster (--kubeconfig/--context after "kubectl"); any other command is left alone. */
export function aimCommand(resolved: ResolvedCommand, cluster: string | undefined, ctx: TargetingContext): void {
  const first = resolved.argv[0];
  if (first?.[0] !== 'kubectl') return;
  const { target } = resolveCluster(cluster, ctx);
  const extra: string[] = [];
  if (target?.kubeconfig) extra.push(`--kubeconfig=${target.kubeconfig}`);
  if (target?.context) extra.push(`--context=${target.context}`);
  if (extra.length) {
    first.splice(1, 0, ...extra);
    resolved.display = resolved.display.replace(/^kubectl/, () => `kubectl ${extra.map((a) => quoteForDisplay(a)).join(' ')}`);
  }
}
