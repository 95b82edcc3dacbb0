/**
 * `bud-incident triage`: a concurrent, read-only sweep of the cluster(s) that says what is wrong
 * and why (root causes first, each with its evidence), which runbook to start with, and the
 * severity the classification criteria give. What could not be checked is said as such.
 * Exit 0: nothing wrong and everything checked; 1: something is wrong, or something could not be
 * checked; 2: the cluster cannot be asked at all (set-up: kubeconfig, credentials, reachability).
 */
import { ClientNodeKube, type KubeReader } from '../adapters/kube.js';
import { NodeProber, type Prober } from '../adapters/probe.js';
import { diagnose } from '../diagnosis/analyze.js';
import { runbookCommand } from '../diagnosis/report.js';
import { sweep } from '../diagnosis/read.js';
import { diagnosisSettings, namespaceRoles } from '../diagnosis/settings.js';
import { decideTriage } from '../incident/triage.js';
import { currentOpenIncident } from '../incident/open.js';
import { config, home, redactor, writeJson, type Context } from './context.js';
import { policyOf, prepareDocs } from './docs.js';
import { preflightCluster } from './preflight.js';

export interface TriageOptions {
  json?: boolean;
  deployment?: string;
  timeout?: string;
}

export async function triageCommand(
  ctx: Context,
  opts: TriageOptions,
  kube: KubeReader = new ClientNodeKube(Number(opts.timeout ?? 10) * 1000, ctx.env),
  probe: Prober = new NodeProber(),
): Promise<number> {
  const cfg = config(ctx).config;
  const cp = cfg.clusters['control-plane'] ?? {};
  const workloadName = cfg.workloadCluster;
  const workload = workloadName ? cfg.clusters[workloadName] : undefined;
  // The responder's own set-up is not an outage: a broken kubeconfig is exit 2, nothing recorded.
  await preflightCluster(ctx, 'control-plane', cp, { reachability: true });
  if (workload && workloadName) await preflightCluster(ctx, workloadName, workload);

  // Load the client first, so the sweep's time is the cluster's, not the module loader's.
  await Promise.all([kube.prepare?.(cp), workload ? kube.prepare?.(workload) : undefined]);
  const started = performance.now();
  const snapshot = await sweep({
    kube,
    controlPlane: { name: 'control-plane', target: cp },
    ...(workload && workloadName ? { workload: { name: workloadName, target: workload } } : {}),
    roles: namespaceRoles(cfg),
    settings: diagnosisSettings(cfg),
    now: () => ctx.clock.now(),
    probe,
    ...(cfg.keycloakUrl ? { keycloakUrl: cfg.keycloakUrl } : {}),
    ...(cfg.apiUrl && ctx.env.TOKEN ? { api: { url: cfg.apiUrl, token: ctx.env.TOKEN } } : {}),
    timeoutMs: Number(opts.timeout ?? 10) * 1000,
  });
  const sweepMs = Math.round(performance.now() - started);

  // The control plane could not be asked at all (unreachable, credentials refused): say why, exit 2.
  const cpReads = [snapshot.controlPlane.nodes, ...Object.values(snapshot.controlPlane.namespaces).map((n) => n.pods)];
  const firstFailure = cpReads.find((r) => !r.ok);
  if (cpReads.every((r) => !r.ok) && firstFailure && (firstFailure.code ?? 0) < 500) {
    const reason = firstFailure.reason;
    if (opts.json) writeJson(ctx, { ok: false, reachable: false, healthy: false, reason, sweepMs });
    else ctx.term.err.write(`${ctx.term.errColor.red.bold('bud-incident: cannot triage:')} ${reason}\n`);
    return 2;
  }

  const diagnosis = diagnose(snapshot);
  // The severity follows the policy's criteria: loaded here, after the sweep, not on triage's fast path.
  await prepareDocs(ctx);
  const decision = decideTriage(diagnosis, policyOf(ctx), namespaceRoles(cfg));
  const red = redactor(ctx);
  const result = red.redactValue({
    ok: decision.healthy,
    reachable: true,
    ...decision,
    causes: diagnosis.causes.map((c) => ({
      id: c.id,
      subject: c.subject,
      title: c.title,
      root: !c.explainedBy,
      ...(c.explainedBy ? { explainedBy: c.explainedBy } : {}),
      evidence: c.evidence,
      explains: c.explains,
      runbook: c.runbook,
      ...(c.vars ? { vars: c.vars } : {}),
      impact: c.impact,
    })),
    looked: diagnosis.looked,
    sweepMs,
  });

  // Recorded in the current incident when one is open.
  const h = home(ctx);
  const open = currentOpenIncident(h);
  if (open) {
    h.timeline(open.id).append([
      {
        type: 'triage.completed',
        data: {
          healthy: decision.healthy,
          complete: decision.complete,
          severity: decision.severity ?? null,
          matches: result.matches.map((m) => ({
            runbook: m.runbook,
            severity: m.severity,
            reason: m.reason,
            cause: m.cause,
            evidence: m.evidence.slice(0, 10),
          })),
          unchecked: result.unchecked,
        },
      },
    ]);
  }

  if (opts.json) {
    writeJson(ctx, { ...result, ...(open ? { incident: open.id } : {}) });
  } else {
    const c = ctx.term.color;
    const o: string[] = [c.bold(`Triage (${sweepMs} ms, read-only)`) + c.dim(` looked at: ${diagnosis.looked.join(', ') || 'nothing'}`)];
    if (decision.matches.length) {
      o.push('', c.bold('What is wrong, root causes first:'));
      for (const [i, m] of result.matches.entries()) {
        o.push(`  ${c.red('✖')} ${c.bold(`${i + 1}. ${m.reason}`)} ${c.dim(`[${m.cause} ${m.subject}, ${m.severity}]`)}`);
        for (const e of m.evidence.slice(0, 6)) o.push(c.dim(`      ${e}`));
        if (m.evidence.length > 6) o.push(c.dim(`      … ${m.evidence.length - 6} more`));
        const explained = m.explains.filter((x) => !x.startsWith('pod '));
        const pods = m.explains.length - explained.length;
        for (const x of explained) o.push(`      ${c.dim('which explains:')} ${x}`);
        if (pods) o.push(c.dim(`      explains ${pods} failing pod(s)`));
        o.push(
          `      ${c.bold('→')} bud-incident run ${runbookCommand({ runbook: m.runbook, ...(m.vars ? { vars: m.vars } : {}) })} --severity ${m.severity}`,
        );
      }
    }
    if (decision.unexplained.length) {
      o.push('', c.yellow.bold('Failing, cause not found:'));
      for (const u of decision.unexplained.slice(0, 10)) o.push(`  ${u}`);
    }
    if (decision.unchecked.length) {
      o.push('', c.yellow.bold('Could not check (not a finding about the cluster):'));
      for (const u of result.unchecked) o.push(`  ${c.yellow('?')} ${u.what}: ${u.reason}`, c.dim(`      fix: ${u.fix}`));
      for (const f of decision.followUps) o.push(`  ${c.bold('→')} bud-incident run ${f.runbook}  ${c.dim(`(${f.reason})`)}`);
    }
    if (decision.healthy) o.push('', c.green.bold('Nothing wrong found.'));
    else if (decision.matches.length === 0 && decision.unexplained.length === 0)
      o.push('', c.yellow.bold('Nothing wrong found in what could be checked — but not everything could be checked (above).'));
    else if (decision.severity)
      o.push('', `${c.red.bold(`Suggested severity: ${decision.severity}`)} — ${(decision.severityReasons ?? []).join('; ')}`);
    if (open) o.push(c.dim(`\nRecorded in incident ${open.id}.`));
    ctx.term.out.write(o.join('\n') + '\n');
  }
  return decision.healthy ? 0 : 1;
}
