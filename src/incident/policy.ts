/**
 * The policy: the playbook's tables (severities, criteria, phases, roles, escalation, channels,
 * post-mortem schedule, message templates) as a validated YAML file. Loaded with the same
 * file:line:col diagnostics as runbooks, every problem at once: each checked section is also read
 * on its own, so a broken section hides nothing about the others. A --runbooks-dir with a
 * policy/policy.yaml overrides the shipped one.
 */
import { z } from 'zod';
import { parseDuration } from '../duration.js';
import { UserError } from '../errors.js';
import { byPosition, formatDiagnostics, YamlSource, type Diagnostic } from '../diagnostics.js';
import { isRecord } from '../guards.js';
import { readSourceFile } from '../runbook/catalog.js';
import { parseItem } from '../runbook/load-parts.js';
import { templateNames } from '../runbook/template.js';
import { suggest } from '../suggest.js';
import { ANSWER_NAMES, ANSWERS, isAnswerName, SEVERITIES } from './criteria.js';

export { ANSWERS, SEVERITIES, type AnswerName, type SeverityId } from './criteria.js';

const Duration = z
  .union([z.number().int().nonnegative(), z.string()])
  .refine((v) => parseDuration(v) !== undefined, { error: 'must be a duration such as 15m, 4h or 7d' });
const Severity = z.enum(SEVERITIES);

const Range = z.strictObject({ above: z.number().optional(), below: z.number().optional(), atLeast: z.number().optional() });
/**
 * When a criterion holds: a yes/no answer's name; `{ users: single }` for a choice;
 * `{ inferenceFailingPct: { above: 50 } }` for a percentage; or `otherwise` (no higher criterion met).
 */
const When = z.union([z.string(), z.record(z.string(), z.union([z.string(), Range]))]).superRefine((w, ctx) => {
  const bad = (message: string) => ctx.addIssue({ code: 'custom', message });
  const known = `known answers: ${ANSWER_NAMES.join(', ')}`;
  if (typeof w === 'string') {
    if (w === 'otherwise') return;
    const a = isAnswerName(w) ? ANSWERS[w] : undefined;
    if (!a) bad(`"${w}" is not an answer classify asks (${known}, or otherwise)`);
    else if (a.kind !== 'yes/no')
      bad(`"${w}" is not a yes/no answer: write { ${w}: ${a.kind === 'choice' ? a.values[0] : '{ above: N }'} }`);
    return;
  }
  const entries = Object.entries(w);
  const [entry] = entries;
  if (entries.length !== 1 || !entry) {
    bad('name exactly one answer');
    return;
  }
  const [name, test] = entry;
  const a = isAnswerName(name) ? ANSWERS[name] : undefined;
  if (!a) {
    bad(`"${name}" is not an answer classify asks (${known})`);
    return;
  }
  if (a.kind === 'choice' && !a.values.some((v) => v === test)) bad(`${name} is one of ${a.values.join(', ')}`);
  if (a.kind === 'percent' && typeof test === 'string') bad(`${name} is a percentage: write { above: N }, { below: N } or { atLeast: N }`);
  if (a.kind === 'yes/no') bad(`${name} is a yes/no answer: write just "${name}"`);
});
const Criterion = z.union([
  z.string().describe('Shown, not asked: the responder judges it.'),
  z.strictObject({ text: z.string(), when: When }),
]);
export type CriterionRule = z.infer<typeof Criterion>;

const Level = z.strictObject({
  name: z.string(),
  definition: z.string(),
  responseTime: Duration,
  updateEvery: Duration.optional(),
  examples: z.array(z.string()).default([]),
  criteria: z.array(Criterion).default([]),
});

const Trigger = z
  .strictObject({
    severities: z.array(Severity).optional(),
    after: Duration.optional(),
    dataBreach: z.boolean().optional(),
    majorIncident: z.boolean().optional(),
  })
  .refine((t) => t.severities !== undefined || t.dataBreach !== undefined || t.majorIncident !== undefined, {
    error: 'a trigger needs severities, dataBreach or majorIncident',
  });

/** §8.2: "Yes", "Optional" or "No" (true, optional, false). */
const PostmortemRule = z.strictObject({ required: z.union([z.boolean(), z.literal('optional')]), within: Duration.optional() });

/** §2.1's phases, by the ids the CLI derives from the record (decisions.ts phaseOf); the policy names them. */
export const PHASES = ['detection', 'triage', 'investigation', 'mitigation', 'resolution', 'post-mortem'] as const;
export type PhaseId = (typeof PHASES)[number];

/** §2.1 Detection: how an incident can be detected (`declare --detected-by ID`). */
export const DEFAULT_DETECTION = { alert: 'Monitoring alert', 'user-report': 'User report', internal: 'Internal discovery' };

