/**
 * Before asking a cluster anything: is the responder's own set-up usable? A missing or broken
 * kubeconfig, an unknown context or no credentials is a usage error (exit 2) naming the file and
 * the fix, never an outage: no incident is opened and nothing is recorded. So is an API server
 * that cannot be reached at all from here: from this machine, a VPN that is down and an API
 * server that is down look the same, so the tool says which it cannot tell, and opens nothing.
 */
import { homedir } from 'node:os';
import { connect } from 'node:net';
import { checkKubeconfig } from '../adapters/kubeconfig-check.js';
import { UserError } from '../errors.js';
import type { Context } from './context.js';

/** Connects to the API server's port: undefined when it answers, else why not. */
function reach(server: string, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = new URL(server);
    } catch {
      resolve(undefined); // the kubeconfig check owns malformed URLs
      return;
    }
    const port = Number(url.port || (url.protocol === 'http:' ? 80 : 443));
    const socket = connect({ host: url.hostname.replace(/^\[|\]$/g, ''), port });
    const done = (why: string | undefined) => {
      socket.destroy();
      resolve(why);
    };
    socket.setTimeout(timeoutMs, () => done(`no answer within ${timeoutMs / 1000}s`));
    socket.once('connect', () => done(undefined));
    socket.once('error', (e: NodeJS.ErrnoException) => done(e.code === 'ECONNREFUSED' ? 'connection refused' : (e.code ?? e.message)));
  });
}

export async function preflightCluster(
  ctx: Context,
  name: string,
  target: { kubeconfig?: string; context?: string },
  options: { reachability?: boolean } = {},
): Promise<void> {
  const found: { server?: string } = {};
  const problem = await checkKubeconfig(target, ctx.env, ctx.env.HOME || homedir(), { now: ctx.clock.now(), found });
  if (problem) throw new UserError(`cannot use cluster "${name}": ${problem.problem} (${problem.file})`, 2, [`fix: ${problem.fix}`]);
  if (!options.reachability || !found.server) return;
  const why = await reach(found.server, 5000);
  if (why)
    throw new UserError(`cannot reach the Kubernetes API server of cluster "${name}" at ${found.server}: ${why}`, 2, [
      'From here, your access (VPN, bastion, the server in your kubeconfig) and an outage of the API server look the same, so nothing was judged, opened or recorded.',
      'fix: check your connection to it (kubectl cluster-info); if others cannot reach it either, declare the incident by hand: bud-incident declare --severity SEV1 --title "Kubernetes API unreachable"',
    ]);
}
