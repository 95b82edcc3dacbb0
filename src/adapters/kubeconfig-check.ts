/**
 * Is the responder's own Kubernetes set-up broken? Answered from the kubeconfig file(s) alone,
 * before any check runs, so that "your kubeconfig names a context that does not exist" is said
 * once, up front, instead of as twenty failed checks.
 *
 * It reads the files the way kubectl/client-go does (an explicit --kubeconfig, else every file of
 * $KUBECONFIG merged — the first file to set a name or current-context wins — else
 * ~/.kube/config; relative paths resolve against the file that holds them) but does not load
 * @kubernetes/client-node, which costs ~300 ms of start-up: only `yaml`, imported on use.
 *
 * Over 400 lines on purpose: one question (is the responder's own set-up usable?) asked of every way a
 * kubeconfig can be wrong (files, contexts, users, exec plugins, tokens, certificates), each with its fix.
 */
import { editDistance } from '../suggest.js';
import { errorCode, errorMessage } from '../errors.js';
import { isRecord, type Obj } from '../guards.js';
import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

/** What is wrong with the responder's kubeconfig: the file to look at, what is wrong, and how to fix it. */
export interface KubeconfigProblem {
  file: string;
  problem: string;
  fix: string;
}

interface Entry {
  name: string;
  value: Obj;
  /** The file that defined the entry (relative paths inside it resolve against its directory). */
  file: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
/** The first line of a text, trimmed (split always gives at least one piece). */
const firstLineOf = (text: string) => {
  const [first = ''] = text.split('\n');
  return first.trim();
};
const typeName = (v: unknown) => (Array.isArray(v) ? 'list' : v === null ? 'null' : typeof v);

const GET_CREDENTIALS = "regenerate it with your cloud CLI's get-credentials (e.g. `aws eks update-kubeconfig --name <cluster>`)";

/** Reads one file: its text, or why it cannot be read (undefined text with `missing` for ENOENT). */
async function readKubeconfig(file: string): Promise<{ text: string } | { missing: true } | { problem: KubeconfigProblem }> {
  try {
    return { text: await readFile(file, 'utf8') };
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return { missing: true };
    if (code === 'EACCES' || code === 'EPERM')
      return {
        problem: {
          file,
          problem: `the kubeconfig ${file} cannot be read: permission denied`,
          fix: `Make it readable by you: \`sudo chown $USER ${file} && chmod 600 ${file}\`.`,
        },
      };
    if (code === 'EISDIR')
      return {
        problem: {
          file,
          problem: `the kubeconfig path ${file} is a directory, not a file`,
          fix: 'Point KUBECONFIG or --kubeconfig at the kubeconfig file inside it.',
        },
      };
    return {
      problem: {
        file,
        problem: `the kubeconfig ${file} cannot be read: ${error instanceof Error ? error.message : String(error)}`,
        fix: `Check ${file} and its permissions.`,
      },
    };
  }
}

/** The entries of a clusters/contexts/users list, or a problem when the list is malformed. */
function entriesOf(
  doc: Obj,
  key: 'clusters' | 'contexts' | 'users',
  inner: 'cluster' | 'context' | 'user',
  file: string,
): Entry[] | KubeconfigProblem {
  const list = doc[key];
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list))
    return {
      file,
      problem: `\`${key}\` in ${file} is a ${typeName(list)}, not a list, so this is not a valid kubeconfig`,
      fix: `Fix ${file}, or ${GET_CREDENTIALS}.`,
    };
  const out: Entry[] = [];
  const items: unknown[] = list;
  for (const item of items) {
    const name = isRecord(item) ? str(item.name) : undefined;
    if (!isRecord(item) || name === undefined) continue; // client-go rejects unnamed entries too; they can never be selected
    out.push({ name, value: isRecord(item[inner]) ? item[inner] : {}, file });
  }
  return out;
}

const isProblem = (v: unknown): v is KubeconfigProblem => isRecord(v) && typeof v.problem === 'string';

