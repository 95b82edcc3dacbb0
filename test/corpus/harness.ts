/**
 * Starts everything a corpus case needs on 127.0.0.1: the control-plane cluster's fake API server,
 * the workload cluster's (or a kubeconfig pointing at a closed port when it is 'unreachable'),
 * Keycloak's HTTPS endpoint and the platform API, as the case describes them.
 */
import { FakeKubeServer } from '../support/fake-kube.js';
import { closedPort, startKeycloak, startPlatformApi, type KeycloakServer, type LoopbackServer } from './servers.js';
import type { BuiltCase, CorpusCase } from './types.js';

export const PLATFORM_TOKEN = 'bud-corpus-token';

export interface RunningCase {
  built: BuiltCase;
  now: Date;
  control: FakeKubeServer;
  /** The control-plane kubeconfig (YAML). */
  kubeconfig: string;
  workload?: FakeKubeServer;
  /** The workload kubeconfig (YAML): a live fake server, or a closed port when unreachable. */
  workloadKubeconfig?: string;
  keycloak?: KeycloakServer;
  platformApi?: LoopbackServer;
  platformToken: string;
  stop(): Promise<void>;
}

export function kubeconfigFor(server: string, context = 'fake', token = 'test-token'): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${context}`,
    '  cluster:',
    `    server: ${server}`,
    '    insecure-skip-tls-verify: true',
    'users:',
    `- name: ${context}-user`,
    '  user:',
    `    token: ${token}`,
    'contexts:',
    `- name: ${context}`,
    '  context:',
    `    cluster: ${context}`,
    `    user: ${context}-user`,
    `current-context: ${context}`,
    '',
  ].join('\n');
}

export async function startCase(c: CorpusCase, now = new Date()): Promise<RunningCase> {
  const built = c.build(now);
  const stops: Array<() => Promise<void>> = [];
  try {
    const control = await new FakeKubeServer(built.cluster, { now, ...built.options }).start();
    stops.push(() => control.stop());
    let workload: FakeKubeServer | undefined;
    let workloadKubeconfig: string | undefined;
    if (built.workload === 'unreachable') workloadKubeconfig = kubeconfigFor(`http://127.0.0.1:${await closedPort()}`, 'bud-workload');
    else if (built.workload) {
      const w = await new FakeKubeServer(built.workload, { now }).start();
      stops.push(() => w.stop());
      workload = w;
      workloadKubeconfig = w.kubeconfig({ context: 'bud-workload' });
    }
    let keycloak: KeycloakServer | undefined;
    if (built.keycloak) {
      const k = await startKeycloak({ ...built.keycloak, now });
      stops.push(() => k.stop());
      keycloak = k;
    }
    let platformApi: LoopbackServer | undefined;
    if (built.platformApi) {
      const p = await startPlatformApi({ ...built.platformApi, token: PLATFORM_TOKEN });
      stops.push(() => p.stop());
      platformApi = p;
    }
    return {
      built,
      now,
      control,
      kubeconfig: control.kubeconfig({ context: 'bud-control' }),
      ...(workload ? { workload } : {}),
      ...(workloadKubeconfig ? { workloadKubeconfig } : {}),
      ...(keycloak ? { keycloak } : {}),
      ...(platformApi ? { platformApi } : {}),
      platformToken: PLATFORM_TOKEN,
      stop: async () => {
        await Promise.all(stops.map((s) => s()));
      },
    };
  } catch (e) {
    await Promise.all(stops.map((s) => s()));
    throw e;
  }
}
