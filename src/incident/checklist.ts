/**
 * Checklists (§9.1, §9.2 and the SEV2 procedure) as YAML, and their state derived from the
 * timeline: an item is done when a responder ticked it, or when an event that proves it is in the
 * timeline (declaring an incident names its channel; the first status update posts the initial
 * status). A responder's explicit tick or untick always wins; the record says which was which.
 */
import { z } from 'zod';
import { UserError } from '../errors.js';
import { formatDiagnostics, type Diagnostic, YamlSource } from '../runbook/diagnostics.js';
import type { TimelineEvent } from '../timeline/event.js';

const Matcher = z.strictObject({
  event: z.string().describe('The timeline event type that proves the item.'),
  data: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
    .optional()
    .describe('Fields the event data must have these values for.'),
  has: z.string().optional().describe('A field the event data must have (non-empty).'),
  tag: z.string().optional().describe('For note.added: a tag the note must carry.'),
});

export const ChecklistSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  title: z.string(),
  playbook: z.string().optional(),
  severities: z
    .array(z.enum(['SEV1', 'SEV2', 'SEV3', 'SEV4']))
    .optional()
    .describe('Severities whose incidents this checklist applies to (shown by status).'),
  items: z
    .array(z.strictObject({ id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/), text: z.string().min(1), auto: z.array(Matcher).optional() }))
    .min(1),
});

export type Checklist = z.infer<typeof ChecklistSchema>;

export function parseChecklist(source: YamlSource): { checklist?: Checklist; diagnostics: Diagnostic[] } {
  const value = source.toJS();
  if (source.parseDiagnostics.some((d) => d.severity === 'error')) return { diagnostics: source.parseDiagnostics };
  const parsed = ChecklistSchema.safeParse(value);
  if (!parsed.success)
    return {
      diagnostics: source.schemaDiagnostics(parsed.error.issues, [
        'id',
        'title',
        'playbook',
        'severities',
        'items',
        'text',
        'auto',
        'event',
        'data',
        'has',
        'tag',
      ]),
    };
  const seen = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  parsed.data.items.forEach((item, i) => {
    if (seen.has(item.id)) diagnostics.push(source.diagnosticAt(['items', i, 'id'], `duplicate item id "${item.id}"`));
    seen.add(item.id);
  });
  return diagnostics.length ? { diagnostics } : { checklist: parsed.data, diagnostics };
}

export function loadChecklist(source: YamlSource): Checklist {
  const { checklist, diagnostics } = parseChecklist(source);
  if (!checklist) throw new UserError(`the checklist ${source.file} has problems:`, 2, formatDiagnostics(diagnostics));
  return checklist;
}

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

function matches(m: z.infer<typeof Matcher>, e: TimelineEvent): boolean {
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
