/**
 * Checklist state from the timeline (pure; no parser or schema, so status stays fast).
 *
 * An item is done when a person ticked it (`checklist.item`), or when the events its `auto:` list
 * names are in the record; each done item carries its proof (the events, by type, #seq and time,
 * or the hand tick, by whom and when) so a reader can check it. Events of a drill (a run started
 * with mode 'simulate', and everything recorded under its run id) never prove anything: a
 * rehearsal in a live incident's record did not do the thing. An open item says how to record it.
 */
import { strings, text } from '../timeline/recorded.js';
import { describeEvent } from '../timeline/describe.js';
import type { TimelineEvent } from '../timeline/event.js';
import type { Checklist, ProofMatcher } from './checklist.js';

type ChecklistItem = Checklist['items'][number];

/** One event that (with the others of its proof) shows the item was done. */
export interface ProofEvent {
  type: string;
  seq: number;
  /** When it was written. */
  ts: string;
  /** When it happened, when given (`--at`). */
  at?: string;
  actor: string;
  /** One line: what the event says. */
  what: string;
}

export type Proof = { kind: 'events'; events: ProofEvent[] } | { kind: 'hand'; by: string; at: string; seq: number };

export interface ItemState {
  id: string;
  text: string;
  done: boolean;
  by?: string;
  at?: string;
  /** True when proven by a timeline event rather than ticked by hand. */
  auto: boolean;
  /** What proved it, in short: "#12 status.update" or "#9 ticked by hand". */
  evidence?: string;
  /** What proved it, in full. */
  proof?: Proof;
  /** While open: the commands that record it (the proving command first, a hand tick last). */
  record?: string[];
}

interface RunInfo {
  runbook: string;
  drill: boolean;
}

/** Text is compared trimmed and without case ("Unknown " is "unknown"); other values exactly. */
const same = (actual: unknown, expected: unknown) =>
  typeof actual === 'string' && typeof expected === 'string' ? actual.trim().toLowerCase() === expected.toLowerCase() : actual === expected;

function valueMatches(actual: unknown, expected: unknown): boolean {
  return Array.isArray(expected) ? expected.some((x) => same(actual, x)) : same(actual, expected);
}

function matches(m: ProofMatcher, e: TimelineEvent, run: RunInfo | undefined): boolean {
  if (e.type !== m.event) return false;
  const d = e.data;
  if (m.data && !Object.entries(m.data).every(([k, v]) => valueMatches(d[k], v))) return false;
  if (m.not && Object.entries(m.not).some(([k, v]) => valueMatches(d[k], v))) return false;
  if (m.has && (d[m.has] === undefined || d[m.has] === null || d[m.has] === '')) return false;
  if (m.tag && !strings(d.tags).includes(m.tag)) return false;
  if (m.runbook && run?.runbook !== m.runbook) return false;
  return true;
}

function proofEvent(e: TimelineEvent): ProofEvent {
  const at = typeof e.data.at === 'string' ? e.data.at : undefined;
  const what = describeEvent(e).replace(/\s+/g, ' ');
  return {
    type: e.type,
    seq: e.seq,
    ts: e.ts,
    ...(at ? { at } : {}),
    actor: e.actor,
    what: what.length > 100 ? `${what.slice(0, 99)}…` : what,
  };
}

/** The commands that record an open item: its proving command (if any), then a hand tick. */
export function recordCommands(checklist: Checklist, item: ChecklistItem): string[] {
  return [...(item.record ? [item.record] : []), `bud-incident checklist ${checklist.id} --check ${item.id}`];
}

/** Follows a checklist through a stream of events (one pass, memory bounded by the checklist and the runs). */
export class ChecklistTracker {
  private readonly auto = new Map<string, ItemState>();
  private readonly explicit = new Map<string, ItemState>();
  /** Per item and `all:` proof: the first event matching each of its parts. */
  private readonly partial = new Map<string, Map<number, ProofEvent>>();
  private readonly runs = new Map<string, RunInfo>();
  constructor(readonly checklist: Checklist) {}

  add(e: TimelineEvent): void {
    const checklist = this.checklist;
    const d = e.data;
    if (e.type === 'checklist.item') {
      const itemId = text(d.item);
      if (text(d.checklist) === checklist.id && itemId) {
        const done = d.done !== false;
        const at = text(d.at) || e.ts;
        this.explicit.set(itemId, {
          id: itemId,
          text: '',
          done,
          by: e.actor,
          at,
          auto: false,
          evidence: `#${e.seq} ${done ? 'ticked' : 'unticked'} by hand`,
          ...(done ? { proof: { kind: 'hand' as const, by: e.actor, at, seq: e.seq } } : {}),
        });
      }
      return;
    }
    const runId = typeof d.runId === 'string' ? d.runId : undefined;
    if (e.type === 'run.started' && runId) this.runs.set(runId, { runbook: String(d.runbook), drill: d.mode === 'simulate' });
    const run = runId ? this.runs.get(runId) : undefined;
    // A drill proves nothing, in a drill incident or in a live one.
    if (run?.drill || (e.type === 'run.started' && d.mode === 'simulate')) return;
    for (const item of checklist.items) {
      const auto = item.auto;
      if (this.auto.has(item.id) || !auto) continue;
      let proven: ProofEvent[] | undefined;
      auto.forEach((alt, n) => {
        if (proven) return;
        if (!('all' in alt)) {
          if (matches(alt, e, run)) proven = [proofEvent(e)];
          return;
        }
        const parts = this.partsOf(item.id, n);
        alt.all.forEach((m, k) => {
          if (!parts.has(k) && matches(m, e, run)) parts.set(k, proofEvent(e));
        });
        if (alt.all.every((_, k) => parts.has(k))) proven = [...parts.values()].sort((a, b) => a.seq - b.seq);
      });
      const last = proven?.at(-1);
      if (!proven || !last) continue;
      this.auto.set(item.id, {
        id: item.id,
        text: item.text,
        done: true,
        by: last.actor,
        at: last.at ?? last.ts,
        auto: true,
        evidence: proven.map((p) => `#${p.seq} ${p.type}`).join(' + '),
        proof: { kind: 'events', events: proven },
      });
    }
  }

  /** The parts of an all-of proof seen so far, by matcher index: alternative `alt` of `item`. */
  private partsOf(item: string, alt: number): Map<number, ProofEvent> {
    const key = `${item}#${alt}`;
    let p = this.partial.get(key);
    if (!p) this.partial.set(key, (p = new Map<number, ProofEvent>()));
    return p;
  }

  items(): ItemState[] {
    return this.checklist.items.map((item) => {
      const x = this.explicit.get(item.id);
      const state = x ? { ...x, text: item.text } : (this.auto.get(item.id) ?? { id: item.id, text: item.text, done: false, auto: false });
      return state.done ? state : { ...state, record: recordCommands(this.checklist, item) };
    });
  }
}

/** The checklist's state from the timeline: explicit ticks win; otherwise the first proving event(s). */
export function checklistState(checklist: Checklist, events: Iterable<TimelineEvent>): ItemState[] {
  const tracker = new ChecklistTracker(checklist);
  for (const e of events) tracker.add(e);
  return tracker.items();
}
