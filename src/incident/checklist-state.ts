/** Checklist state from the timeline (pure; no parser or schema, so status stays fast). */
import type { TimelineEvent } from '../timeline/event.js';
import type { Checklist } from './checklist.js';

type Matcher = NonNullable<Checklist['items'][number]['auto']>[number];

export interface ItemState {
  id: string;
  text: string;
  done: boolean;
  by?: string;
  at?: string;
  /** True when proven by a timeline event rather than ticked by hand. */
  auto: boolean;
  /** What proved it: the event's type and sequence number. */
  evidence?: string;
}

function matches(m: Matcher, e: TimelineEvent): boolean {
  if (e.type !== m.event) return false;
  const d = e.data;
  if (m.data && !Object.entries(m.data).every(([k, v]) => d[k] === v)) return false;
  if (m.has && (d[m.has] === undefined || d[m.has] === null || d[m.has] === '')) return false;
  if (m.tag && !(Array.isArray(d.tags) && (d.tags as unknown[]).includes(m.tag))) return false;
  return true;
}

/** Follows a checklist through a stream of events (one pass, memory bounded by the checklist). */
export class ChecklistTracker {
  private readonly auto = new Map<string, ItemState>();
  private readonly explicit = new Map<string, ItemState>();
  constructor(readonly checklist: Checklist) {}

  add(e: TimelineEvent): void {
    const checklist = this.checklist;
    if (e.type === 'checklist.item') {
      const d = e.data as { checklist?: string; item?: string; done?: boolean; at?: string };
      if (d.checklist === checklist.id && d.item)
        this.explicit.set(d.item, {
          id: d.item,
          text: '',
          done: d.done !== false,
          by: e.actor,
          at: d.at ?? e.ts,
          auto: false,
          evidence: `#${e.seq} ticked by hand`,
        });
      return;
    }
    for (const item of checklist.items) {
      if (this.auto.has(item.id) || !item.auto?.some((m) => matches(m, e))) continue;
      const at = typeof (e.data as { at?: unknown }).at === 'string' ? (e.data as { at: string }).at : e.ts;
      this.auto.set(item.id, { id: item.id, text: item.text, done: true, by: e.actor, at, auto: true, evidence: `#${e.seq} ${e.type}` });
    }
  }

  items(): ItemState[] {
    return this.checklist.items.map((item) => {
      const x = this.explicit.get(item.id);
      if (x) return { ...x, text: item.text };
      return this.auto.get(item.id) ?? { id: item.id, text: item.text, done: false, auto: false };
    });
  }
}

/** The checklist's state from the timeline: explicit ticks win; otherwise the first proving event. */
export function checklistState(checklist: Checklist, events: Iterable<TimelineEvent>): ItemState[] {
  const tracker = new ChecklistTracker(checklist);
  for (const e of events) tracker.add(e);
  return tracker.items();
}
