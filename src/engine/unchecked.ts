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
 * It is ~990 lines because it is that catalogue of message texts: each reading is a few lines, and
 * they are tried in order (first match wins), so the order is part of the meaning; splitting it per
 * tool is possible but was not part of issue 13's cast clean-up.
 */

/** A command that exited non-zero, as the shell adapter captured it. */
export interface CommandFailure {
  program: string;
  /** The command line; may or may not start with `program` itself. */
  argv: string[];
  exitCode: number;
  stderr: string;
  stdout: string;
}

/** Why a check could not see the system (each has a fix the responder can apply to the check). */
export type UncheckedClass =
  | 'unreachable'
  | 'auth'
  | 'forbidden'
  | 'not-found'
  | 'not-running'
  | 'tls-trust'
  | 'bad-url'
  | 'kubeconfig'
  | 'tool'
  | 'timeout'
  | 'usage';

/** What kind of evidence about the system a failed command is. */
export type ProblemClass = 'server-error' | 'remote-exit' | 'tls-expired' | 'http-error' | 'dns';

/** The reading of one failed command: could not check (with a fix), a problem (evidence), or unknown. */
export type FailureVerdict =
  | { kind: 'unchecked'; reason: string; fix: string; class: UncheckedClass }
  | { kind: 'problem'; reason: string; class: ProblemClass }
  | { kind: 'unknown'; reason: string };

const unchecked = (cls: UncheckedClass, reason: string, fix: string): FailureVerdict => ({ kind: 'unchecked', class: cls, reason, fix });
const problem = (cls: ProblemClass, reason: string): FailureVerdict => ({ kind: 'problem', class: cls, reason });

// ---------------------------------------------------------------------------------------------
// Reading the command line

const basename = (p: string) => p.replace(/\\/g, '/').split('/').pop() ?? p;

/** Flags of kubectl (and its globals) that take a value as the next argument. */
const KUBECTL_VALUE_FLAGS = new Set(
  '-n --namespace --context --kubeconfig -c --container --cluster --user -s --server --token --as --as-group --as-uid --request-timeout --pod-running-timeout -l --selector -o --output -f --filename -v --v --field-selector --since --since-time --tail --cache-dir --certificate-authority --client-certificate --client-key --tls-server-name --for --timeout --template --sort-by'.split(
    ' ',
  ),
);

interface KubeArgs {
  subcommand?: string;
  /** The object named after the subcommand (`exec db-0`, `logs deploy/api`). */
  object?: string;
  namespace?: string;
  context?: string;
  container?: string;
  /** The command after `--` of `kubectl exec`. */
  remote?: string[];
}