/** The available name closest to what was asked for, if one is close (typo, case, or an EKS ARN ending in it). */
function didYouMean(wanted: string, names: string[]): string | undefined {
  const w = wanted.toLowerCase();
  const contains = names.find(
    (n) =>
      n.toLowerCase().endsWith(`/${w}`) ||
      n.toLowerCase() === w ||
      n.toLowerCase().includes(w) ||
      (n.length >= 3 && w.includes(n.toLowerCase())),
  );
  if (contains) return contains;
  let best: { name: string; d: number } | undefined;
  for (const n of names) {
    const d = editDistance(w, n.toLowerCase());
    if (!best || d < best.d) best = { name: n, d };
  }
  return best && best.d <= Math.max(2, Math.floor(wanted.length / 4)) ? best.name : undefined;
}

const list = (names: string[]) => (names.length > 8 ? `${names.slice(0, 8).join(', ')}, … (${names.length} in all)` : names.join(', '));

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/** Whether a credential plugin's command resolves the way client-go resolves it. */
async function findCommand(command: string, kubeconfigFile: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  // client-go resolves a command containing a path separator against the kubeconfig's directory,
  // and looks any other command up on PATH.
  if (command.includes('/')) return isExecutableFile(path.resolve(path.dirname(kubeconfigFile), command));
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir && (await isExecutableFile(path.join(dir, command)))) return true;
  }
  return false;
}

/** A referenced file (CA, client cert, token file) that cannot be read, resolved against the kubeconfig's directory. */
async function unreadable(ref: string, kubeconfigFile: string): Promise<string | undefined> {
  const full = path.resolve(path.dirname(kubeconfigFile), ref);
  try {
    await access(full, constants.R_OK);
    return undefined;
  } catch (error) {
    return errorCode(error) === 'ENOENT' ? `${full} does not exist` : `${full} cannot be read`;
  }
}

/** The expiry of a JWT bearer token, if it is one and carries `exp`. */
function jwtExpiry(token: string): Date | undefined {
  const payload = token.split('.')[1];
  if (token.split('.').length !== 3 || !payload) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return isRecord(claims) && typeof claims.exp === 'number' ? new Date(claims.exp * 1000) : undefined;
  } catch {
    return undefined;
  }
}

/** Install hints for credential plugins that kubeconfigs commonly name. */
const PLUGIN_INSTALL: Record<string, string> = {
  aws: 'Install the AWS CLI v2 and make sure `aws` is on PATH.',
  'aws-iam-authenticator': 'Install aws-iam-authenticator and put it on PATH.',
  'gke-gcloud-auth-plugin': 'Run `gcloud components install gke-gcloud-auth-plugin` and make sure it is on PATH.',
  kubelogin: 'Run `az aks install-cli` (it installs kubelogin) and make sure it is on PATH.',
  'kubectl-oidc_login': 'Run `kubectl krew install oidc-login` and add ~/.krew/bin to PATH.',
};

