/**
 * Checklists (§9.1, §9.2 and the SEV2 procedure) as YAML, and their state derived from the
 * timeline: an item is done when a responder ticked it, or when an event that proves the thing was
 * DONE is in the timeline (a Resolved status update, a post-mortem scheduled on a date a person
 * gave, a mitigation that passed its verification). Events that only name or plan something (the
 * channel name on declare, a computed post-mortem due date) prove nothing, and no event of a drill
 * (`run --simulate`) ever ticks an item. An item no event can prove without an integration the
 * tool lacks (creating a Slack channel) stays open until a person ticks it; `record:` says how.
 * A responder's explicit tick or untick always wins; the record says which was which.
 */
import { z } from 'zod';
import { UserError } from '../errors.js';
import { formatDiagnostics, type Diagnostic, YamlSource } from '../runbook/diagnostics.js';

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
        'record',
        'all',
        'event',
        'data',
        'not',
        'has',
        'tag',
        'runbook',
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

export { ChecklistTracker, checklistState, type ItemState } from './checklist-state.js';