function parseKubeArgs(args: string[]): KubeArgs {
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

const SHELLS = /^(sh|bash|ash|dash|zsh|busybox)$/;

/** The program a remote command line really runs: through `sh -c "…"`, env assignments, `exec`, `timeout 5`. */
function remoteProgramName(argv: string[]): string | undefined {
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

const KUBE_CLIENTS = new Set(['kubectl', 'oc', 'dapr', 'helm']);

interface Ctx {
  f: CommandFailure;
  tool: string;
  args: string[];
  kube: KubeArgs;
  /** For `kubectl exec` whose remote command ran: the remote program and its exit code. */
  remote?: { name: string | undefined; argv: string[]; exitCode: number };
}

function contextOf(f: CommandFailure): Ctx {
  const tool = basename(f.program);
  const [first] = f.argv;
  const args = first !== undefined && basename(first) === tool ? f.argv.slice(1) : f.argv;
  const kube = KUBE_CLIENTS.has(tool) ? parseKubeArgs(args) : {};
  return { f, tool, args, kube };
}

// ---------------------------------------------------------------------------------------------
// Reading the output

/** klog's header (`E0115 10:00:00.000000   12345 memcache.go:265] …`): kubectl 1.26+ logs discovery errors this way. */
const KLOG = /^[IWEF]\d{4} \d{2}:\d{2}:\d{2}\.\d+\s+\d+ [\w.-]+:\d+\]\s*/;

const textLines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

/** Lines that say nothing about the failure. */
const NOISE = [
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

// ---------------------------------------------------------------------------------------------
// Kubernetes clients (kubectl, and the client-go based dapr/helm CLIs)

function where(k: KubeArgs): string {
  return k.context ? `context "${k.context}"` : 'the current context';
}
const nsFlag = (k: KubeArgs) => (k.namespace ? `-n ${k.namespace}` : '-A');
const contextFlag = (k: KubeArgs) => (k.context ? ` --context ${k.context}` : '');

/** Credential plugins a kubeconfig commonly names, and how to install each. */
const PLUGIN_INSTALL: Record<string, string> = {
  aws: 'install the AWS CLI v2',
  'aws-iam-authenticator': 'install aws-iam-authenticator',
  'gke-gcloud-auth-plugin': 'run `gcloud components install gke-gcloud-auth-plugin`',
  kubelogin: 'run `az aks install-cli` (it installs kubelogin)',
  'kubectl-oidc_login': 'run `kubectl krew install oidc-login`',
  doctl: 'install doctl',
};

/** A failure to reach the API server, from the text after "Unable to connect to the server:" or a client-go Get error. */
function apiTransport(text: string, k: KubeArgs): FailureVerdict {
  const host =
    /The connection to the server (\S+) was refused/.exec(text)?.[1] ??
    /dial tcp:? (?:lookup )?([^\s:]+(?::\d+)?)/.exec(text)?.[1] ??
    /(?:Get|Post) "https?:\/\/([^/"]+)/.exec(text)?.[1];
  const server = host ? `the API server ${host}` : 'the API server';
  const vpnFix = `Connect the VPN or bastion tunnel for ${where(k)}, check its server with \`kubectl config view --minify${contextFlag(k)}\`, and retry.`;
  const expired = /x509: certificate has expired or is not yet valid:?\s*(current time \S+ is (after|before) \S+)?/.exec(text);
  if (expired) {
    // "is before" means this machine's clock is behind the certificate's start: our fault, not the cluster's.
    if (expired[2] === 'before')
      return unchecked(
        'tls-trust',
        `${server}'s certificate is not valid yet by this machine's clock (${expired[1]})`,
        "Sync this machine's clock (`sudo timedatectl set-ntp true` or `sudo sntp -sS time.apple.com`) and retry.",
      );
    return problem('tls-expired', `${server} presents an expired certificate${expired[1] ? ` (${expired[1]})` : ''}`);
  }
  const validFor = /x509: certificate is valid for (.+?), not (\S+)/.exec(text);
  if (validFor)
    return unchecked(
      'tls-trust',
      `${server}'s certificate does not cover the address in the kubeconfig (valid for ${validFor[1]}, not ${validFor[2]})`,
      `Set the server: of ${where(k)} to a name the certificate covers (re-run your cloud CLI's get-credentials).`,
    );
  if (/x509: certificate signed by unknown authority|tls: failed to verify certificate|certificate is not trusted/.test(text))
    return unchecked(
      'tls-trust',
      `this machine does not trust ${server}'s certificate (x509: signed by unknown authority)`,
      `Refresh certificate-authority-data for ${where(k)} by re-running your cloud CLI's get-credentials, rather than using --insecure-skip-tls-verify.`,
    );
  if (/context deadline exceeded|Client\.Timeout exceeded|TLS handshake timeout|request canceled|net\/http: timeout/.test(text))
    return unchecked('timeout', `${server} did not answer in time from this machine`, vpnFix);
  if (/no such host|server misbehaving|Temporary failure in name resolution/.test(text))
    return unchecked(
      'unreachable',
      `${host ? `the API server name ${host.replace(/:\d+$/, '')}` : 'the API server name'} does not resolve from this machine (VPN or DNS)`,
      vpnFix,
    );
  if (/connection refused|was refused/.test(text))
    return unchecked('unreachable', `${server} refused the connection from this machine`, vpnFix);
  if (/i\/o timeout|no route to host|network is unreachable|host is down/.test(text))
    return unchecked('unreachable', `${server} cannot be reached from this machine (no route; packets dropped)`, vpnFix);
  return unchecked(
    'unreachable',
    `${server} cannot be reached from this machine (${informativeLine(text) ?? 'connection failed'})`,
    vpnFix,
  );
}