async function checkUser(user: Entry, env: NodeJS.ProcessEnv, now: Date): Promise<KubeconfigProblem | undefined> {
  const u = user.value;
  const file = user.file;
  const where = `user "${user.name}" in ${file}`;

  const exec = u.exec;
  if (exec !== undefined && exec !== null) {
    const command = isRecord(exec) ? str(exec.command) : undefined;
    if (!command)
      return { file, problem: `${where} has an exec credential plugin with no command`, fix: `Fix the exec entry, or ${GET_CREDENTIALS}.` };
    const apiVersion = isRecord(exec) ? str(exec.apiVersion) : undefined;
    if (apiVersion === 'client.authentication.k8s.io/v1alpha1')
      return {
        file,
        problem: `${where} uses exec apiVersion client.authentication.k8s.io/v1alpha1, which kubectl 1.24+ rejects`,
        fix: `Update your cloud CLI and ${GET_CREDENTIALS}.`,
      };
    if (!(await findCommand(command, file, env))) {
      const name = path.basename(command);
      const hint = isRecord(exec) ? str(exec.installHint) : undefined;
      return {
        file,
        problem: `${where} gets its credentials by running "${command}", which is not ${command.includes('/') ? 'an executable file' : 'on PATH'}`,
        fix: PLUGIN_INSTALL[name] ?? (hint ? firstLineOf(hint.trim()) : `Install ${name} and make sure it is on PATH.`),
      };
    }
    return undefined;
  }

  const provider = isRecord(u['auth-provider']) ? str(u['auth-provider'].name) : undefined;
  if (provider === 'gcp')
    return {
      file,
      problem: `${where} uses the gcp auth-provider, which kubectl removed in 1.26`,
      fix: 'Run `gcloud components install gke-gcloud-auth-plugin`, then `gcloud container clusters get-credentials <cluster>`.',
    };
  if (provider === 'azure')
    return {
      file,
      problem: `${where} uses the azure auth-provider, which kubectl removed in 1.26`,
      fix: 'Install kubelogin (`az aks install-cli`) and run `kubelogin convert-kubeconfig -l azurecli`.',
    };
  if (provider) return undefined;

  const tokenFile = str(u.tokenFile);
  if (tokenFile) {
    const why = await unreadable(tokenFile, file);
    if (why)
      return {
        file,
        problem: `${where} reads its token from ${tokenFile}, but ${why}`,
        fix: `Restore the token file, or ${GET_CREDENTIALS}.`,
      };
    return undefined;
  }
  const token = str(u.token);
  if (token) {
    const exp = jwtExpiry(token.trim());
    if (exp && exp.getTime() < now.getTime())
      return {
        file,
        problem: `the token of ${where} expired at ${exp.toISOString()}`,
        fix: `Get a fresh token (log in again), or ${GET_CREDENTIALS}.`,
      };
    return undefined;
  }

  const cert = str(u['client-certificate']);
  const certData = str(u['client-certificate-data']);
  const key = str(u['client-key']);
  const keyData = str(u['client-key-data']);
  if (cert || certData || key || keyData) {
    if (!(cert || certData) || !(key || keyData))
      return {
        file,
        problem: `${where} has a client ${cert || certData ? 'certificate but no key' : 'key but no certificate'}`,
        fix: `Add the missing client-${cert || certData ? 'key' : 'certificate'}(-data), or ${GET_CREDENTIALS}.`,
      };
    for (const [field, ref] of [
      ['client-certificate', cert],
      ['client-key', key],
    ] as const) {
      const why = ref ? await unreadable(ref, file) : undefined;
      if (why) return { file, problem: `the ${field} of ${where} cannot be used: ${why}`, fix: `Restore ${ref}, or ${GET_CREDENTIALS}.` };
    }
    return undefined;
  }
  if (str(u.username)) return undefined;

  return {
    file,
    problem: `${where} has no credentials (no token, tokenFile, client certificate, exec plugin, auth-provider or username)`,
    fix: `Add credentials for this user, or ${GET_CREDENTIALS}.`,
  };
}

async function checkCluster(cluster: Entry): Promise<KubeconfigProblem | undefined> {
  const file = cluster.file;
  const where = `cluster "${cluster.name}" in ${file}`;
  const server = str(cluster.value.server);
  if (!server)
    return {
      file,
      problem: `${where} has no server URL`,
      fix: `Set it with \`kubectl config set-cluster ${cluster.name} --server=https://<api-server>\`, or ${GET_CREDENTIALS}.`,
    };
  try {
    // client-go accepts host:port and assumes https.
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(server) ? server : `https://${server}`);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('scheme');
  } catch {
    return {
      file,
      problem: `the server of ${where} is not a valid URL: ${server}`,
      fix: `Fix the server: line of the cluster, or ${GET_CREDENTIALS}.`,
    };
  }
  const ca = str(cluster.value['certificate-authority']);
  if (ca && !str(cluster.value['certificate-authority-data'])) {
    const why = await unreadable(ca, file);
    if (why)
      return {
        file,
        problem: `the certificate-authority of ${where} cannot be used: ${why}`,
        fix: `Restore ${ca}, or ${GET_CREDENTIALS}.`,
      };
  }
  return undefined;
}

/**
 * Checks the responder's kubeconfig for the target without contacting the cluster. Returns the
 * first problem found (in the order kubectl would trip over them), or undefined when the set-up
 * looks usable.
 */
