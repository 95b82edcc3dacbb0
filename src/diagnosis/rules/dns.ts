/**
 * The cluster's networking, judged after the nodes and the database: the network plugin (CNI) or
 * kube-proxy failing on a node explains the failing pods on that node; cluster DNS (CoreDNS) down,
 * or application logs that cannot resolve names, is the DNS cause (sw.dnsCause) that rule 4 gives
 * the applications whose logs say so. The log hits of the failing applications are read here once
 * (sw.hitsByPod) and kept for the later rules.
 */
import { STATE_WORDS, describePod, isProblem } from '../pods.js';
import { evidenceOf, type LogHit } from '../logs.js';
import { addCause, claim, logsOf, podKey, type Sweep } from '../sweep.js';
import type { FailingWorkload } from './workloads.js';

/** The network plugin (CNI) or kube-proxy failing on a node: its pods cannot reach services or be reached. */
export function networkPlugin(sw: Sweep): void {
  const { roles: r, cp, claimed, allPods } = sw;
  // The network plugin (CNI) or kube-proxy failing on a node: its pods cannot reach services or be reached.
  const cniFailing = (allPods.get(r.dns) ?? []).filter(
    (h) =>
      isProblem(h) &&
      !claimed.has(podKey(h)) &&
      /calico|canal|cilium|flannel|weave|antrea|kube-proxy|kube-router/.test(
        `${h.pod} ${h.labels['k8s-app'] ?? ''} ${h.labels['app.kubernetes.io/name'] ?? ''}`,
      ),
  );
  for (const nodeName of new Set(cniFailing.map((h) => h.node ?? '?'))) {
    const mine = cniFailing.filter((h) => (h.node ?? '?') === nodeName);
    const onNode = [...allPods.values()].flat().filter((h) => h.node === nodeName && isProblem(h) && !claimed.has(podKey(h)));
    const c = addCause(sw, {
      id: 'node-network',
      subject: `node/${nodeName}`,
      title: `the network plugin on ${nodeName} is down (${mine.map((h) => `${h.pod} ${STATE_WORDS[h.state]}`).join(', ')}): pods there cannot reach services or be reached`,
      evidence: [...mine.slice(0, 3).map(describePod), ...mine.flatMap((h) => evidenceOf(logsOf(cp, h), 'severe', 1))],
      explains: [],
      runbook: 'platform-outage',
      impact: 'partial',
      facts: { node: nodeName },
    });
    for (const h of [...mine, ...onNode]) claim(sw, podKey(h), c);
  }
}

/** DNS: CoreDNS failing, or pods that cannot resolve names. */
export function clusterDns(sw: Sweep): void {
  const { roles: r, cp, allPods, workloads } = sw;
  const dnsPods = (allPods.get(r.dns) ?? []).filter((h) => /coredns|kube-dns/.test(`${h.pod} ${h.labels['k8s-app'] ?? ''}`));
  const dnsFailing = dnsPods.filter(isProblem);
  const dnsHits: LogHit[] = [];
  const appFailing = [...workloads.values()].flatMap((w) => w.pods.filter((h) => isProblem(h) && h.namespace !== r.dns));
  const hitsByPod = sw.hitsByPod;
  for (const h of appFailing) {
    const hits = logsOf(cp, h);
    hitsByPod.set(podKey(h), hits);
    dnsHits.push(...hits.filter((x) => x.signal === 'dns'));
  }
  if ((dnsPods.length > 0 && dnsFailing.length === dnsPods.length) || dnsHits.length >= 2) {
    const dnsCause = (sw.dnsCause = addCause(sw, {
      id: 'dns-failure',
      subject: `${r.dns}/coredns`,
      title:
        dnsFailing.length === dnsPods.length && dnsPods.length
          ? 'cluster DNS (CoreDNS) is down: services cannot find each other or the database'
          : 'pods cannot resolve service names (cluster DNS failing)',
      evidence: [...dnsFailing.slice(0, 3).map(describePod), ...dnsHits.slice(0, 3).map((x) => `log ${x.source}: ${x.line}`)],
      explains: [],
      runbook: 'platform-outage',
      impact: 'platform',
      facts: {},
    }));
    for (const h of dnsFailing) claim(sw, podKey(h), dnsCause);
  }
}

/** Rule 4c for one workload: its logs fail to resolve names while cluster DNS fails. */
export function dnsClients(sw: Sweep, v: FailingWorkload): boolean {
  const { dnsCause } = sw;
  const { bad, has } = v;
  // 4c. Name resolution.
  if (dnsCause && has('dns')) {
    for (const h of bad) claim(sw, podKey(h), dnsCause);
    return true;
  }
  return false;
}
