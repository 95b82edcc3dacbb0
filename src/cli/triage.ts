/**
 * `bud-incident triage`: a concurrent, read-only sweep of the cluster that says what is wrong,
 * which runbook to start with (and why), and the severity the classification criteria suggest.
 * Exit 0 nothing wrong, 1 something is, 2 the cluster cannot be asked.
 */
import { ClientNodeKube, type KubeReader, type KubeResult } from '../adapters/kube.js';
import { podProblems, formatPodProblem, rolloutReport } from '../engine/native.js';
import { decideTriage, type PodCount, type TriageFacts } from '../incident/triage.js';
import { currentOpenIncident } from '../incident/open.js';
import { config, home, redactor, writeJson, type Context } from './context.js';
import type { V1Pod } from '@kubernetes/client-node';

export interface TriageOptions {
  json?: boolean;
  deployment?: string;
  timeout?: string;
}

interface CheckReport {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
  summary: string;
}

function count(pods: V1Pod[], now: Date): PodCount {
  const problems = podProblems(pods);
  return { total: pods.length, failing: new Set(problems.map((p) => p.pod)).size, problems: problems.map((p) => formatPodProblem(p, now)) };
}

export async function triageCommand(
  ctx: Context,
  opts: TriageOptions,
  kube: KubeReader = new ClientNodeKube(Number(opts.timeout ?? 10) * 1000, ctx.env),
): Promise<number> {
  const cfg = config(ctx).config;
  const ns = cfg.namespaces;
  const now = ctx.clock.now();
  const cp = cfg.clusters['control-plane'] ?? {};
  const workload = cfg.workloadCluster ? cfg.clusters[cfg.workloadCluster] : undefined;
  const deployment = opts.deployment ?? 'budapp';
  const checks: CheckReport[] = [];
  // Load the client first, so the sweep's time is the cluster's, not the module loader's.
  await Promise.all([kube.prepare?.(cp), workload ? kube.prepare?.(workload) : undefined]);
  const started = performance.now();
  const timed = async <T>(name: string, p: Promise<KubeResult<T>>, summarize: (v: T) => string): Promise<KubeResult<T>> => {
    const t0 = performance.now();
    const r = await p;
    checks.push({
      name,
      ok: r.ok,
      ms: Math.round(performance.now() - t0),
      ...(r.ok ? { summary: summarize(r.value) } : { error: r.reason, summary: r.reason }),
    });
    return r;
  };
  const podsSummary = (pods: V1Pod[]) => {
    const c = count(pods, now);
    return `${c.total - c.failing}/${c.total} healthy`;
  };
  const [platform, postgres, keycloak, nodes, events, rollout, workloadPods, endpoints] = await Promise.all([
    timed(`pods in ${ns.system}`, kube.pods(cp, ns.system!), podsSummary),
    timed(`PostgreSQL (${ns.data}, app=postgresql)`, kube.pods(cp, ns.data!, 'app=postgresql'), podsSummary),
    timed(`Keycloak (${ns.auth})`, kube.pods(cp, ns.auth!), podsSummary),
    timed('nodes', kube.nodes(cp), (n) => `${n.length} nodes`),
    timed(`warning events in ${ns.system}`, kube.events(cp, ns.system!), (e) => `${e.filter((x) => x.type === 'Warning').length} warnings`),
    (async () => {
      const t0 = performance.now();
      const d = await kube.deployment(cp, ns.system!, deployment);
      if (!d.ok) {
        checks.push({
          name: `rollout of ${deployment}`,
          ok: d.code === 404,
          ms: Math.round(performance.now() - t0),
          summary: d.code === 404 ? 'no such deployment' : d.reason,
          ...(d.code === 404 ? {} : { error: d.reason }),
        });
        return undefined;
      }
      const sel = Object.entries(d.value.spec?.selector?.matchLabels ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      const [rs, pods] = await Promise.all([kube.replicaSets(cp, ns.system!, sel), kube.pods(cp, ns.system!, sel)]);
      const ms = Math.round(performance.now() - t0);
      if (!rs.ok || !pods.ok) {
        const reason = !rs.ok ? rs.reason : !pods.ok ? pods.reason : '';
        checks.push({ name: `rollout of ${deployment}`, ok: false, ms, error: reason, summary: reason });
        return undefined;
      }
      const report = rolloutReport(d.value, rs.value, pods.value, now);
      checks.push({ name: `rollout of ${deployment}`, ok: true, ms, summary: report.split('\n')[0] ?? '' });
      return report;
    })(),
    workload
      ? timed(`model servers (${cfg.workloadCluster}/${ns.workloads})`, kube.pods(workload, ns.workloads!), podsSummary)
      : Promise.resolve(undefined),
    endpointStatus(cfg.apiUrl, ctx.env.TOKEN, checks),
  ]);
  const sweepMs = Math.round(performance.now() - started);

  // The cluster could not be asked at all: say why and exit 2.
  if (!platform.ok) {
    const reason = platform.reason;
    if (opts.json) writeJson(ctx, { ok: false, reachable: false, reason, checks, sweepMs });
    else ctx.term.err.write(`${ctx.term.errColor.red.bold('bud-incident: cannot triage:')} ${reason}\n`);
    return 2;
  }
  const facts: TriageFacts = {
    platform: count(platform.value, now),
    ...(postgres.ok ? { postgres: count(postgres.value, now) } : {}),
    ...(keycloak.ok ? { keycloak: count(keycloak.value, now) } : {}),
    nodesNotReady: nodes.ok
      ? nodes.value
          .filter((n) => n.status?.conditions?.find((c) => c.type === 'Ready')?.status !== 'True')
          .map((n) => `${n.metadata?.name}: NotReady`)
      : [],
    ...(workloadPods?.ok ? { workload: count(workloadPods.value, now) } : {}),
    ...(endpoints ? { endpoints } : {}),
    ...(rollout
      ? {
          rollout: {
            deployment,
            failing: /RolloutFailing/.test(rollout),
            recent: /RecentRollout/.test(rollout),
            lines: rollout.trim().split('\n'),
          },
        }
      : {}),
    warnings: events.ok
      ? events.value
          .filter((e) => e.type === 'Warning')
          .slice(-10)
          .map((e) => `${e.involvedObject?.kind}/${e.involvedObject?.name} ${e.reason}: ${e.message}`)
      : [],
  };
  const decision = decideTriage(facts);
  const red = redactor(ctx);
  const result = red.redactValue({ ok: decision.healthy, reachable: true, ...decision, checks, warnings: facts.warnings, sweepMs });

  // Recorded in the current incident when one is open.
  const h = home(ctx);
  const open = currentOpenIncident(h);
  if (open) {
    h.timeline(open.id).append([
      {
        type: 'triage.completed',
        data: {
          healthy: decision.healthy,
          severity: decision.severity ?? null,
          matches: result.matches.map((m) => ({
            runbook: m.runbook,
            severity: m.severity,
            reason: m.reason,
            evidence: m.evidence.slice(0, 10),
          })),
          checks: checks.map((c) => ({ name: c.name, ok: c.ok, summary: c.summary })),
        },
      },
    ]);
  }

  if (opts.json) {
    writeJson(ctx, { ...result, ...(open ? { incident: open.id } : {}) });
  } else {
    const c = ctx.term.color;
    const o: string[] = [c.bold(`Triage (${sweepMs} ms, read-only)`)];
    for (const ch of checks) o.push(`  ${ch.ok ? c.green('✔') : c.red('✖')} ${ch.name}: ${ch.summary} ${c.dim(`(${ch.ms} ms)`)}`);
    if (decision.healthy) {
      o.push(
        '',
        c.green.bold('Nothing wrong found.') + (facts.warnings.length ? c.dim(` (${facts.warnings.length} recent warning events)`) : ''),
      );
    } else {
      o.push('', `${c.red.bold(`Suggested severity: ${decision.severity}`)} — ${decision.severityReason}`, '', c.bold('Start with:'));
      for (const m of result.matches) {
        const vars = m.vars
          ? ' ' +
            Object.entries(m.vars)
              .map(([k, v]) => `--var ${k}=${v}`)
              .join(' ')
          : '';
        o.push(`  ${c.bold(`bud-incident run ${m.runbook}${vars}`)}  ${c.dim(`(${m.severity})`)}`, `    ${m.reason}`);
        for (const e of m.evidence.slice(0, 5)) o.push(c.dim(`      ${e}`));
        if (m.evidence.length > 5) o.push(c.dim(`      … ${m.evidence.length - 5} more`));
      }
    }
    if (open) o.push(c.dim(`\nRecorded in incident ${open.id}.`));
    ctx.term.out.write(o.join('\n') + '\n');
  }
  return decision.healthy ? 0 : 1;
}

/** The platform API's view of the endpoints, when it is configured and a token is at hand. */
async function endpointStatus(
  apiUrl: string | undefined,
  token: string | undefined,
  checks: CheckReport[],
): Promise<{ total: number; failing: string[] } | undefined> {
  if (!apiUrl || !token) {
    checks.push({
      name: 'endpoint status (platform API)',
      ok: true,
      ms: 0,
      summary: `not checked: ${!apiUrl ? 'apiUrl is not configured' : '$TOKEN is not set'}`,
    });
    return undefined;
  }
  const t0 = performance.now();
  try {
    const res = await fetch(`${apiUrl.replace(/\/+$/, '')}/endpoints`, {
      headers: { Authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const list = (await res.json()) as Array<{ name?: string; status?: string }>;
    const healthy = /^(running|healthy|ready|active)$/i;
    const failing = list.filter((e) => !healthy.test(String(e.status))).map((e) => `${e.name ?? '?'}: ${e.status ?? 'unknown'}`);
    checks.push({
      name: 'endpoint status (platform API)',
      ok: true,
      ms: Math.round(performance.now() - t0),
      summary: `${list.length - failing.length}/${list.length} running`,
    });
    return { total: list.length, failing };
  } catch (error) {
    const reason = `the platform API did not answer: ${(error as Error).message}`;
    checks.push({
      name: 'endpoint status (platform API)',
      ok: false,
      ms: Math.round(performance.now() - t0),
      error: reason,
      summary: reason,
    });
    return undefined;
  }
}
