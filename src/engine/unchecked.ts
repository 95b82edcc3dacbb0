/**
 * Telling "the system is broken" apart from "the check could not look".
 *
 * A failed diagnostic command has three readings: the system is healthy (not this module's
 * business), the system has a problem (the command reached it and it answered badly), or the
 * check could not see the system at all (no VPN, expired login, missing RBAC, a guessed pod name,
 * a tool that is not in the image). Reporting the last kind as a finding sends a tired responder
 * after a cluster fault that does not exist, so it gets its own verdict with a fix for the check.
 *
 * The rule used throughout: an *answer* from the system under diagnosis is evidence; silence or
 * refusal seen only from the responder's machine is not, because from here a VPN that is down
 * and a service that is down look the same. The same failure seen from inside the cluster
 * (`kubectl exec … -- curl`) is evidence, because the path it took is part of the system.
 *
 * Pure: no I/O, no clock. Message texts are those of kubectl/client-go 1.2x–1.3x, curl 7.x–8.x,
 * containerd/runc, PostgreSQL 12+ and the NVIDIA driver tools.
 *
 * The readings are tried in order (first match wins), so the order is part of the meaning; each
 * tool's catalogue of message texts has its own room under unchecked/: verdict.ts (what a reading
 * is), command.ts (the command line and output), kube.ts (kubectl and client-go CLIs), curl.ts,
 * postgres.ts (pg_isready, psql), programs.ts (a program run locally or in a pod, and the dispatch
 * to its tool). This file reads one failed command with them.
 */
import type { CommandFailure, FailureVerdict } from './unchecked/verdict.js';
import { contextOf, informativeLine, KLOG, KUBE_CLIENTS, remoteProgramName, textLines } from './unchecked/command.js';
import { kubeClientFailure } from './unchecked/kube.js';
import { programFailure } from './unchecked/programs.js';

export type { CommandFailure, FailureVerdict, ProblemClass, UncheckedClass } from './unchecked/verdict.js';
export { informativeLine } from './unchecked/command.js';

/** Arguments split into words, so that a URL inside `sh -c "curl … 'https://…'"` is found too. */
const words = (args: string[]) => args.flatMap((a) => a.split(/\s+/)).map((w) => w.replace(/^['"]+|['"]+$/g, ''));

/**
 * Reads a failed command as could-not-check (with a fix for the check), a problem (evidence
 * about the system) or unknown (with the most informative line of its output).
 */
export function classifyCommandFailure(f: CommandFailure): FailureVerdict {
  const ctx = contextOf(f);
  // Program output can be long; errors are at the start (kubectl) or the end (tracebacks).
  const stdoutTail = f.stdout.length > 4096 ? f.stdout.slice(-4096) : f.stdout;

  if (KUBE_CLIENTS.has(ctx.tool)) {
    const terminated = /command terminated with exit code (\d+)/.exec(f.stderr);
    if (terminated && ctx.kube.subcommand === 'exec') {
      // kubectl exec reached the container and the command ran: from here on it is the remote
      // program's failure, judged by what that program's exit codes mean.
      const remoteArgv = ctx.kube.remote ?? [];
      ctx.remote = { name: remoteProgramName(remoteArgv), argv: remoteArgv, exitCode: Number(terminated[1]) };
      const scriptArgs = words(remoteArgv);
      return programFailure(ctx.remote.name, ctx.remote.exitCode, `${f.stderr}\n${stdoutTail}`, scriptArgs, ctx);
    }
    // Judge kubectl's own words first: kubectl 1.26+ also logs discovery errors through klog (often
    // about an unrelated aggregated API such as metrics.k8s.io), which must not outvote the real error.
    const all = textLines(f.stderr);
    const plain = all.filter((l) => !KLOG.test(l)).join('\n');
    const verdict = (plain && kubeClientFailure(plain, ctx)) || kubeClientFailure(all.map((l) => l.replace(KLOG, '')).join('\n'), ctx);
    if (verdict) return verdict;
    const line = informativeLine(f.stderr) ?? informativeLine(stdoutTail);
    return { kind: 'unknown', reason: line ? `${ctx.tool} exited ${f.exitCode}: ${line}` : `${ctx.tool} exited with code ${f.exitCode}` };
  }
  const name = ctx.tool === 'sh' || ctx.tool === 'bash' ? remoteProgramName([ctx.tool, ...ctx.args]) : ctx.tool;
  return programFailure(name, f.exitCode, `${f.stderr}\n${stdoutTail}`, words(ctx.args), ctx);
}

/**
 * Why a URL cannot be used for a TLS certificate check, or undefined when it can. A plain
 * `http://` address has no certificate: checking it would report "no TLS problem" about nothing.
 */
export function checkUrlForTls(url: string): string | undefined {
  const trimmed = url.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) return `"${url}" has no scheme: a TLS check needs an https:// URL`;
  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    return `"${url}" is not a valid URL`;
  }
  if (parsed.protocol === 'http:') return `${url} is plain HTTP: there is no certificate to check (use the https:// address)`;
  if (parsed.protocol !== 'https:')
    return `${url} uses ${parsed.protocol.replace(/:$/, '')}://, not https://: a TLS check needs an https:// URL`;
  if (!parsed.hostname) return `${url} has no host`;
  return undefined;
}