/** Errors that come from kubectl or the API before any remote command ran. Undefined when none matches. */
function kubeClientFailure(text: string, ctx: Ctx): FailureVerdict | undefined {
  const k = ctx.kube;
  let m: RegExpExecArray | null;

  // --- the responder's kubeconfig ---------------------------------------------------------------
  if ((m = /error loading config file "([^"]+)": (.+)/.exec(text))) {
    const [, file = '', detail = ''] = m;
    return unchecked(
      'kubeconfig',
      `the kubeconfig ${file} cannot be loaded: ${detail}`,
      /permission denied/.test(detail)
        ? `Make ${file} readable by you (\`sudo chown $USER ${file}\`) or copy it and pass --kubeconfig.`
        : `Fix ${file} at the place the error names, or regenerate it with your cloud CLI's get-credentials.`,
    );
  }
  if ((m = /error: error parsing (\S+?):? (.+)/.exec(text)))
    return unchecked(
      'kubeconfig',
      `the kubeconfig ${m[1]} is not valid YAML: ${m[2]}`,
      `Fix ${m[1]} at the line the error names, or regenerate it.`,
    );
  if (
    (m =
      /(?:error: )?context "([^"]+)" does not exist|no context exists with the name: "([^"]+)"|context was not found for specified context: (\S+)/.exec(
        text,
      ))
  ) {
    const name = m[1] ?? m[2] ?? m[3];
    return unchecked(
      'kubeconfig',
      `the kube context "${name}" is not in your kubeconfig`,
      `Run \`kubectl config get-contexts\` and pass an existing context with --context (or fix the runbook's target).`,
    );
  }
  if ((m = /(?:auth info|cluster) "([^"]+)" does not exist|(?:user|cluster) "([^"]+)" was not found for context "([^"]+)"/.exec(text)))
    return unchecked(
      'kubeconfig',
      `your kubeconfig is incomplete: ${m[0]}`,
      "Regenerate the entry with your cloud CLI's get-credentials, or fix it with `kubectl config set-context`.",
    );
  if (/cluster has no server defined|no server found for cluster/.test(text))
    return unchecked(
      'kubeconfig',
      `your kubeconfig has no server URL for ${where(k)}`,
      'Set it with `kubectl config set-cluster <name> --server=https://…`, or regenerate the kubeconfig.',
    );
  if (
    /no configuration has been provided|Missing or incomplete configuration info|The connection to the server localhost:8080 was refused/.test(
      text,
    )
  )
    // localhost:8080 is where kubectl goes when it found no kubeconfig at all.
    return unchecked(
      'kubeconfig',
      'kubectl found no kubeconfig (KUBECONFIG unset or empty and no ~/.kube/config), so it has no cluster to talk to',
      "Set KUBECONFIG to your cluster's kubeconfig (or fetch one with your cloud CLI's get-credentials) and retry.",
    );
  if ((m = /Config not found: (.+)/.exec(text))) {
    const [, files = ''] = m;
    return unchecked(
      'kubeconfig',
      `the kubeconfig file(s) ${files.trim()} do not exist`,
      'Point KUBECONFIG (or --kubeconfig) at a kubeconfig that exists.',
    );
  }
  if ((m = /stat (\S+): no such file or directory/.exec(text)) && !/exec:|OCI runtime/.test(text))
    return unchecked(
      'kubeconfig',
      `the kubeconfig ${m[1]} does not exist`,
      'Fix the --kubeconfig path (or unset it to use KUBECONFIG / ~/.kube/config).',
    );
  if (/current-context is not set|no context chosen/.test(text))
    return unchecked(
      'kubeconfig',
      'your kubeconfig has no current-context',
      'Pick one with `kubectl config use-context <name>`, or pass --context.',
    );
  if ((m = /unable to read (client-cert|client-key|certificate-authority) (\S+) for (\S+) due to (.+)/.exec(text)))
    return unchecked(
      'kubeconfig',
      `your kubeconfig names a ${m[1]} file that cannot be read: ${m[2]} (${m[4]})`,
      `Restore ${m[2]} or regenerate the kubeconfig entry for ${m[3]}.`,
    );
  if (/Error in configuration:/.test(text))
    return unchecked(
      'kubeconfig',
      `your kubeconfig is invalid: ${textLines(text).slice(1).join('; ') || text.trim()}`,
      'Fix the entries named, or regenerate the kubeconfig.',
    );

  // --- credentials ------------------------------------------------------------------------------
  if ((m = /exec: executable (\S+) not found/.exec(text))) {
    const [, path = ''] = m;
    const plugin = basename(path);
    const how = PLUGIN_INSTALL[plugin] ?? `install ${plugin}`;
    return unchecked(
      'auth',
      `the credential plugin "${plugin}" that your kubeconfig runs is not installed on this machine`,
      `To log in to ${where(k)}, ${how} and make sure it is on PATH.`,
    );
  }
  if ((m = /exec: executable (\S+) failed with exit code (\d+)/.exec(text))) {
    const [, path = '', exitCode] = m;
    return unchecked(
      'auth',
      `the credential plugin "${basename(path)}" failed (exit ${exitCode}): your cloud login has probably expired`,
      'Log in again (`aws sso login`, `gcloud auth login` or `az login`) and retry.',
    );
  }
  if (/exec plugin: invalid apiVersion "client\.authentication\.k8s\.io\/v1alpha1"|exec plugin is configured to use API version/.test(text))
    return unchecked(
      'auth',
      'the credential plugin entry in your kubeconfig uses an apiVersion this kubectl no longer accepts',
      'Regenerate the kubeconfig with an up-to-date cloud CLI (e.g. `aws eks update-kubeconfig --name <cluster>`).',
    );
  if ((m = /The (gcp|azure) auth plugin has been removed|no Auth Provider found for name "(\w+)"/.exec(text)))
    return unchecked(
      'auth',
      `your kubeconfig uses the "${m[1] ?? m[2]}" auth-provider, which kubectl no longer ships`,
      m[1] === 'gcp' || m[2] === 'gcp'
        ? 'Run `gcloud components install gke-gcloud-auth-plugin`, then `gcloud container clusters get-credentials <cluster>`.'
        : 'Install kubelogin (`az aks install-cli`) and run `kubelogin convert-kubeconfig -l azurecli`.',
    );
  if ((m = /getting credentials: (.+)/.exec(text)))
    return unchecked('auth', `kubectl could not get credentials for ${where(k)}: ${m[1]}`, 'Log in again with your cloud CLI and retry.');
  if (
    /You must be logged in to the server|the server has asked for the client to provide credentials|Error from server \(Unauthorized\)|:\s*Unauthorized\s*$/m.test(
      text,
    )
  )
    return unchecked(
      'auth',
      `the Kubernetes API of ${where(k)} rejected your credentials (401 Unauthorized: expired token or certificate)`,
      `Log in again (your SSO login, or re-run your cloud CLI's get-credentials) and check with \`kubectl auth whoami${contextFlag(k)}\`.`,
    );

  // --- RBAC ---------------------------------------------------------------------------------------
  if (
    (m =
      /User "([^"]+)" cannot (\S+) resource "([^"]+)"(?: in API group "([^"]*)")?(?: in the namespace "([^"]+)"| at the cluster scope)?/.exec(
        text,
      ))
  ) {
    const [, user, verb, resource = '', group, namespace] = m;
    const res = group ? `${resource}.${group}` : resource;
    if (user === 'system:anonymous')
      return unchecked(
        'auth',
        `the Kubernetes API of ${where(k)} treated you as system:anonymous: your kubeconfig sent no credentials it accepts`,
        `Log in again and check with \`kubectl auth whoami${contextFlag(k)}\`.`,
      );
    const scope = namespace ? `in namespace ${namespace}` : 'at cluster scope';
    return unchecked(
      'forbidden',
      `RBAC does not let ${user} ${verb} ${res} ${scope}`,
      `Switch to the on-call role or ask for "${verb} ${res}" ${scope} (verify with \`kubectl auth can-i ${verb} ${res}${namespace ? ` -n ${namespace}` : ''}\`).`,
    );
  }
  if ((m = /User "([^"]+)" cannot (\S+) path "([^"]+)"/.exec(text)))
    return m[1] === 'system:anonymous'
      ? unchecked(
          'auth',
          `the API treated you as system:anonymous (no accepted credentials)`,
          `Log in again and check with \`kubectl auth whoami${contextFlag(k)}\`.`,
        )
      : unchecked(
          'forbidden',
          `RBAC does not let ${m[1]} ${m[2]} ${m[3]}`,
          `Switch to the on-call role or ask for a ClusterRole with nonResourceURLs ${m[3]} (verb ${m[2]}).`,
        );

  // --- the kubelet / the container (exec, logs) --------------------------------------------------
  if (/error dialing backend|:10250\/|dial tcp [^\s]+:10250/.test(text)) {
    // The API server could not reach the kubelet: the node is down, partitioned or its kubelet is
    // dead. That is strong evidence about the *node*, but this check was about the pod and it did
    // not run, so it is reported as could-not-check with the node named.
    const node = /(?:dial tcp:? (?:lookup )?|while dialing )([^\s:,]+)/.exec(text)?.[1];
    return unchecked(
      'not-running',
      `the API server could not reach the kubelet on the pod's node${node ? ` (${node})` : ''}: the node may be down or unreachable, so the pod could not be checked`,
      `Check the node with \`kubectl get pods ${k.object ?? '<pod>'} ${k.namespace ? `-n ${k.namespace} ` : ''}-o wide\` and \`kubectl get nodes\`, then check a pod on a Ready node.`,
    );
  }
  // The stream to the pod broke mid-command: whatever ran gave no verdict we could read.
  if (
    /websocket: close 10(?:0[1-9]|1\d)|error reading from error stream|error sending request|use of closed network connection|connection reset by peer|unexpected EOF|stream error: stream ID \d+/.test(
      text,
    ) &&
    /\bexec\b|\bstream\b|websocket|EOF/.test(text)
  )
    return unchecked(
      'unreachable',
      `the connection to the pod${k.object ? ` ${k.object}` : ''} broke while the command ran (${informativeLine(text) ?? 'no message'}), so its answer never arrived`,
      'Run the check again; if it keeps breaking, look at the API server and kubelet (kubectl get --raw /readyz, the node of the pod).',
    );
  if ((m = /cannot exec into a container in a completed pod; current phase is (\w+)/.exec(text)))
    return unchecked(
      'not-running',
      `the pod${k.object ? ` ${k.object}` : ''} has finished (phase ${m[1]}), so nothing could be run in it`,
      `Pick a Running pod with \`kubectl get pods ${nsFlag(k)} --field-selector=status.phase=Running\` and pass it with --var.`,
    );
  if ((m = /pod (\S+) does not have a host assigned/.exec(text)))
    return unchecked(
      'not-running',
      `the pod ${m[1]} is not scheduled yet (Pending), so nothing could be run in it`,
      `See why with \`kubectl describe pod ${m[1]}${k.namespace ? ` -n ${k.namespace}` : ''}\` (its Events), or check another replica.`,
    );
  if ((m = /container "?([^"\s]+)"? in pod "?([^"\s]+)"? is (waiting to start|terminated)(?::\s*(.+))?/.exec(text)))
    return unchecked(
      'not-running',
      `the container ${m[1]} in pod ${m[2]} is not running (${m[3]}${m[4] ? `: ${m[4]}` : ''})`,
      `See why with \`kubectl describe pod ${m[2]}${k.namespace ? ` -n ${k.namespace}` : ''}\`, or check a running replica.`,
    );
  if (
    (m =
      /unable to upgrade connection: container not found \("([^"]+)"\)|(container is not running|container not running|container is in CONTAINER_EXITED state|no running task found|cannot exec in a stopped (?:state|container))/.exec(
        text,
      ))
  ) {
    const container = m[1] ?? k.container;
    const pod = k.object ?? '<pod>';
    const ns = k.namespace ? ` -n ${k.namespace}` : '';
    return unchecked(
      'not-running',
      `the container${container ? ` ${container}` : ''} in pod ${k.object ?? '(the target pod)'} is not running (starting, restarting or crash-looping)`,
      `Check its state with \`kubectl get pod ${pod}${ns}\` and why it stopped with \`kubectl logs ${pod}${ns}${container ? ` -c ${container}` : ''} --previous\`.`,
    );
  }
  if (/unable to upgrade connection: pod does not exist|pod does not exist/.test(text))
    return unchecked(
      'not-running',
      `the pod${k.object ? ` ${k.object}` : ''} went away while the command was starting (it is being replaced)`,
      `List the current pods with \`kubectl get pods ${nsFlag(k)}\` and pass a live one with --var.`,
    );
  // The exec stream could not be set up at all (a proxy that refuses upgrades, a protocol fallback that failed).
  if (
    /unable to upgrade connection|Upgrade request required|error: upgrade request failed|failed to create (?:websocket|spdy) executor/i.test(
      text,
    )
  )
    return unchecked(
      'unreachable',
      `could not open a stream to the pod${k.object ? ` ${k.object}` : ''} (${informativeLine(text) ?? 'the upgrade was refused'}), so nothing ran in it`,
      'Run it again; if it keeps failing, check that kubectl exec works from here at all (a proxy or load balancer in front of the API server may refuse WebSocket/SPDY upgrades).',
    );
  if ((m = /container "?([^"\s]+?)"? is not valid for pod "?([^"\s]+?)"?(?:;? (?:out of|valid names):? \[?([^\]\n]+)\]?)?$/m.exec(text)))
    // kubectl lists the pod's containers: the runbook named a container that this pod does not have.
    return unchecked(
      'not-found',
      `the pod ${m[2]} has no container named ${m[1]}${m[3] ? ` (it has: ${m[3].trim()})` : ''}`,
      `Pass one of the pod's containers with -c${m[3] ? ` (${m[3].trim()})` : ''}.`,
    );
  if ((m = /previous terminated container "([^"]+)" in pod "([^"]+)" not found/.exec(text)))
    return unchecked(
      'not-found',
      `the container ${m[1]} in pod ${m[2]} has no previous instance (it has not restarted)`,
      'Drop --previous and read the current logs.',
    );

  // --- the command is not in the image --------------------------------------------------------------
  if ((m = /exec: "([^"]+)": (?:executable file not found in \$PATH|stat \S+: no such file or directory)/.exec(text))) {
    const [, program = ''] = m;
    return missingTool(basename(program), ctx);
  }

  // --- the runbook named something that is not there -------------------------------------------------
  if ((m = /Error from server \(NotFound\): namespaces "([^"]+)" not found/.exec(text)))
    return unchecked(
      'not-found',
      `the namespace ${m[1]} does not exist in ${where(k)}`,
      `List the namespaces with \`kubectl get ns${contextFlag(k)}\` and pass the right one with --var (or check you are on the right context).`,
    );
  if ((m = /Error from server \(NotFound\): ([\w.-]+(?:\/[\w.-]+)?) "([^"]+)" not found/.exec(text)))
    return unchecked(
      'not-found',
      `there is no ${m[1]} "${m[2]}"${k.namespace ? ` in namespace ${k.namespace}` : ''} (the runbook guessed a name)`,
      `Find the real name with \`kubectl get ${m[1]} ${nsFlag(k)}\` and pass it with --var.`,
    );
  if (/no (?:matching )?resources found/i.test(text))
    return unchecked(
      'not-found',
      `no objects matched${k.namespace ? ` in namespace ${k.namespace}` : ''}: the selector or namespace is wrong, or there are none`,
      `Compare the labels with \`kubectl get pods ${nsFlag(k)} --show-labels\` and fix the selector or namespace with --var.`,
    );
  if ((m = /the server doesn't have a resource type "([^"]+)"/.exec(text)))
    return unchecked(
      'not-found',
      `${where(k)} does not serve the resource type "${m[1]}" (its CRD or API is not installed, or the name is wrong)`,
      `Check \`kubectl api-resources${contextFlag(k)} | grep -i ${m[1]}\` and fix the runbook's resource name.`,
    );
  if (/Metrics API not available/.test(text))
    return unchecked(
      'not-found',
      `${where(k)} has no metrics API (metrics-server is not installed)`,
      'Use `kubectl describe node` / pod resources instead, or install metrics-server.',
    );
  if (/Error from server \(NotFound\): the server could not find the requested resource/.test(text))
    return unchecked(
      'not-found',
      'the API server does not serve that path (client/server version skew or an aggregated API that is not installed)',
      'Compare `kubectl version` with the server and check `kubectl get apiservices`.',
    );

  // --- the API answered that it is broken: evidence about the control plane --------------------------
  if ((m = /etcdserver: ([^\n]+)/.exec(text))) {
    const [, detail = ''] = m;
    return problem('server-error', `the API server's etcd is failing: etcdserver: ${detail.trim()}`);
  }
  if (
    /Error from server \((InternalError|ServiceUnavailable|Timeout|TooManyRequests|InternalServerError|BadGateway|GatewayTimeout)\)|the server is currently unable to handle the request|the server was unable to return a response in the time allotted|Internal error occurred|an error on the server \(.*\) has prevented the request from succeeding/.test(
      text,
    )
  )
    return problem('server-error', `the Kubernetes API answered with an error: ${informativeLine(text) ?? text.trim()}`);

  // --- could not reach the API at all ---------------------------------------------------------------
  if (
    /Unable to connect to the server|The connection to the server .* was refused|couldn't get current server API group list|(?:Get|Post) "https?:\/\/[^"]+": (?:dial tcp|net\/http|context deadline|tls:|x509|EOF)/.test(
      text,
    )
  )
    return apiTransport(text, k);
  return undefined;
}

