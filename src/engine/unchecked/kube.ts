/**
 * Kubernetes clients (kubectl, and the client-go based dapr/helm CLIs): their error texts read as
 * could-not-check (no route to the API server, expired login, missing RBAC, a guessed name, a
 * kubeconfig problem) or as evidence (the API server answering with server errors).
 *
 * Over 400 lines because kubeClientFailure is one ordered catalogue of kubectl/client-go message
 * texts: the first match wins, so the order is part of the meaning and it reads best in one place.
 * Part of the reading of failed commands (../unchecked.ts).
 */
import { type FailureVerdict, problem, unchecked } from './verdict.js';
import { basename, type Ctx, informativeLine, type KubeArgs, textLines } from './command.js';

export function where(k: KubeArgs): string {
  return k.context ? `context "${k.context}"` : 'the current context';
}
export const nsFlag = (k: KubeArgs) => (k.namespace ? `-n ${k.namespace}` : '-A');
export const contextFlag = (k: KubeArgs) => (k.context ? ` --context ${k.context}` : '');

/** Credential plugins a kubeconfig commonly names, and how to install each. */
export const PLUGIN_INSTALL: Record<string, string> = {
  aws: 'install the AWS CLI v2',
  'aws-iam-authenticator': 'install aws-iam-authenticator',
  'gke-gcloud-auth-plugin': 'run `gcloud components install gke-gcloud-auth-plugin`',
  kubelogin: 'run `az aks install-cli` (it installs kubelogin)',
  'kubectl-oidc_login': 'run `kubectl krew install oidc-login`',
  doctl: 'install doctl',
};

/** A failure to reach the API server, from the text after "Unable to connect to the server:" or a client-go Get error. */
export function apiTransport(text: string, k: KubeArgs): FailureVerdict {
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
export function kubeClientFailure(text: string, ctx: Ctx): FailureVerdict | undefined {
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

export function missingTool(program: string, ctx: Ctx): FailureVerdict {
  const k = ctx.kube;
  if (ctx.remote || k.subcommand === 'exec')
    return unchecked(
      'tool',
      `"${program}" is not installed in the container image of ${k.object ?? 'the target pod'}${k.container ? ` (container ${k.container})` : ''}, so the check could not run there`,
      `Run it from a debug container with the tool (\`kubectl debug -it ${k.object ?? '<pod>'}${k.namespace ? ` -n ${k.namespace}` : ''} --image=<image with ${program}>\`) or change the runbook to a command the image has.`,
    );
  return unchecked('tool', `"${program}" is not installed on this machine`, `Install ${program} (or put it on PATH) and retry.`);
}