export const PolicySchema = z.strictObject({
  severities: z.strictObject({ SEV1: Level, SEV2: Level, SEV3: Level, SEV4: Level }),
  phases: z
    .array(
      z.strictObject({
        id: z.enum(PHASES),
        title: z.string(),
        /** The playbook's bullets for the phase (§2.1), shown by `status` for the phase the incident is in. */
        does: z.array(z.string()).default([]),
      }),
    )
    .min(1),
  detection: z.record(z.string().regex(/^[a-z][a-z-]*$/), z.string()).default(DEFAULT_DETECTION),
  roles: z.record(z.string().regex(/^[a-z][a-z-]*$/), z.strictObject({ title: z.string(), responsibility: z.string() })),
  escalation: z
    .array(z.strictObject({ level: z.string(), who: z.string(), contact: z.string(), triggers: z.array(Trigger).min(1) }))
    .min(1),
  channels: z.record(z.string(), z.strictObject({ name: z.string(), purpose: z.string(), audience: z.string() })),
  postmortem: z.strictObject({
    SEV1: PostmortemRule,
    SEV2: PostmortemRule,
    SEV3: PostmortemRule,
    SEV4: PostmortemRule,
  }),
  templates: z.strictObject({ declared: z.string(), statusUpdate: z.string() }),
  /**
   * The update cadences (each severity's updateEvery) and how late counts as late are not in the
   * playbook: `source: default` says they are ours, and the post-mortem words lateness so.
   */
  updates: z
    .strictObject({
      source: z.enum(['default', 'policy']).describe('default: our default, not the playbook; policy: the organisation adopted it'),
      grace: Duration.describe('How late an update or escalation may be before it counts as late'),
    })
    .optional(),
});

export type Policy = z.infer<typeof PolicySchema>;

/** The values each message template may use (filled by declaredMessage and statusUpdateMessage). */
export const TEMPLATE_VALUES = {
  declared: ['severity', 'summary', 'impact', 'commander', 'techLead', 'title', 'channel'],
  statusUpdate: ['severity', 'time', 'status', 'impact', 'affected', 'findings', 'actions', 'nextUpdate', 'title'],
} as const satisfies Record<keyof Policy['templates'], readonly string[]>;

/** Every field name the policy may use (for "did you mean"). */
const POLICY_FIELDS = [
  'severities',
  'phases',
  'does',
  'detection',
  'roles',
  'escalation',
  'channels',
  'postmortem',
  'templates',
  'name',
  'definition',
  'responseTime',
  'updateEvery',
  'examples',
  'criteria',
  'text',
  'when',
  'level',
  'who',
  'contact',
  'triggers',
  'after',
  'dataBreach',
  'majorIncident',
  'required',
  'within',
  'declared',
  'statusUpdate',
  'updates',
  'source',
  'grace',
  'title',
  'responsibility',
  'purpose',
  'audience',
];

/** The sections the meaning checks read, each present only when it is well-formed on its own. */
type CheckedSections = Partial<Pick<Policy, 'roles' | 'phases' | 'templates' | 'channels'>>;

/**
 * Each checked section read on its own (an unknown key aside, as for a runbook's items), so a
 * broken `escalation:` does not stop the checks of `templates:`.
 */
function wellFormedSections(value: unknown): CheckedSections {
  const raw = isRecord(value) ? value : {};
  const { shape } = PolicySchema;
  return {
    roles: parseItem(shape.roles, raw.roles),
    phases: parseItem(shape.phases, raw.phases),
    templates: parseItem(shape.templates, raw.templates),
    channels: parseItem(shape.channels, raw.channels),
  };
}

/** The meaning checks, on the sections that parsed (one that did not has its schema problems already). */
function meaningChecks(source: YamlSource, { roles, phases, templates, channels }: CheckedSections): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  if (roles)
    for (const required of ['commander', 'comms', 'tech-lead', 'scribe'])
      if (!roles[required]) diagnostics.push(source.diagnosticAt(['roles'], `the role "${required}" is required (the CLI assigns it)`));
  if (phases)
    for (const phase of PHASES)
      if (!phases.some((p) => p.id === phase))
        diagnostics.push(source.diagnosticAt(['phases'], `the phase "${phase}" is required (status names the phase an incident is in)`));
  if (templates)
    for (const [key, names] of Object.entries(TEMPLATE_VALUES) as Array<[keyof Policy['templates'], readonly string[]]>)
      for (const name of new Set(templateNames(templates[key])))
        if (!names.includes(name))
          diagnostics.push(
            source.diagnosticInValue(
              ['templates', key],
              `{{${name}}}`,
              `{{${name}}} is not a value the CLI fills in this message${suggest(name, names)}: it would be posted raw; use ${names.map((n) => `{{${n}}}`).join(', ')}`,
            ),
          );
  if (channels && !channels.incident)
    diagnostics.push(source.diagnosticAt(['channels'], 'a channel named "incident" (the per-incident channel pattern) is required'));
  return diagnostics;
}

/**
 * Validates the policy file: every problem at once, in file order, each at its line and field —
 * schema problems in every section, and the meaning checks of each section that parsed. The
 * policy only when there is none.
 */
export function parsePolicy(source: YamlSource): { policy?: Policy; diagnostics: Diagnostic[] } {
  const value = source.toJS();
  if (source.parseDiagnostics.some((d) => d.severity === 'error')) return { diagnostics: source.parseDiagnostics };
  const parsed = PolicySchema.safeParse(value);
  const diagnostics = byPosition([
    ...(parsed.success ? [] : source.schemaDiagnostics(parsed.error.issues, POLICY_FIELDS)),
    ...meaningChecks(source, parsed.success ? parsed.data : wellFormedSections(value)),
  ]);
  return parsed.success && !diagnostics.length ? { policy: parsed.data, diagnostics } : { diagnostics };
}

export { policyFile } from './policy-file.js';

export function loadPolicy(file: string): Policy {
  const { policy, diagnostics } = parsePolicy(readSourceFile(file));
  if (!policy) throw new UserError(`the policy file ${file} has problems:`, 2, formatDiagnostics(diagnostics));
  return policy;
}