function missingTool(program: string, ctx: Ctx): FailureVerdict {
  const k = ctx.kube;
  if (ctx.remote || k.subcommand === 'exec')
    return unchecked(
      'tool',
      `"${program}" is not installed in the container image of ${k.object ?? 'the target pod'}${k.container ? ` (container ${k.container})` : ''}, so the check could not run there`,
      `Run it from a debug container with the tool (\`kubectl debug -it ${k.object ?? '<pod>'}${k.namespace ? ` -n ${k.namespace}` : ''} --image=<image with ${program}>\`) or change the runbook to a command the image has.`,
    );
  return unchecked('tool', `"${program}" is not installed on this machine`, `Install ${program} (or put it on PATH) and retry.`);
}

// ---------------------------------------------------------------------------------------------
// curl

const isIpHost = (h: string) => /^\d{1,3}(\.\d{1,3}){3}$/.test(h) || h.startsWith('[') || h.includes(':');
/** Names that resolve only through the cluster's DNS (a Service short name, `x.ns.svc`, `….cluster.local`). */
const isClusterInternal = (h: string) =>
  h !== '' && (/\.svc(\.cluster\.local)?\.?$|\.cluster\.local\.?$/.test(h) || (!h.includes('.') && h !== 'localhost' && !isIpHost(h)));
