/**
 * The workload cluster's model servers: a lost GPU node explains the servers on it; a server that
 * cannot be placed is GPU capacity, not a crash; one that fails is out of GPU memory, on a GPU
 * fault, or crashing, each with whether recreating its pod can help. Also the share of model
 * servers failing (sw.inferenceFailingPct).
 */
import { STATE_WORDS, describePod, isProblem } from '../pods.js';
import { evidenceOf } from '../logs.js';
import { eventsOf, nodeViews } from '../evidence.js';
import { addCause, claim, logsOf, podKey, podsOf, type Sweep } from '../sweep.js';

export function inference(sw: Sweep): void {
  const { snapshot: s, now, settings: st, roles: r, claimed, looked } = sw;
  let inferenceFailingPct: number | undefined;
  if (s.workload) {
    const wc = s.workload;
    const ns = r.workloads;
    const pods = podsOf(sw, wc, ns).filter((h) => h.state !== 'completed' && h.state !== 'old-eviction');
    const wNodes = wc.nodes.ok ? nodeViews(wc.nodes.value, now) : [];
    if (wc.namespaces[ns]?.pods.ok) {
      looked.push(`${pods.length} model-server pods in ${wc.name}/${ns}`);
      const badPods = pods.filter(isProblem);
      inferenceFailingPct = pods.length ? Math.round((badPods.length / pods.length) * 100) : 0;
      for (const n of wNodes.filter((x) => x.lost)) {
        const mine = badPods.filter((h) => h.node === n.name);
        const c = addCause(sw, {
          id: 'node-lost',
          subject: `node/${n.name}`,
          title: `GPU node ${n.name} of ${wc.name} stopped reporting`,
          evidence: [...n.evidence, ...mine.slice(0, 3).map(describePod)],
          explains: mine.map(podKey),
          runbook: 'inference-failures',
          impact: 'inference',
          facts: { node: n.name, cluster: wc.name },
        });
        for (const h of mine) claim(sw, podKey(h), c);
      }
      const wEvents = wc.namespaces[ns]?.events;
      const wEventsOk = wEvents?.ok ? eventsOf(wEvents.value, now, st.eventWindowMs) : [];
      for (const h of badPods.filter((x) => !claimed.has(podKey(x)))) {
        const hits = logsOf(wc, h);
        if (h.state === 'unschedulable') {
          // A model server that cannot be placed: GPU capacity, not a crash (a restart makes another pending pod).
          const msg = `${h.detail ?? ''} ${wEventsOk
            .filter((e) => e.name === h.pod && e.reason === 'FailedScheduling')
            .map((e) => e.message)
            .join(' ')}`;
          const c = addCause(sw, {
            id: 'node-pressure',
            subject: `cluster/${wc.name}`,
            title: /nvidia\.com\/gpu|gpu/i.test(msg)
              ? `no GPU is free for model server ${h.pod} on ${wc.name} (Insufficient nvidia.com/gpu): something else holds the GPUs, or the cluster needs more`
              : `model server ${h.pod} cannot be scheduled on ${wc.name}`,
            evidence: [describePod(h), ...(msg.trim() ? [`scheduler: ${msg.trim().slice(0, 300)}`] : [])],
            explains: [],
            runbook: 'inference-failures',
            impact: 'inference',
            facts: { cluster: wc.name, pod: h.pod },
          });
          claim(sw, podKey(h), c);
          continue;
        }
        const gpu = h.state === 'oom' || hits.some((x) => x.signal === 'gpu-oom');
        // A GPU fault (an illegal memory access, Xid, ECC) is not cleared by recreating the pod; nor is a
        // server that is Ready between restarts helped by being deleted.
        const hardware = hits.some((x) => /illegal memory access|Xid|ECC error|fallen off the bus|uncorrectable/i.test(x.line));
        const restartFixable = !gpu && !hardware && h.state === 'crashloop' && !h.ready;
        const c = addCause(sw, {
          id: gpu ? 'gpu-oom' : 'model-serving-crash',
          subject: `${ns}/${h.pod}`,
          title: gpu
            ? `model server ${h.pod} runs out of GPU memory`
            : hardware
              ? `model server ${h.pod} crashes on a GPU fault (${h.state}): suspect the GPU or its node, not the server`
              : `model server ${h.pod} crashes (${STATE_WORDS[h.state]})`,
          evidence: [describePod(h), ...evidenceOf(hits, gpu ? 'gpu-oom' : 'engine-dead'), ...evidenceOf(hits, 'severe', 2)],
          explains: [],
          runbook: 'inference-failures',
          vars: { vllmPod: h.pod },
          impact: 'inference',
          facts: {
            namespace: ns,
            pod: h.pod,
            cluster: wc.name,
            ...(restartFixable ? { restartFixable: 'yes' } : {}),
            ...(hardware ? { gpuFault: 'yes' } : {}),
          },
        });
        claim(sw, podKey(h), c);
      }
    }
  }
  sw.inferenceFailingPct = inferenceFailingPct;
}