export async function checkKubeconfig(
  target: { kubeconfig?: string; context?: string },
  env: NodeJS.ProcessEnv,
  homeDir: string,
  options: {
    /** The clock's time, against which a token's expiry is judged. */
    now: Date;
    /** Filled with the API server's URL when the set-up is usable. */
    found?: { server?: string };
  },
): Promise<KubeconfigProblem | undefined> {
  // Bundled, the yaml package is CommonJS: a dynamic import gives its exports as `default`.
  const yaml = await import('yaml');
  const parse = typeof yaml.parse === 'function' ? yaml.parse : (yaml as unknown as { default: typeof yaml }).default.parse;

  const defaultFile = path.join(homeDir, '.kube', 'config');
  const fromEnv = (env.KUBECONFIG ?? '').split(path.delimiter).filter((f) => f.trim() !== '');
  const source = target.kubeconfig ? 'flag' : fromEnv.length ? 'env' : 'default';
  const files = target.kubeconfig ? [target.kubeconfig] : fromEnv.length ? [...new Set(fromEnv)] : [defaultFile];
  const described = target.kubeconfig ? target.kubeconfig : source === 'env' ? `$KUBECONFIG (${files.join(path.delimiter)})` : defaultFile;

  const docs: { file: string; doc: Obj }[] = [];
  const missing: string[] = [];
  for (const file of files) {
    const read = await readKubeconfig(file);
    if ('problem' in read) return read.problem;
    if ('missing' in read) {
      // kubectl ignores missing files of $KUBECONFIG but insists on an explicit --kubeconfig.
      if (source === 'flag')
        return {
          file,
          problem: `the kubeconfig ${file} given for this target does not exist`,
          fix: 'Fix the kubeconfig path of the target (or drop it to use $KUBECONFIG / ~/.kube/config).',
        };
      missing.push(file);
      continue;
    }
    let doc: unknown;
    try {
      doc = parse(read.text);
    } catch (error) {
      const first = firstLineOf(errorMessage(error));
      return {
        file,
        problem: `the kubeconfig ${file} is not valid YAML: ${first}`,
        fix: `Fix ${file} at that line, or ${GET_CREDENTIALS}.`,
      };
    }
    if (doc === null || doc === undefined) continue; // an empty file is an empty config to kubectl
    if (!isRecord(doc))
      return {
        file,
        problem: `${file} is not a kubeconfig: its YAML is a ${typeName(doc)}, not a mapping`,
        fix: `Point KUBECONFIG at your kubeconfig, or ${GET_CREDENTIALS}.`,
      };
    const kind = str(doc.kind);
    if (kind && kind !== 'Config')
      return {
        file,
        problem: `${file} is not a kubeconfig: it is a ${kind} manifest`,
        fix: 'Point KUBECONFIG (or --kubeconfig) at your kubeconfig, not at a manifest.',
      };
    if (!['clusters', 'contexts', 'users', 'current-context'].some((k) => k in doc))
      return {
        file,
        problem: `${file} is not a kubeconfig: it has no clusters, contexts, users or current-context`,
        fix: `Point KUBECONFIG (or --kubeconfig) at your kubeconfig, or ${GET_CREDENTIALS}.`,
      };
    docs.push({ file, doc });
  }

  if (docs.length === 0) {
    if (missing.length === files.length)
      return source === 'default'
        ? {
            file: defaultFile,
            problem: `there is no kubeconfig: $KUBECONFIG is not set and ${defaultFile} does not exist`,
            fix: "Fetch one with your cloud CLI's get-credentials (e.g. `aws eks update-kubeconfig --name <cluster>`), or set KUBECONFIG to its path.",
          }
        : {
            file: files.join(path.delimiter),
            problem: `none of the files in $KUBECONFIG exist: ${files.join(', ')}`,
            fix: 'Fix KUBECONFIG to list your kubeconfig file(s) (separated by ":").',
          };
    return {
      file: files.join(path.delimiter),
      problem: `the kubeconfig ${described} is empty`,
      fix: `Point KUBECONFIG at a filled-in kubeconfig, or ${GET_CREDENTIALS}.`,
    };
  }

  // Merge as client-go does: the first file to define a name keeps it; the first file that sets
  // current-context decides it.
  const merged = { clusters: new Map<string, Entry>(), contexts: new Map<string, Entry>(), users: new Map<string, Entry>() };
  let current: { name: string; file: string } | undefined;
  for (const { file, doc } of docs) {
    const cc = str(doc['current-context']);
    if (!current && cc) current = { name: cc, file };
    for (const [key, inner] of [
      ['clusters', 'cluster'],
      ['contexts', 'context'],
      ['users', 'user'],
    ] as const) {
      const entries = entriesOf(doc, key, inner, file);
      if (isProblem(entries)) return entries;
      for (const e of entries) if (!merged[key].has(e.name)) merged[key].set(e.name, e);
    }
  }

  // Problems of the merged view name every file that took part, as $KUBECONFIG lists them.
  const loadedFiles = docs.map((d) => d.file).join(path.delimiter);
  const contextNames = [...merged.contexts.keys()];
  if (contextNames.length === 0)
    return { file: loadedFiles, problem: `${described} defines no contexts`, fix: `Add the cluster's context, or ${GET_CREDENTIALS}.` };

  let context: Entry;
  if (target.context) {
    const found = merged.contexts.get(target.context);
    if (!found) {
      const guess = didYouMean(target.context, contextNames);
      return {
        file: loadedFiles,
        problem: `the context "${target.context}" is not in ${described}; available: ${list(contextNames)}${guess ? ` — did you mean "${guess}"?` : ''}`,
        fix: guess
          ? `Use --context "${guess}" (or fix the target's context), or merge the cluster's kubeconfig into KUBECONFIG.`
          : "Pass one of the available contexts with --context, or fetch the cluster's kubeconfig and add it to KUBECONFIG.",
      };
    }
    context = found;
  } else {
    if (!current)
      return {
        file: loadedFiles,
        problem: `${described} sets no current-context and no context was asked for (available: ${list(contextNames)})`,
        fix: `Run \`kubectl config use-context ${contextNames[0]}\` (or another available context), or pass --context.`,
      };
    const found = merged.contexts.get(current.name);
    if (!found) {
      const guess = didYouMean(current.name, contextNames);
      return {
        file: current.file,
        problem: `current-context "${current.name}" in ${current.file} names a context that does not exist (available: ${list(contextNames)})`,
        fix: `Run \`kubectl config use-context ${guess ?? contextNames[0]}\` (or another available context), or pass --context.`,
      };
    }
    context = found;
  }

  const clusterName = str(context.value.cluster);
  const userName = str(context.value.user);
  const cwhere = `context "${context.name}" in ${context.file}`;
  if (!clusterName)
    return {
      file: context.file,
      problem: `${cwhere} names no cluster`,
      fix: `Set it with \`kubectl config set-context ${context.name} --cluster=<cluster>\`.`,
    };
  const cluster = merged.clusters.get(clusterName);
  if (!cluster)
    return {
      file: context.file,
      problem: `${cwhere} refers to cluster "${clusterName}", which is not defined in ${described}`,
      fix: `Add the cluster entry, or ${GET_CREDENTIALS}.`,
    };
  if (!userName)
    return {
      file: context.file,
      problem: `${cwhere} names no user`,
      fix: `Set it with \`kubectl config set-context ${context.name} --user=<user>\`.`,
    };
  const user = merged.users.get(userName);
  if (!user)
    return {
      file: context.file,
      problem: `${cwhere} refers to user "${userName}", which is not defined in ${described}`,
      fix: `Add the user entry, or ${GET_CREDENTIALS}.`,
    };

  const problem = (await checkCluster(cluster)) ?? (await checkUser(user, env, options.now));
  if (!problem && options.found) {
    const server = str(cluster.value.server) ?? '';
    options.found.server = /^[a-z][a-z0-9+.-]*:\/\//i.test(server) ? server : `https://${server}`;
  }
  return problem;
}
