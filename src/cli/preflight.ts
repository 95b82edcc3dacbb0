/**
 * Before asking a cluster anything: is the responder's own set-up usable? A missing or broken
 * kubeconfig, an unknown context or no credentials is a usage error (exit 2) naming the file and
 * the fix, never an outage: no incident is opened and nothing is recorded.
 */
import { homedir } from 'node:os';
import { checkKubeconfig } from '../adapters/kubeconfig-check.js';
import { UserError } from '../errors.js';
import type { Context } from './context.js';

export async function preflightCluster(ctx: Context, name: string, target: { kubeconfig?: string; context?: string }): Promise<void> {
  const problem = await checkKubeconfig(target, ctx.env, ctx.env.HOME || homedir());
  if (!problem) return;
  throw new UserError(`cannot use cluster "${name}": ${problem.problem} (${problem.file})`, 2, [`fix: ${problem.fix}`]);
}