const isLoopback = (h: string) => h === 'localhost' || h === '127.0.0.1' || h === '[::1]' || h === '::1';

function urlOf(args: string[]): URL | undefined {
  for (const a of args) {
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(a)) continue;
    try {
      return new URL(a);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** What an HTTP status from the server means for the check. */
function httpStatusVerdict(status: number, url: string): FailureVerdict {
  if (status === 401 || status === 407)
    return unchecked(
      'auth',
      `${url} answered ${status}: ${status === 407 ? 'the proxy wants credentials' : 'the check sent no valid credentials'} (our token, not the service)`,
      'Check the token the runbook sends (its secret or --var) and retry.',
    );
  if (status === 403)
    return unchecked(
      'forbidden',
      `${url} answered 403 Forbidden to the check's credentials`,
      'Use credentials allowed to read this endpoint (the on-call token) and retry.',
    );
  if (status === 404 || status === 410)
    // A 404 from a health endpoint is usually a wrong path in the runbook; if the path is right, an
    // ingress that lost its backend also answers 404 — the reason says both.
    return unchecked(
      'not-found',
      `${url} answered ${status}: the path is wrong, or the route to the service is gone`,
      `Check the path with \`curl -i ${url}\` and fix the runbook's URL (or --var).`,
    );
  if ([400, 405, 406, 411, 413, 414, 415, 422].includes(status))
    return unchecked(
      'usage',
      `${url} answered ${status}: the check's request is malformed for this endpoint`,
      'Fix the method, headers or body the runbook sends.',
    );
  if (status === 408 || status === 429 || status >= 500) return problem('http-error', `${url} answered HTTP ${status}`);
  return { kind: 'unknown', reason: `${url} answered HTTP ${status}` };
}

/** TLS verification failures that are about trust on the client side, not the certificate's validity. */
const TLS_TRUST =
  /unable to get local issuer certificate|self[- ]signed certificate|unable to verify the first certificate|unable to get issuer certificate|certificate chain|certificate verify failed|not trusted|unknown ca/i;

function curlFailure(text: string, exitCode: number, args: string[], inPod: boolean): FailureVerdict {
  const code = Number(/curl: \((\d+)\)/.exec(text)?.[1] ?? exitCode);
  const url = urlOf(args);
  const shown = url ? url.href : 'the URL';
  const host =
    /Could not resolve host: (\S+)|Could not resolve:? ([^\s:]+)|Failed to connect to ([^\s:]+)/.exec(text)?.slice(1).find(Boolean) ??
    url?.hostname ??
    '';
  const line = informativeLine(text) ?? `curl exited ${code}`;
  switch (code) {
    case 1:
    case 3:
      return unchecked(
        'bad-url',
        `curl cannot use the URL ${shown}: ${line}`,
        'Fix the URL in the runbook (scheme, host, port) or the --var that fills it.',
      );
    case 2:
    case 4:
      return unchecked('tool', `curl cannot run here: ${line}`, 'Install a full curl build and retry.');
    case 5:
      return unchecked('unreachable', `curl could not resolve its proxy: ${line}`, 'Fix or unset HTTPS_PROXY/HTTP_PROXY and retry.');
    case 6:
      // From inside a pod, a name that does not resolve is the cluster's DNS answering: evidence.
      // From the responder's laptop it is far more often the laptop's DNS or VPN, so it is
      // could-not-check; a cluster-internal name there can never resolve and is the runbook's fault.
      if (inPod)
        return problem('dns', `${host || shown} does not resolve inside the cluster (cluster DNS failing, or the Service is gone)`);
      if (isClusterInternal(host))
        return unchecked(
          'unreachable',
          `${host} is a cluster-internal name, which resolves only inside the cluster`,
          'Run the check through `kubectl exec` in a pod, or `kubectl port-forward` and use localhost.',
        );
      return unchecked(
        'unreachable',
        `${host || shown} does not resolve from this machine (VPN or local DNS; or the record is gone)`,
        `Check the VPN and \`dig +short ${host || '<host>'}\`; if public resolvers (\`dig @1.1.1.1\`) fail too, the DNS record is the problem.`,
      );
    case 7:
      if (inPod) return problem('remote-exit', `nothing accepted a connection to ${host || shown} from inside the cluster: ${line}`);
      if (isLoopback(host))
        return unchecked(
          'unreachable',
          `nothing is listening on ${url?.host ?? host} on this machine`,
          'Start (or restart) the `kubectl port-forward` the check relies on and retry.',
        );
      return unchecked(
        'unreachable',
        `could not connect to ${host || shown} from this machine: ${line}`,
        'Check the VPN, proxy and firewall for this host, then retry.',
      );
    case 28:
      if (inPod) return problem('remote-exit', `${shown} did not answer in time from inside the cluster: ${line}`);
      return unchecked(
        'timeout',
        `${shown} did not answer in time from this machine: ${line}`,
        'Check the VPN, then retry with a longer --max-time if the endpoint is known to be slow.',
      );
    case 35:
    case 60:
    case 77:
    case 83:
      if (/certificate has expired/i.test(text)) return problem('tls-expired', `${url?.host ?? shown} presents an expired TLS certificate`);
      if (/certificate is not yet valid/i.test(text))
        return unchecked(
          'tls-trust',
          `${url?.host ?? shown}'s certificate is not valid yet by ${inPod ? 'the pod' : 'this machine'}'s clock`,
          'Sync the clock (`sudo timedatectl set-ntp true`) and retry.',
        );
      if (code === 77)
        return unchecked(
          'tls-trust',
          `curl could not read its CA certificates: ${line}`,
          'Fix the --cacert path (it must exist and be readable) and retry.',
        );
      if (/no alternative certificate subject name matches|does not match target host name|certificate subject name/i.test(text)) {
        // Calling a service by IP or by an internal name the certificate does not carry is the
        // check's mistake; the public name not matching may be the wrong certificate deployed.
        if (url && (isIpHost(url.hostname) || isClusterInternal(url.hostname)))
          return unchecked(
            'bad-url',
            `${url.hostname} is not a name on the certificate: ${line}`,
            'Call the URL by the name the certificate is issued for (use `curl --resolve name:443:IP`).',
          );
        return {
          kind: 'unknown',
          reason: `the certificate does not name ${url?.hostname ?? 'the host'} (wrong certificate deployed, or the wrong URL): ${line}`,
        };
      }
      if (/wrong version number|packet length too long|unknown protocol/i.test(text))
        return unchecked(
          'bad-url',
          `${shown} does not speak TLS on that port (plain HTTP?): ${line}`,
          'Use http:// or the TLS port in the runbook URL.',
        );
      if (TLS_TRUST.test(text))
        return unchecked(
          'tls-trust',
          `${inPod ? 'the pod' : 'this machine'} does not trust the certificate of ${url?.host ?? shown}: ${line}`,
          'Pass the issuing CA with `--cacert <ca.pem>` (or add it to the trust store) rather than using -k.',
        );
      return { kind: 'unknown', reason: line };
    case 22: {
      const status = Number(/returned error: (\d{3})/.exec(text)?.[1]);
      return Number.isNaN(status) ? { kind: 'unknown', reason: line } : httpStatusVerdict(status, shown);
    }
    case 52:
      return problem('http-error', `${shown} closed the connection without an answer (empty reply)`);
    default:
      return { kind: 'unknown', reason: line };
  }
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL (pg_isready, psql)

function pgIsReadyFailure(exitCode: number, text: string, inPod: boolean): FailureVerdict {
  // pg_isready: 0 accepting, 1 rejecting (starting up / shutting down), 2 no response, 3 no attempt (bad parameters).
  const line = textLines(text).find((l) => / - (rejecting connections|no response|no attempt)/.test(l));
  switch (exitCode) {
    case 1:
      return problem(
        'remote-exit',
        `PostgreSQL is up but rejecting connections (starting up, shutting down or in crash recovery)${line ? `: ${line}` : ''}`,
      );
    case 2:
      if (inPod)
        return problem(
          'remote-exit',
          `PostgreSQL did not respond (not running, or not listening on that host/port)${line ? `: ${line}` : ''}`,
        );
      return unchecked(
        'unreachable',
        `PostgreSQL did not respond to this machine${line ? ` (${line})` : ''}: from here a dead server and a missing tunnel look the same`,
        'Check the `kubectl port-forward` (or VPN) to the database, or run pg_isready through `kubectl exec`.',
      );
    case 3:
      return unchecked(
        'usage',
        `pg_isready made no attempt to connect: its parameters are invalid${line ? ` (${line})` : ''}`,
        'Fix the -h/-p/-d options in the runbook.',
      );
    default:
      return { kind: 'unknown', reason: line ?? `pg_isready exited ${exitCode}` };
  }
}

function psqlFailure(text: string, exitCode: number, inPod: boolean): FailureVerdict {
  let m: RegExpExecArray | null;
  const line = informativeLine(text) ?? `psql exited ${exitCode}`;
  if ((m = /password authentication failed for user "([^"]+)"|no password supplied|role "([^"]+)" does not exist/.exec(text)))
    return unchecked(
      'auth',
      `PostgreSQL rejected the check's login: ${line}`,
      'Fix the user/password the runbook passes (PGUSER/PGPASSWORD or its secret).',
    );
  if (/no pg_hba\.conf entry for host/.test(text))
    return unchecked(
      'forbidden',
      `pg_hba.conf does not allow the check's connection: ${line}`,
      'Connect from an allowed host (run it through `kubectl exec` in the database pod) or use an allowed user.',
    );
  if ((m = /permission denied for (?:table|relation|schema|database|function|sequence|view) (\S+)/.exec(text)))
    return unchecked(
      'forbidden',
      `the check's database user may not read ${m[1]}: ${line}`,
      'Use a database role with read access (e.g. pg_monitor) in the runbook.',
    );
  if ((m = /database "([^"]+)" does not exist/.exec(text)))
    return unchecked('not-found', `the database ${m[1]} does not exist`, 'Fix the database name (-d) the runbook passes.');
  if (/(relation|column|schema) "[^"]+" does not exist|function \S+ does not exist/.test(text))
    return unchecked(
      'not-found',
      `the check's query names something that is not in this database: ${line}`,
      'Fix the query, or connect to the right database with -d.',
    );
  if (/syntax error at or near|unterminated quoted string/.test(text))
    return unchecked('usage', `the check's SQL is invalid: ${line}`, 'Fix the SQL in the runbook.');
  if (/root certificate file .* does not exist|SSL error: certificate verify failed|certificate verify failed/.test(text))
    return unchecked(
      'tls-trust',
      `psql does not trust the server certificate: ${line}`,
      'Point PGSSLROOTCERT at the CA (or use sslmode=require) in the runbook.',
    );
  if (
    /the database system is (starting up|shutting down|in recovery mode|not yet accepting connections|not accepting connections)|too many clients|remaining connection slots are reserved|canceling statement due to|server closed the connection unexpectedly|terminating connection/.test(
      text,
    )
  )
    return problem('remote-exit', `PostgreSQL answered that it is unhealthy: ${line}`);
  if ((m = /could not translate host name "([^"]+)" to address/.exec(text)))
    return inPod
      ? problem('dns', `${m[1]} does not resolve inside the cluster: ${line}`)
      : unchecked(
          'unreachable',
          `${m[1]} does not resolve from this machine: ${line}`,
          'Use the port-forward (localhost) or run psql through `kubectl exec`.',
        );
  if (/Connection refused|No such file or directory|Is the server running|timeout expired|Connection timed out/.test(text))
    return inPod
      ? problem('remote-exit', `PostgreSQL is not accepting connections in the pod: ${line}`)
      : unchecked(
          'unreachable',
          `could not reach PostgreSQL from this machine: ${line}`,
          'Check the `kubectl port-forward` (or VPN) to the database, or run psql through `kubectl exec`.',
        );
  if (/FATAL:/.test(text)) return problem('remote-exit', `PostgreSQL refused the session: ${line}`);
  return inPod ? problem('remote-exit', `psql exited ${exitCode}: ${line}`) : { kind: 'unknown', reason: line };
}

// ---------------------------------------------------------------------------------------------
// A remote command that ran (kubectl exec … -- cmd) or a local program

/** Shell and loader texts for "that program is not there". */
const NOT_FOUND_PROGRAM = [
  /(?:^|\n)(?:\/bin\/)?(?:sh|bash|ash|dash|zsh)(?:: line \d+| \d+)?: (?:\d+: )?([^\s:]+): (?:command )?not found/,
  /env: '?([^'\s:]+)'?: No such file or directory/,
  /exec: "([^"]+)": executable file not found/,
  /(?:can't|cannot) execute binary file|Exec format error/,
];

function programMissing(text: string, exitCode: number): string | undefined {
  for (const re of NOT_FOUND_PROGRAM) {
    const m = re.exec(text);
    if (m) return m[1] ? basename(m[1]) : 'the program';
  }
  if (exitCode === 127) return 'the program';
  return undefined;
}

function pythonFailure(text: string, exitCode: number, name: string, ctx: Ctx): FailureVerdict {
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

function nvidiaFailure(text: string, exitCode: number): FailureVerdict {
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

function programFailure(name: string | undefined, exitCode: number, text: string, args: string[], ctx: Ctx): FailureVerdict {
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

// ---------------------------------------------------------------------------------------------

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
