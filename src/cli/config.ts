/** `bud-incident config show`. */
import { configCandidates } from '../config/defaults.js';
import { secretEnvNames } from '../secrets/redact.js';
import { shippedRunbookDir, stateHome } from '../paths.js';
import { config, dirsOf, writeJson, type Context } from './context.js';

export function showConfig(ctx: Context, opts: { json?: boolean }): number {
  const { config: cfg, file } = config(ctx);
  const effective = {
    file: file ?? null,
    base: config(ctx).base ?? null,
    searched: configCandidates(ctx.env, ctx.cwd, ctx.global.config).map((c) => c.path),
    stateHome: stateHome(ctx.env),
    // Where incidents go: the local files, or a team store (shown without its password).
    store: ctx.store?.kind === 'postgres' ? ctx.store.display : 'local',
    storeFrom: ctx.env.BUD_INCIDENT_STORE?.trim() ? '$BUD_INCIDENT_STORE' : cfg.store !== undefined ? 'config' : 'default',
    kubeconfig: ctx.env.KUBECONFIG ?? null,
    runbookDirs: dirsOf(ctx),
    shippedRunbooks: shippedRunbookDir(),
    // Names only: values of secrets are never printed.
    secretEnv: secretEnvNames(ctx.env, cfg.secretEnv),
    config: cfg,
  };
  if (opts.json) {
    writeJson(ctx, effective);
    return 0;
  }
  const c = ctx.term.color;
  const o: string[] = [];
  o.push(`${c.bold('Config file:')} ${file ?? c.dim('none found (built-in defaults)')}`);
  const base = config(ctx).base;
  if (base) o.push(c.dim(`  laid over your own: ${base}`));
  o.push(c.dim(`  searched: ${effective.searched.join(', ')}`));
  o.push(`${c.bold('State:')} ${effective.stateHome}  ${c.dim('($BUD_INCIDENT_HOME)')}`);
  o.push(
    `${c.bold('Store:')} ${effective.store === 'local' ? 'local (files under the state directory)' : `team store ${effective.store}`}  ${c.dim(`(${effective.storeFrom === 'default' ? 'default; $BUD_INCIDENT_STORE or "store:" to share' : effective.storeFrom})`)}`,
  );
  o.push(`${c.bold('KUBECONFIG:')} ${effective.kubeconfig ?? c.dim('unset (~/.kube/config)')}`);
  o.push(c.bold('Clusters:'));
  const clusters = Object.entries(cfg.clusters);
  if (!clusters.length) o.push(c.dim('  none configured: kubectl uses its current context'));
  for (const [name, cl] of clusters)
    o.push(
      `  ${name}${name === cfg.workloadCluster ? ' (workload)' : ''}: ${cl.kubeconfig ?? '$KUBECONFIG'}${cl.context ? ` context ${cl.context}` : ''}`,
    );
  o.push(c.bold('Namespaces:'), ...Object.entries(cfg.namespaces).map(([k, v]) => `  ${k}: ${v}`));
  o.push(`${c.bold('Platform API:')} ${cfg.apiUrl ?? c.dim('not set (apiUrl)')}`);
  o.push(
    `${c.bold('Keycloak:')} ${cfg.keycloakUrl ?? c.dim('not set (keycloakUrl)')}${cfg.keycloakRealm ? ` realm ${cfg.keycloakRealm}` : ''}`,
  );
  o.push(`${c.bold('Secret variables:')} ${effective.secretEnv.join(', ') || c.dim('none')}`);
  o.push(c.bold('Runbook directories:'), ...effective.runbookDirs.map((d) => `  ${d.dir} ${c.dim(`(${d.origin})`)}`));
  ctx.term.out.write(o.join('\n') + '\n');
  return 0;
}
