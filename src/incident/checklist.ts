/**
 * Checklists (§9.1, §9.2 and the SEV2 procedure) as YAML, and their state derived from the
 * timeline: an item is done when a responder ticked it, or when an event that proves the thing was
 * DONE is in the timeline (a Resolved status update, a post-mortem scheduled on a date a person
 * gave, a mitigation that passed its verification). Events that only name or plan something (the
 * channel name on declare, a computed post-mortem due date) prove nothing, and no event of a drill
 * (`run --simulate`) ever ticks an item. An item no event can prove without an integration the
 * tool lacks (creating a Slack channel) stays open until a person ticks it; `record:` says how.
 * A responder's explicit tick or untick always wins; the record says which was which.
 *
 * A checklist file is validated like a runbook: every problem at once (schema and duplicate item
 * ids), in file order, each at its line and field.
 */
import { z } from 'zod';
import { UserError } from '../errors.js';
import { byPosition, formatDiagnostics, type Diagnostic, YamlSource } from '../diagnostics.js';
import { field, isRecord } from '../guards.js';

const Scalar = z.union([z.string(), z.number(), z.boolean()]);

const Matcher = z.strictObject({
  event: z.string().describe('The timeline event type that proves the item.'),
  data: z
    .record(z.string(), z.union([Scalar, z.array(Scalar).min(1)]))
    .optional()
    .describe('Fields the event data must have these values for (a list: any one of them).'),
  not: z
    .record(z.string(), z.union([Scalar, z.array(Scalar).min(1)]))
    .optional()
    .describe('Fields the event data must NOT have these values for (a list: none of them; text compared without case).'),
  has: z.string().optional().describe('A field the event data must have (non-empty).'),
  tag: z.string().optional().describe('For note.added: a tag the note must carry.'),
  runbook: z.string().optional().describe('The event must belong to a (live) run of this runbook.'),
});

/** One way to prove an item: one event, or several events that together prove it (`all:`). */
const Proof = z.union([Matcher, z.strictObject({ all: z.array(Matcher).min(2).describe('Every one of these events is needed.') })]);

export const ChecklistSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  title: z.string(),
  playbook: z.string().optional(),
  severities: z
    .array(z.enum(['SEV1', 'SEV2', 'SEV3', 'SEV4']))
    .optional()
    .describe('Severities whose incidents this checklist applies to (shown by status).'),
  items: z
    .array(
      z.strictObject({
        id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
        text: z.string().min(1),
        auto: z.array(Proof).optional().describe('Events that prove the item was done (any one of them); none: ticked by hand only.'),
        record: z
          .string()
          .min(1)
          .optional()
          .describe('The command that records the proof, shown while the item is open (a hand tick is always offered too).'),
      }),
    )
    .min(1),
});

export type Checklist = z.infer<typeof ChecklistSchema>;
export type ProofMatcher = z.infer<typeof Matcher>;

/** Every field name a checklist may use (for "did you mean"). */
const CHECKLIST_FIELDS = [
  'id',
  'title',
  'playbook',
  'severities',
  'items',
  'text',
  'auto',
  'record',
  'all',
  'event',
  'data',
  'not',
  'has',
  'tag',
  'runbook',
];

/**
 * Items with the same id, read leniently from the file as written: an item with a problem in
 * another field still has its id, so a duplicate is reported next to that problem, not after it.
 */
function duplicateIds(source: YamlSource, value: unknown): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  const items: unknown[] = isRecord(value) && Array.isArray(value.items) ? value.items : [];
  items.forEach((item, i) => {
    const id = field(item, 'id');
    if (typeof id !== 'string') return;
    if (seen.has(id)) out.push(source.diagnosticAt(['items', i, 'id'], `duplicate item id "${id}"`));
    seen.add(id);
  });
  return out;
}

/**
 * Validates a checklist file: every problem at once, in file order, each at its line and field
 * (schema problems and duplicate item ids alike); the checklist only when there is none.
 */
export function parseChecklist(source: YamlSource): { checklist?: Checklist; diagnostics: Diagnostic[] } {
  const value = source.toJS();
  if (source.parseDiagnostics.some((d) => d.severity === 'error')) return { diagnostics: source.parseDiagnostics };
  const parsed = ChecklistSchema.safeParse(value);
  const diagnostics = byPosition([
    ...(parsed.success ? [] : source.schemaDiagnostics(parsed.error.issues, CHECKLIST_FIELDS)),
    ...duplicateIds(source, value),
  ]);
  return parsed.success && !diagnostics.length ? { checklist: parsed.data, diagnostics } : { diagnostics };
}

export function loadChecklist(source: YamlSource): Checklist {
  const { checklist, diagnostics } = parseChecklist(source);
  if (!checklist) throw new UserError(`the checklist ${source.file} has problems:`, 2, formatDiagnostics(diagnostics));
  return checklist;
}

export { ChecklistTracker, checklistState, type ItemState } from './checklist-state.js';
