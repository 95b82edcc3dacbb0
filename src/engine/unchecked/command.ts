/**
 * Reading a failed command: its command line (which tool, kubectl's flags, the program run in a pod
 * by `kubectl exec`) and its output (the most informative line, past klog headers and noise).
 * Part of the reading of failed commands (../unchecked.ts).
 */
import type { CommandFailure } from './verdict.js';

export const basename = (p: string) => p.replace(/\\/g, '/').split('/').pop() ?? p;

/** Flags of kubectl (and its globals) that take a value as the next argument. */
export const KUBECTL_VALUE_FLAGS = new Set(
  '-n --namespace --context --kubeconfig -c --container --cluster --user -s --server --token --as --as-group --as-uid --request-timeout --pod-running-timeout -l --selector -o --output -f --filename -v --v --field-selector --since --since-time --tail --cache-dir --certificate-authority --client-certificate --client-key --tls-server-name --for --timeout --template --sort-by'.split(
    ' ',
  ),
);

export interface KubeArgs {
  subcommand?: string;
  /** The object named after the subcommand (`exec db-0`, `logs deploy/api`). */
  object?: string;
  namespace?: string;
  context?: string;
  container?: string;
  /** The command after `--` of `kubectl exec`. */
  remote?: string[];
}

export function parseKubeArgs(args: string[]): KubeArgs {
  const out: KubeArgs = {};
  const positionals: string[] = [];
  const set = (flag: string, value: string) => {
    if (flag === '-n' || flag === '--namespace') out.namespace = value;
    else if (flag === '--context') out.context = value;
    else if (flag === '-c' || flag === '--container') out.container = value;
  };
  const words = args.values(); // one iterator, so a flag can take the word after it
  for (const a of words) {
    if (a === '--') {
      out.remote = [...words];
      break;
    }
    if (a.startsWith('--') && a.includes('=')) {
      const eq = a.indexOf('=');
      set(a.slice(0, eq), a.slice(eq + 1));
    } else if (KUBECTL_VALUE_FLAGS.has(a)) {
      const next = words.next();
      set(a, next.done ? '' : next.value);
    } else if (/^-n./.test(a)) set('-n', a.slice(2));
    else if (/^-c./.test(a)) set('-c', a.slice(2));
    else if (!a.startsWith('-')) positionals.push(a);
  }
  if (positionals[0]) out.subcommand = positionals[0];
  if (positionals[1]) out.object = positionals[1];
  return out;
}

export const SHELLS = /^(sh|bash|ash|dash|zsh|busybox)$/;

/** The program a remote command line really runs: through `sh -c "…"`, env assignments, `exec`, `timeout 5`. */
export function remoteProgramName(argv: string[]): string | undefined {
  let words = argv;
  const first = words[0];
  if (first && SHELLS.test(basename(first))) {
    const c = words.findIndex((w) => /^-[a-z]*c$/.test(w));
    const script = c >= 0 ? words[c + 1] : undefined;
    if (script) words = script.trim().split(/\s+/);
  }
  let i = 0;
  for (let w = words[i]; w !== undefined; w = words[i]) {
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w) || w === 'exec' || w === 'env' || w === 'command' || w === 'nice') i++;
    else if (w === 'timeout') i += 2;
    else break;
  }
  const name = words[i];
  return name ? basename(name) : undefined;
}

export const KUBE_CLIENTS = new Set(['kubectl', 'oc', 'dapr', 'helm']);

export interface Ctx {
  f: CommandFailure;
  tool: string;
  args: string[];
  kube: KubeArgs;
  /** For `kubectl exec` whose remote command ran: the remote program and its exit code. */
  remote?: { name: string | undefined; argv: string[]; exitCode: number };
}

export function contextOf(f: CommandFailure): Ctx {
  const tool = basename(f.program);
  const [first] = f.argv;
  const args = first !== undefined && basename(first) === tool ? f.argv.slice(1) : f.argv;
  const kube = KUBE_CLIENTS.has(tool) ? parseKubeArgs(args) : {};
  return { f, tool, args, kube };
}

// ---------------------------------------------------------------------------------------------
// Reading the output

/** klog's header (`E0115 10:00:00.000000   12345 memcache.go:265] …`): kubectl 1.26+ logs discovery errors this way. */
export const KLOG = /^[IWEF]\d{4} \d{2}:\d{2}:\d{2}\.\d+\s+\d+ [\w.-]+:\d+\]\s*/;

export const textLines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

/** Lines that say nothing about the failure. */
export const NOISE = [
  /^Defaulted container /,
  /^Unable to use a TTY/,
  /^command terminated with exit code/,
  /^More details here:/,
  /^curl failed to verify/,
  /^establish a secure connection/,
  /^how to fix it, please visit/,
  /^Use 'kubectl describe /,
  /^Traceback \(most recent call last\)/,
  /^File "/,
  /^\^+$/,
  /^It looks like you are trying to use a client-go credential plugin/,
  /^To learn more about/,
  /^If you don't see a command prompt/,
];

/** The line of output most worth showing a responder: an error line, else the last line (a traceback's exception). */
export function informativeLine(text: string): string | undefined {
  const all = textLines(text).filter((l) => !NOISE.some((re) => re.test(l)));
  const plain = all.filter((l) => !KLOG.test(l));
  const pool = plain.length ? plain : all.map((l) => l.replace(KLOG, ''));
  const line =
    pool.find((l) =>
      /^(error\b|Error from server|Unable to connect|The connection to the server|curl: \(\d+\)|psql: |FATAL:|ERROR:|OCI runtime)/i.test(l),
    ) ??
    [...pool].reverse().find((l) => /^[\w.]*(Error|Exception)\b/.test(l)) ??
    pool[pool.length - 1];
  return line === undefined ? undefined : line.length > 300 ? `${line.slice(0, 297)}...` : line;
}
