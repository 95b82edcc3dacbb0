/**
 * The policy: the playbook's tables (severities, criteria, phases, roles, escalation, channels,
 * post-mortem schedule, message templates) as a validated YAML file. Loaded with the same
 * file:line:col diagnostics as runbooks. A --runbooks-dir with a policy/policy.yaml overrides the
 * shipped one.
 */
import { z } from 'zod';
import { parseDuration } from '../duration.js';
import { UserError } from '../errors.js';
import { formatDiagnostics, YamlSource, type Diagnostic } from '../runbook/diagnostics.js';
import { readSourceFile } from '../runbook/catalog.js';

const Duration = z
  .union([z.number().int().nonnegative(), z.string()])
  .refine((v) => parseDuration(v) !== undefined, { error: 'must be a duration such as 15m, 4h or 7d' });
export const SEVERITIES = ['SEV1', 'SEV2', 'SEV3', 'SEV4'] as const;
const Severity = z.enum(SEVERITIES);

const Level = z.strictObject({
  name: z.string(),
  definition: z.string(),
  responseTime: Duration,
  updateEvery: Duration.optional(),
  examples: z.array(z.string()).default([]),
  criteria: z.array(z.string()).default([]),
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

export const PolicySchema = z.strictObject({
  severities: z.strictObject({ SEV1: Level, SEV2: Level, SEV3: Level, SEV4: Level }),
  phases: z.array(z.strictObject({ id: z.string(), title: z.string() })).min(1),
  roles: z.record(z.string().regex(/^[a-z][a-z-]*$/), z.strictObject({ title: z.string(), responsibility: z.string() })),
  escalation: z
    .array(z.strictObject({ level: z.string(), who: z.string(), contact: z.string(), triggers: z.array(Trigger).min(1) }))
    .min(1),
  channels: z.record(z.string(), z.strictObject({ name: z.string(), purpose: z.string(), audience: z.string() })),
  postmortem: z.strictObject({
    SEV1: z.strictObject({ required: z.boolean(), within: Duration.optional() }),
    SEV2: z.strictObject({ required: z.boolean(), within: Duration.optional() }),
    SEV3: z.strictObject({ required: z.boolean(), within: Duration.optional() }),
    SEV4: z.strictObject({ required: z.boolean(), within: Duration.optional() }),
  }),
  templates: z.strictObject({ declared: z.string(), statusUpdate: z.string() }),
});

export type Policy = z.infer<typeof PolicySchema>;
export type SeverityId = (typeof SEVERITIES)[number];

export function parsePolicy(source: YamlSource): { policy?: Policy; diagnostics: Diagnostic[] } {
  const value = source.toJS();
  if (source.parseDiagnostics.some((d) => d.severity === 'error')) return { diagnostics: source.parseDiagnostics };
  const parsed = PolicySchema.safeParse(value);
  if (!parsed.success) {
    const fields = [
      'severities',
      'phases',
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
      'level',
      'who',
      'contact',
      'triggers',
      'severities',
      'after',
      'dataBreach',
      'majorIncident',
      'required',
      'within',
      'declared',
      'statusUpdate',
      'title',
      'responsibility',
      'purpose',
      'audience',
    ];
    return { diagnostics: source.schemaDiagnostics(parsed.error.issues, fields) };
  }
  const diagnostics: Diagnostic[] = [];
  for (const required of ['commander', 'comms', 'tech-lead', 'scribe']) {
    if (!parsed.data.roles[required])
      diagnostics.push(source.diagnosticAt(['roles'], `the role "${required}" is required (the CLI assigns it)`));
  }
  if (!parsed.data.channels.incident)
    diagnostics.push(source.diagnosticAt(['channels'], 'a channel named "incident" (the per-incident channel pattern) is required'));
  return diagnostics.length ? { diagnostics } : { policy: parsed.data, diagnostics };
}

export { policyFile } from './policy-file.js';

export function loadPolicy(file: string): Policy {
  const { policy, diagnostics } = parsePolicy(readSourceFile(file));
  if (!policy) throw new UserError(`the policy file ${file} has problems:`, 2, formatDiagnostics(diagnostics));
  return policy;
}
