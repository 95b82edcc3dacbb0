/**
 * Native checks, dispatched: what a `native:` step reads (pods, events, nodes, a rollout, a
 * certificate, a server's clock, a whole diagnosis) through the Kubernetes client or the network
 * prober, turned into report lines by native.ts (pure) so it is judged like a command's output.
 * A read the API refused (no permission, unreachable, wrong name) is "could not check" with how to
 * fix it, never a finding; an API that answers 5xx is evidence about the control plane. Also how a
 * native check is shown in place of a command line (the run and --dry-run show the same).
 */
import type { Clock } from '../adapters/clock.js';
import { parseDuration } from '../duration.js';
import { unreachable } from '../errors.js';
import type { KubeReader } from '../adapters/kube.js';
import type { Prober } from '../adapters/probe.js';
import type { ProcessResult } from '../adapters/shell.js';
import { TemplateError } from '../runbook/command.js';
import type { CheckStepDef, NativeSpec } from '../runbook/schema.js';
import { renderTemplate } from '../runbook/template.js';
import { renderReport } from '../diagnosis/report.js';
import { certificateReport, clockReport, nodesReport, podsReport, rolloutReport, warningEventsReport } from './native.js';
import { emptyResult, type Executed, type RunRequest } from './request.js';
import { resolveCluster, type TargetingContext } from './targeting.js';
import { checkUrlForTls } from './unchecked.js';

/** What a native check needs from the run. */
export interface NativeContext {
  targeting: TargetingContext;
  now: () => number;
  /** The wall clock, for ages of Kubernetes objects. */
  clock: Clock;
  kube?: KubeReader;
  probe?: Prober;
  diagnosis?: RunRequest['diagnosis'];
  /** In a drill: replays the step's recorded output instead of reading anything. */
  replay?: (onOutput: (stream: 'stdout' | 'stderr', chunk: string) => void) => Promise<ProcessResult>;
}

/** A native check ready to run: how it is shown, and the read itself. */
export interface PreparedNative {
  display: string;
  program: 'kubernetes-api';
  run: (onOutput: (stream: 'stdout' | 'stderr', chunk: string) => void) => Promise<Executed>;
}

/** How to fix a native check that could not read the API. */
export function nativeFix(reason: string, code: number | undefined, cluster: string): string {
  if (code === 403) return 'ask for read (get/list) access there, or use the on-call role: kubectl auth can-i list pods -n NAMESPACE';
  if (code === 401) return `refresh the credentials of cluster "${cluster}" (log in again or renew the token in the kubeconfig)`;
  if (code === 404 || /not found/.test(reason)) return 'check the name and namespace (pass --var to correct what the runbook guessed)';
  if (/https?:|not an https|url/i.test(reason)) return 'point the check at the https URL (keycloakUrl in the config)';
  if (/cannot be reached|did not answer|timed out|ECONN|EHOST|ENOTFOUND/i.test(reason))
    return `check that cluster "${cluster}" is reachable from here (VPN, the server in the kubeconfig)`;
  return 'run the same read with kubectl to see the full error';
}

/** How a native check is shown (and recorded) in place of a command line. */
export function nativeDisplay(
  spec: NativeSpec,
  v: {
    namespace: string | undefined;
    selector: string | undefined;
    deployment: string | undefined;
    url: string | undefined;
    cluster: string;
  },
): string {
  const { namespace, selector, deployment, url } = v;
  // The cluster is part of what was checked (the same pods on another cluster are another check).
  const where = `${namespace ? ` in ${namespace}` : ''}${v.cluster !== 'control-plane' ? ` on cluster ${v.cluster}` : ''}`;
  return spec.resource === 'pods'
    ? `[kubernetes API] pods${where}${selector ? ` (${selector})` : ''}`
    : spec.resource === 'rollout'
      ? `[kubernetes API] rollout of deployment/${deployment ?? '?'}${where}`
      : spec.resource === 'tls'
        ? `[tls] certificate of ${url ?? '?'}`
        : spec.resource === 'clock'
          ? `[http] Date header of ${url ?? '?'} vs the local clock`
          : spec.resource === 'diagnosis'
            ? `[kubernetes API] diagnosis${v.cluster !== 'control-plane' ? ` on cluster ${v.cluster}` : ''}: nodes; pods, events, revisions and failing pods' logs${(spec.include ?? []).length ? ` (+ ${(spec.include ?? []).join(', ')})` : ''}`
            : `[kubernetes API] ${spec.resource}${where}`;
}

