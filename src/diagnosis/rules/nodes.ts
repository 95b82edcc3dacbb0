/**
 * Rule 2, the nodes: a lost node (NotReady or silent) explains the pods on it and the replacements
 * that cannot be scheduled for its taint; a node whose network is not set up explains its pods; a
 * node under pressure explains the pods it evicted and those that fail for want of what it lacks;
 * pods that do not fit anywhere are a capacity problem; recent evictions matter only while their
 * workload is short of serving pods.
 */
import { describePod, isProblem, workloadOf, type PodHealth } from '../pods.js';
import { evidenceOf } from '../logs.js';
import { eventLine } from '../evidence.js';
import { addCause, claim, eventsFor, logsOf, podKey, type Sweep } from '../sweep.js';

/** Rule 2, in its order: lost nodes, unready networks, pressure, unschedulable pods, past evictions. */
export function nodeRules(sw: Sweep): void {
  lostNodes(sw);
  networkDown(sw);
  pressure(sw);
  unschedulable(sw);
  pastEvictions(sw);
}

/** A lost node explains the failing pods on it. */
function lostNodes(sw: Sweep): void {
  const { now, nodes, allPods, events } = sw;
  for (const n of nodes.filter((x) => x.lost)) {
    const mine = [...allPods.values()].flat().filter((h) => h.node === n.name && isProblem(h));
    const nodeEvents = [...events.values()]
      .flat()
      .filter((e) => (e.kind === 'Node' && e.name === n.name) || /NodeNotReady|TaintManagerEviction/.test(e.reason))
      .slice(0, 3)
      .map((e) => eventLine(e, now));
    const stateful = mine.filter((h) => h.owner?.kind === 'StatefulSet').map((h) => h.pod);
    const allLost = nodes.filter((x) => x.lost).map((x) => x.name);
    const cause = addCause(sw, {
      id: 'node-lost',
      subject: `node/${n.name}`,
      title:
        (n.unknown ? `node ${n.name} stopped reporting` : `node ${n.name} is NotReady (${n.why})`) +
        `: its pods are unreachable; a Deployment's are replaced elsewhere${stateful.length ? `, but ${stateful.join(', ')} (StatefulSet) stay down until the node returns or they are force-deleted` : ''}`,
      evidence: [...n.evidence, ...mine.slice(0, 5).map(describePod), ...nodeEvents],
      explains: [],
      runbook: 'platform-outage',
      impact: 'partial',
      facts: {
        node: n.name,
        nodes: allLost.join(' '),
        reason: n.why || 'Unknown',
        ...(stateful.length ? { statefulPods: stateful.join(' ') } : {}),
      },
    });
    for (const h of mine) claim(sw, podKey(h), cause);
  }
}

/** A node Ready but with NetworkUnavailable explains the failing pods on it. */
function networkDown(sw: Sweep): void {
  const { nodes, allPods } = sw;
  for (const n of nodes.filter((x) => x.networkDown)) {
    const mine = [...allPods.values()].flat().filter((h) => h.node === n.name && isProblem(h));
    const cause = addCause(sw, {
      id: 'node-network',
      subject: `node/${n.name}`,
      title: `node ${n.name} reports Ready but its network is not set up (NetworkUnavailable): its pods cannot reach or be reached`,
      evidence: [...n.evidence, ...mine.slice(0, 5).map(describePod)],
      explains: [],
      runbook: 'platform-outage',
      impact: 'partial',
      facts: { node: n.name },
    });
    for (const h of mine) claim(sw, podKey(h), cause);
  }
}

