/**
 * A remote command that ran (kubectl exec … -- cmd) or a local program: a missing program or
 * script, Python's and nvidia-smi's failures, and the dispatch to the tool that ran.
 * Part of the reading of failed commands (../unchecked.ts).
 */
import { type FailureVerdict, problem, unchecked } from './verdict.js';
import { basename, type Ctx, informativeLine } from './command.js';
import { missingTool } from './kube.js';
import { curlFailure } from './curl.js';
import { pgIsReadyFailure, psqlFailure } from './postgres.js';

/** Shell and loader texts for "that program is not there". */
export const NOT_FOUND_PROGRAM = [
  /(?:^|\n)(?:\/bin\/)?(?:sh|bash|ash|dash|zsh)(?:: line \d+| \d+)?: (?:\d+: )?([^\s:]+): (?:command )?not found/,
  /env: '?([^'\s:]+)'?: No such file or directory/,
  /exec: "([^"]+)": executable file not found/,
  /(?:can't|cannot) execute binary file|Exec format error/,
];

export function programMissing(text: string, exitCode: number): string | undefined {
  for (const re of NOT_FOUND_PROGRAM) {
    const m = re.exec(text);
    if (m) return m[1] ? basename(m[1]) : 'the program';
  }
  if (exitCode === 127) return 'the program';
  return undefined;
}

export function pythonFailure(text: string, exitCode: number, name: string, ctx: Ctx): FailureVerdict {
  let m: RegExpExecArray | null;
  if ((m = /can't open file '([^']+)'/.exec(text))) {
    const [, script = ''] = m;
    return missingTool(script, ctx);
  }
  if ((m = /ModuleNotFoundError: No module named '([^']+)'|ImportError: No module named '?([\w.]+)'?/.exec(text)))
    return unchecked(
      'tool',
      `the Python module ${m[1] ?? m[2]} is not installed where the check ran`,
      `Use a check that needs only the standard library, or run it in an image that has ${m[1] ?? m[2]}.`,
    );
  if (/SyntaxError:|IndentationError:/.test(text))
    return unchecked('usage', `the check's Python does not parse: ${informativeLine(text)}`, 'Fix the Python in the runbook.');
  const line = informativeLine(text) ?? `${name} exited ${exitCode}`;
  return ctx.remote ? problem('remote-exit', `${name} in the pod failed: ${line}`) : { kind: 'unknown', reason: line };
}

export function nvidiaFailure(text: string, exitCode: number): FailureVerdict {
  if (/couldn't communicate with the NVIDIA driver/.test(text))
    return problem(
      'remote-exit',
      'nvidia-smi cannot talk to the NVIDIA driver: the driver is not loaded or crashed on the node (or the GPU is not exposed to this container)',
    );
  if (/Driver\/library version mismatch/.test(text))
    return problem('remote-exit', "NVML driver/library version mismatch: the node's driver was upgraded without a reboot");
  if (/No devices were found/.test(text))
    return problem('remote-exit', 'nvidia-smi sees no GPU in this container (device plugin or driver lost it)');
  if (/GPU is lost|fallen off the bus|Unable to determine the device handle/.test(text))
    return problem('remote-exit', `a GPU has failed: ${informativeLine(text) ?? 'GPU is lost'}`);
  return problem('remote-exit', `nvidia-smi failed (exit ${exitCode}): ${informativeLine(text) ?? 'no output'}`);
}

export function programFailure(name: string | undefined, exitCode: number, text: string, args: string[], ctx: Ctx): FailureVerdict {
  const inPod = ctx.remote !== undefined;
  const missing =
    exitCode === 126 || exitCode === 127 || NOT_FOUND_PROGRAM.some((re) => re.test(text)) ? programMissing(text, exitCode) : undefined;
  if (missing || exitCode === 126) return missingTool(missing && missing !== 'the program' ? missing : (name ?? 'the program'), ctx);
  if (name === 'curl') return curlFailure(text, exitCode, args, inPod);
  if (name === 'pg_isready') return pgIsReadyFailure(exitCode, text, inPod);
  if (name === 'psql') return psqlFailure(text, exitCode, inPod);
  if (name === 'nvidia-smi') return nvidiaFailure(text, exitCode);
  if (name && /^python(\d(\.\d+)?)?$/.test(name)) return pythonFailure(text, exitCode, name, ctx);
  const line = informativeLine(text);
  if (inPod)
    return problem('remote-exit', `${name ?? 'the remote command'} ran in the pod and exited ${exitCode}${line ? `: ${line}` : ''}`);
  return { kind: 'unknown', reason: line ? `exited with code ${exitCode}: ${line}` : `exited with code ${exitCode}` };
}
