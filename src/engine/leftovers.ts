/**
 * Before `run --resume` re-runs the steps of an interrupted run: are that run's commands gone?
 * After a `kill -9` of the CLI nothing ended them, and a check's process group (or a mitigation's
 * `kubectl apply`) may still be running; starting the step again would run it twice (for a
 * mitigation, a double apply). Two records find them: the `step.process` events (pid, group,
 * start time in this boot: a reused pid is not mistaken for ours) and the environment tag every
 * command of the run carries (proctree.ts: finds children that left the group, e.g. with setsid).
 */
import { findProcesses, stillRunning, processInfo, processTag, type ProcessInfo } from '../adapters/proctree.js';
import type { TimelineEvent } from '../timeline/event.js';
import { stringField } from '../guards.js';

export interface LiveProcess extends ProcessInfo {
  /** The step that started it, when the record says. */
  stepId?: string;
}

/** Processes of run `runId` that are still alive, from its recorded events and its tag. */
export function liveProcessesOfRun(events: Iterable<TimelineEvent>, runId: string): LiveProcess[] {
  const found = new Map<number, LiveProcess>();
  const add = (p: ProcessInfo, stepId?: string) => {
    if (!found.has(p.pid)) found.set(p.pid, { ...p, ...(stepId ? { stepId } : {}) });
  };
  for (const e of events) {
    if (e.type !== 'step.process') continue;
    // Read field by field: the timeline on disk may be older, or edited by hand.
    const { pid, pgid, startTime } = e.data;
    const stepId = stringField(e.data, 'stepId');
    if (e.data.runId !== runId || typeof pid !== 'number') continue;
    if (typeof startTime === 'number') {
      const p = stillRunning(pid, startTime, stringField(e.data, 'bootId'));
      if (p) add(p, stepId);
    }
    // The group outlives its leader. Its id cannot be reused while a member lives, so members
    // are ours, unless the leader's pid now belongs to another process (the group died before).
    if (typeof pgid === 'number') {
      const leader = processInfo(pgid);
      const reused = leader && typeof startTime === 'number' && pgid === pid && leader.startTime !== startTime;
      if (!reused) for (const p of findProcesses({ groups: [pgid] })) add(p, stepId);
    }
  }
  for (const p of findProcesses({ tag: processTag(runId, ''), prefix: true })) add(p);
  return [...found.values()].sort((a, b) => a.pid - b.pid);
}

/** What the responder is told when the resume must wait: each process, and how to end them. */
export function describeLiveProcesses(runId: string, live: LiveProcess[]): string {
  const groups = [...new Set(live.map((p) => p.pgid))];
  return [
    `the interrupted run ${runId} still has ${live.length} process(es) running; running its steps again could do them twice (for a mitigation, apply it twice):`,
    ...live.map((p) => `  pid ${p.pid} (group ${p.pgid}${p.stepId ? `, step ${p.stepId}` : ''}): ${p.command}`),
    `Let them finish, or end them (each whole group): kill -TERM -- ${groups.map((g) => `-${g}`).join(' ')}; then resume again.`,
  ].join('\n');
}