/** A node under pressure explains the pods it evicted and those on it that starve. */
function pressure(sw: Sweep): void {
  const { cp, claimed, nodes, allPods } = sw;
  for (const n of nodes.filter((x) => x.pressure.length && !x.lost)) {
    const evicted = [...allPods.values()].flat().filter((h) => h.state === 'evicted' && (h.node === n.name || !h.node));
    const cause = addCause(sw, {
      id: 'node-pressure',
      subject: `node/${n.name}`,
      title: `node ${n.name} is under ${n.pressure.join(', ')}: it evicts pods and takes no new ones`,
      evidence: [...n.evidence, ...evicted.slice(0, 4).map(describePod)],
      explains: [],
      runbook: 'sev2-response',
      impact: 'performance',
      facts: { node: n.name, pressure: n.pressure.join(',') },
    });
    for (const h of evicted) claim(sw, podKey(h), cause);
    // Pods on the node that fail for want of what it lacks: memory (OOM) under MemoryPressure,
    // threads or processes under PIDPressure.
    const starved = [...allPods.values()]
      .flat()
      .filter(
        (h) =>
          h.node === n.name &&
          isProblem(h) &&
          !claimed.has(podKey(h)) &&
          ((n.pressure.includes('MemoryPressure') && h.state === 'oom') ||
            logsOf(cp, h).some((x) => x.signal === 'resource-exhaustion' || (n.pressure.includes('MemoryPressure') && x.signal === 'oom'))),
      );
    for (const h of starved) {
      cause.evidence.push(describePod(h), ...evidenceOf(logsOf(cp, h), 'resource-exhaustion', 1));
      claim(sw, podKey(h), cause);
    }
    if (!evicted.length && starved.length)
      cause.title = `node ${n.name} is under ${n.pressure.join(', ')}: the pods on it fail for want of it`;
  }
}

function unschedulable(sw: Sweep): void {
  const { causes, allPods, lostNames } = sw;
  // Pods that cannot be scheduled: explained by a lost node's taint or by lack of room.
  for (const h of [...allPods.values()].flat().filter((x) => x.state === 'unschedulable')) {
    const msg = `${h.detail ?? ''} ${eventsFor(sw, h)
      .filter((e) => e.reason === 'FailedScheduling')
      .map((e) => e.message)
      .join(' ')}`;
    if (/unreachable|not-ready/.test(msg) && lostNames.size) {
      const lost = causes.find((c) => c.id === 'node-lost');
      if (lost) claim(sw, podKey(h), lost);
    } else if (
      /Insufficient (memory|cpu|ephemeral-storage|nvidia)|didn't have free ports|Too many pods|(memory|disk|pid)-pressure/i.test(msg)
    ) {
      const pressureCause =
        causes.find((c) => c.id === 'node-pressure') ??
        addCause(sw, {
          id: 'node-pressure',
          subject: 'cluster/capacity',
          title: 'the cluster has no room for the pods that need scheduling',
          evidence: [],
          explains: [],
          runbook: 'sev2-response',
          impact: 'performance',
          facts: {},
        });
      pressureCause.evidence.push(describePod(h));
      claim(sw, podKey(h), pressureCause);
    }
  }
}

function pastEvictions(sw: Sweep): void {
  const { cp, claimed, allPods } = sw;
  // Recent evictions with no pressured node left (the pressure passed): a problem only while the
  // workload still has fewer pods serving than it wants; otherwise it is history.
  const servingFully = (h: PodHealth): boolean => {
    const name = workloadOf(h);
    const d = cp.namespaces[h.namespace]?.deployments;
    const desired = d?.ok ? d.value.find((x) => x.metadata?.name === name)?.spec?.replicas : undefined;
    if (desired === undefined) return false;
    const serving = (allPods.get(h.namespace) ?? []).filter((x) => workloadOf(x) === name && x.state === 'healthy').length;
    return serving >= desired;
  };
  for (const h of [...allPods.values()].flat().filter((x) => x.state === 'evicted' && !claimed.has(podKey(x)))) {
    if (servingFully(h)) {
      h.state = 'old-eviction';
      continue;
    }
    const c = addCause(sw, {
      id: 'node-pressure',
      subject: `node/${h.node ?? '?'}`,
      title: `pods were evicted from ${h.node ?? 'a node'} for lack of resources`,
      evidence: [describePod(h)],
      explains: [],
      runbook: 'sev2-response',
      impact: 'performance',
      facts: { node: h.node ?? '' },
    });
    claim(sw, podKey(h), c);
  }
}