/** A native Kubernetes check: asks the API through the client and reports problems as lines. */
export function prepareNative(
  step: CheckStepDef,
  spec: NativeSpec,
  timeoutMs: number,
  signal: AbortSignal,
  ctx: NativeContext,
): PreparedNative {
  const fill = (v: string | undefined) => {
    if (v === undefined) return undefined;
    const out = renderTemplate(v, ctx.targeting.lookup);
    const missing = /\{\{\s*([\w.-]+)\s*\}\}/.exec(out);
    if (missing) throw new TemplateError(`template value {{${missing[1]}}} is not defined`);
    return out;
  };
  const namespace = fill(spec.namespace);
  const selector = fill(spec.selector);
  const deployment = fill(spec.deployment);
  const url = fill(spec.url);
  const { name: resolvedName, target } = resolveCluster(step.cluster, ctx.targeting);
  const display = nativeDisplay(spec, { namespace, selector, deployment, url, cluster: resolvedName });
  const run = async (onOutput: (stream: 'stdout' | 'stderr', chunk: string) => void): Promise<Executed> => {
    if (ctx.replay) {
      const result = await ctx.replay(onOutput);
      return { result, stdout: result.stdout };
    }
    const start = ctx.now();
    const done = (exitCode: number, stdout: string, stderr: string): Executed => {
      if (stdout) onOutput('stdout', stdout);
      if (stderr) onOutput('stderr', stderr);
      return {
        result: {
          outcome: { kind: 'exited', exitCode },
          stdout,
          stderr,
          stdoutBytes: Buffer.byteLength(stdout),
          stderrBytes: Buffer.byteLength(stderr),
          truncated: false,
          durationMs: Math.round(ctx.now() - start),
        },
        stdout,
      };
    };
    const kube = ctx.kube;
    if (!kube && spec.resource !== 'tls' && spec.resource !== 'clock') return done(1, '', 'no Kubernetes client available');
    const t = target ?? {};
    const now = ctx.clock.now();
    const ns = namespace ?? 'default';
    // An API that answers 5xx is evidence about the control plane; any other failed read means
    // this check could not see the system (no permission, unreachable, wrong name): not a finding.
    const fail = (reason: string, code?: number): Executed => {
      const e = done(1, '', reason + '\n');
      if ((code ?? 0) >= 500) return e;
      return { ...e, unchecked: { reason, fix: nativeFix(reason, code, resolvedName) } };
    };
    const cancelled = new Promise<'cancelled'>((resolve) =>
      signal.aborted ? resolve('cancelled') : signal.addEventListener('abort', () => resolve('cancelled'), { once: true }),
    );
    const work = (async (): Promise<Executed> => {
      if (spec.resource === 'tls') {
        const probe = ctx.probe;
        if (!probe) return fail('no network prober available');
        const notTls = checkUrlForTls(url ?? '');
        if (notTls) return fail(notTls);
        const r = await probe.certificate(url ?? '', timeoutMs);
        return r.ok
          ? done(0, certificateReport(url ?? '', r.value, now, parseDuration(spec.warnWithin ?? '14d') ?? 14 * 86_400_000), '')
          : fail(r.reason);
      }
      if (spec.resource === 'clock') {
        const probe = ctx.probe;
        if (!probe) return fail('no network prober available');
        const r = await probe.clock(url ?? '', timeoutMs);
        return r.ok ? done(0, clockReport(url ?? '', r.value, parseDuration(spec.maxSkew ?? '60s') ?? 60_000), '') : fail(r.reason);
      }
      // Every other kind reads the API (no client: said before it started).
      if (!kube) return done(1, '', 'no Kubernetes client available');
      switch (spec.resource) {
        case 'pods': {
          const r = await kube.pods(t, ns, selector);
          return r.ok ? done(0, podsReport(r.value, ns, selector, now, spec.maxRestarts), '') : fail(r.reason, r.code);
        }
        case 'events': {
          const r = await kube.events(t, ns);
          return r.ok
            ? done(0, warningEventsReport(r.value, ns, parseDuration(spec.since ?? '30m') ?? 1_800_000, now), '')
            : fail(r.reason, r.code);
        }
        case 'nodes': {
          const r = await kube.nodes(t);
          return r.ok ? done(0, nodesReport(r.value, now), '') : fail(r.reason, r.code);
        }
        case 'rollout': {
          const d = await kube.deployment(t, ns, deployment ?? '');
          if (!d.ok) return fail(d.code === 404 ? `deployment/${deployment} not found in ${ns}` : d.reason, d.code);
          const sel = Object.entries(d.value.spec?.selector?.matchLabels ?? {})
            .map(([k, v]) => `${k}=${v}`)
            .join(',');
          const [rs, pods] = await Promise.all([kube.replicaSets(t, ns, sel), kube.pods(t, ns, sel)]);
          if (!rs.ok) return fail(rs.reason, rs.code);
          if (!pods.ok) return fail(pods.reason, pods.code);
          return done(0, rolloutReport(d.value, rs.value, pods.value, now), '');
        }
        case 'diagnosis': {
          const d = ctx.diagnosis;
          if (!d) return fail('no diagnosis settings were given to this run');
          const include = new Set(spec.include ?? []);
          const workloadName = include.has('workload') ? d.workloadCluster : undefined;
          const workloadTarget = workloadName ? ctx.targeting.cluster(workloadName) : undefined;
          const [{ sweep }, { diagnose }] = await Promise.all([import('../diagnosis/read.js'), import('../diagnosis/analyze.js')]);
          const snapshot = await sweep({
            kube,
            controlPlane: { name: resolvedName, target: t },
            ...(workloadName && workloadTarget ? { workload: { name: workloadName, target: workloadTarget } } : {}),
            roles: d.roles,
            settings: d.settings,
            now: () => now,
            ...(ctx.probe ? { probe: ctx.probe } : {}),
            ...(include.has('probes') && d.keycloakUrl ? { keycloakUrl: d.keycloakUrl } : {}),
            ...(include.has('probes') && d.api ? { api: d.api } : {}),
            timeoutMs,
          });
          const diagnosis = diagnose(snapshot);
          if (include.has('workload') && !workloadTarget)
            diagnosis.unchecked.push({
              what: 'the workload cluster',
              reason: d.workloadCluster ? `cluster "${d.workloadCluster}" has no entry under clusters` : 'no workloadCluster is configured',
              fix: 'set workloadCluster and clusters.<name> (kubeconfig, context) in the config',
            });
          return done(0, renderReport(diagnosis), '');
        }
        default:
          return unreachable(spec.resource);
      }
    })();
    const first = await Promise.race([work, cancelled]);
    if (first === 'cancelled') return { result: emptyResult({ kind: 'cancelled' }, Math.round(ctx.now() - start)), stdout: '' };
    return first;
  };
  return { display, program: 'kubernetes-api', run };
}
