/**
 * Checklists (§9.1, §9.2 and the SEV2 procedure) as YAML, and their state derived from the
 * timeline: an item is done when a responder ticked it, or when an event that proves it is in the
 * timeline (declaring an incident names its channel; the first status update posts the initial
 * status). A responder's explicit tick or untick always wins; the record says which was which.
 */
import { z } from 'zod';
import { UserError } from '../errors.js';
import { formatDiagnostics, type Diagnostic, YamlSource } from '../runbook/diagnostics.js';

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

export { ChecklistTracker, checklistState, type ItemState } from './checklist-state.js';
