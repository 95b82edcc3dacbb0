/**
 * The runbook format, as a zod schema. The same schema validates files at load time and is
 * exported as JSON Schema (`schema/runbook.schema.json`) for editors.
 *
 * A runbook is the code form of one playbook section: what it is for, how to recognise the
 * situation (indicators), the values it needs (inputs), the steps (checks, manual actions,
 * prompts, mitigations), the likely causes, the mitigations, and recorded scenarios that replay
 * the checks' outputs for simulation and tests.
 */
import { z } from 'zod';
import { parseDuration } from '../duration.js';
import { CAUSE_IDS } from '../diagnosis/causes.js';

const CauseName = z.enum(CAUSE_IDS, { error: `must be one of the diagnosis causes: ${CAUSE_IDS.join(', ')}` });

const Id = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'must be lower-case letters, digits and dashes, starting with a letter or digit' })
  .max(64);

const Duration = z.union([z.number().int().nonnegative(), z.string()]).refine((v) => parseDuration(v) !== undefined, {
  error: 'must be a duration such as 300ms, 30s, 5m or 1h',
});

const Severity = z.enum(['SEV1', 'SEV2', 'SEV3', 'SEV4']);

/** A value the runbook needs: from --var, a prompt step, the config, or its default. */
export const Input = z.strictObject({
  description: z.string().optional(),
  default: z.string().optional().describe('May use {{config.*}} values, e.g. "{{config.namespaces.system}}".'),
  pattern: z.string().optional().describe('Regular expression the whole value must match.'),
  example: z.string().optional(),
  secret: z.boolean().optional().describe('Never recorded or shown; the value is redacted everywhere.'),
  allowLeadingDash: z.boolean().optional().describe('Values starting with "-" are refused unless set (they could be read as options).'),
  fromDiagnosis: z
    .strictObject({
      causes: z.array(CauseName).min(1),
      fact: z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/),
      within: z.string().optional().describe('Only causes about objects in this namespace, e.g. "{{authNamespace}}".'),
    })
    .optional()
    .describe(
      'Without --var, take the value from a fact of a root cause a diagnosis step named (e.g. the failing pod); asked when several match.',
    ),
});

/** A reference to what to consider next: a mitigation or step of this runbook, or another runbook. */
const NextRef = z.string().regex(/^(mitigation|runbook|step):[a-z0-9][a-z0-9-]*$/, {
  error: 'must be "mitigation:<id>", "runbook:<id>" or "step:<id>"',
});

const Finding = z.strictObject({
  id: Id.describe('Stable id of the finding; scenarios list the findings they must raise by id.'),
  message: z.string().min(1).describe('What was found. May use {{inputs}}, {{lines}} (matching output lines), {{exitCode}}, {{value}}.'),
  cause: Id.optional().describe('The likely cause (an id from causes).'),
  next: z.array(NextRef).optional().describe('What to consider next.'),
});

const JsonExpectation = z.strictObject({
  path: z.string().min(1).describe('Dotted path into the parsed output, e.g. "status" or "items.0.status.phase"; "[]" maps over arrays.'),
  equals: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
  notEquals: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
  oneOf: z.array(z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
  exists: z.boolean().optional(),
});

/** One expectation about a check's result; when it fails, its finding is raised. */
const Expectation = z
  .strictObject({
    exitCode: z.number().int().optional().describe('The command must exit with this code.'),
    matches: z.string().optional().describe('Some line of the output must match this regular expression.'),
    notMatches: z.string().optional().describe('No line of the output may match this regular expression; matching lines become evidence.'),
    json: JsonExpectation.optional().describe('The output parsed as JSON (or JSON lines) must satisfy this.'),
    maxLines: z.number().int().nonnegative().optional().describe('The output may have at most this many non-empty lines.'),
    number: z
      .strictObject({
        match: z.string().describe('Regular expression; its first capture group (or the whole match) is read as a number on each line.'),
        above: z.number().optional().describe('A value above this is a problem.'),
        below: z.number().optional().describe('A value below this is a problem.'),
      })
      .optional()
      .describe('Numbers in the output must stay within bounds (replication lag, restarts, GPU utilisation).'),
    cause: z
      .array(CauseName)
      .min(1)
      .optional()
      .describe(
        'For a diagnosis check: it must not name any of these as a root cause; the cause, its evidence and subject become the finding.',
      ),
    explained: z.boolean().optional().describe('With cause: also match causes that another root cause explains.'),
    stream: z.enum(['stdout', 'stderr', 'both']).optional().describe('Which output to examine (default stdout).'),
    ignoreCase: z.boolean().optional(),
    finding: Finding,
  })
  .refine((e) => [e.exitCode, e.matches, e.notMatches, e.json, e.maxLines, e.number, e.cause].filter((v) => v !== undefined).length === 1, {
    error: 'an expectation needs exactly one of exitCode, matches, notMatches, json, maxLines, number, cause',
  });

/** Run a step only when earlier steps raised (or did not raise) certain findings or causes. */
const When = z
  .strictObject({
    findings: z.array(Id).optional().describe('Run when any of these findings was raised.'),
    causes: z.array(Id).optional().describe('Run when a finding pointing at any of these causes was raised.'),
    noFindings: z.boolean().optional().describe('Run only when no finding has been raised so far.'),
    unlessFindings: z.array(Id).optional().describe('Do not run when any of these findings was raised.'),
    unlessCauses: z.array(Id).optional().describe('Do not run when a finding pointing at any of these causes was raised.'),
  })
  .refine((w) => [w.findings, w.causes, w.noFindings, w.unlessFindings, w.unlessCauses].some((v) => v !== undefined), {
    error: 'needs findings, causes, noFindings, unlessFindings or unlessCauses',
  });

const StepBase = {
  id: Id,
  title: z.string().min(1),
  description: z.string().optional(),
  when: When.optional(),
  /** Consecutive steps with `parallel: true` run concurrently. */
  parallel: z.boolean().optional().describe('Consecutive steps with parallel: true run at the same time.'),
  phase: z.string().optional().describe('Response phase (triage, investigation, mitigation, resolution).'),
};

/** A check that asks the Kubernetes API directly (through @kubernetes/client-node) instead of running kubectl. */
const Native = z.strictObject({
  resource: z
    .enum(['pods', 'events', 'nodes', 'rollout', 'tls', 'clock', 'diagnosis'])
    .describe(
      "diagnosis: a read-only sweep (nodes, pods, events, revisions, logs of failing pods) judged into ranked root causes with evidence; pods: problems of each pod; events: recent warnings; nodes: NotReady/pressure; rollout: a deployment's ReplicaSets and whether the new one fails; tls: the certificate of url (dates); clock: the Date header of url against the local clock.",
    ),
  namespace: z.string().optional(),
  selector: z.string().optional().describe('Label selector for pods, e.g. app=postgresql.'),
  maxRestarts: z.number().int().nonnegative().optional().describe('Restarts above this count are a problem (HighRestarts); default 5.'),
  since: Duration.optional().describe('For events: how far back (default 30m).'),
  deployment: z.string().optional().describe('For rollout: the deployment name.'),
  url: z.string().optional().describe('For tls and clock: the https URL to ask.'),
  warnWithin: Duration.optional().describe('For tls: a certificate expiring within this is a problem (default 14d).'),
  maxSkew: Duration.optional().describe('For clock: a larger difference is a problem (default 60s).'),
  include: z
    .array(z.enum(['workload', 'probes']))
    .optional()
    .describe('For diagnosis: also read the workload cluster (model servers) and/or probe keycloakUrl and the platform API.'),
});

const CheckStep = z.strictObject({
  ...StepBase,
  kind: z.literal('check'),
  run: z
    .string()
    .min(1)
    .optional()
    .describe('The command, as in the playbook; pipelines to grep/head/tail/wc/sort/uniq/jq work without a shell.'),
  readOnly: z
    .string()
    .min(3)
    .optional()
    .describe(
      'Why this command only looks, for a program bud-incident does not know to be read-only (psql with a SELECT inside a pod, a site probe). Shown to the reviewer and at run time; it cannot cover a known change (kubectl delete, curl -X POST).',
    ),
  native: Native.optional().describe(
    'Ask the Kubernetes API directly; the report lists one problem per line (pod, container, reason, time).',
  ),
  cluster: z
    .string()
    .optional()
    .describe('Kube context to use for kubectl: "control-plane" (default) or a workload cluster name, or {{input}}.'),
  timeout: Duration.optional(),
  expect: z.array(Expectation).optional(),
  showOutput: z.string().optional().describe('Why the responder should read the output (printed with it).'),
  evidence: z
    .boolean()
    .optional()
    .describe(
      'The output is evidence: stdout is kept byte for byte (not redacted, not capped) in evidence/ (0600), its SHA-256 in the timeline; only a redacted preview is shown and judged.',
    ),
});

const ManualStep = z.strictObject({
  ...StepBase,
  kind: z.literal('manual'),
  instructions: z.string().min(1),
  record: z.boolean().optional().describe('Ask the responder what they observed and record it.'),
  copy: z.string().optional().describe('Text to show ready to paste (a query, a message).'),
  question: z.string().optional().describe('A yes/no question; a "yes" raises the finding (e.g. "Are the external APIs down?").'),
  finding: Finding.optional(),
});

const PromptStep = z.strictObject({
  ...StepBase,
  kind: z.literal('prompt'),
  input: z.string().describe('The input (declared under inputs) this step asks for.'),
  message: z.string().optional(),
});

const MitigationStep = z.strictObject({
  ...StepBase,
  kind: z.literal('mitigation'),
  mitigation: Id.describe('The mitigation (from mitigations) this step offers.'),
});

export const Step = z.discriminatedUnion('kind', [CheckStep, ManualStep, PromptStep, MitigationStep]);

export const Cause = z.strictObject({
  id: Id,
  title: z.string().min(1),
  description: z.string().optional(),
  runbook: Id.optional().describe('Runbook to follow when this is the cause.'),
  mitigations: z.array(Id).optional(),
});

/** The evidence a mitigation needs before it is offered at all (its precondition). */
const Requires = z
  .strictObject({
    cause: z
      .array(CauseName)
      .min(1)
      .optional()
      .describe('A diagnosis step of this run named one of these as a ROOT cause (not one explained by another).'),
    subject: z
      .string()
      .optional()
      .describe('With cause: the cause is about this object, e.g. "{{namespace}}/{{deployment}}" or "node/{{node}}".'),
    facts: z
      .array(z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/))
      .optional()
      .describe('With cause: facts the cause must carry (e.g. healthyReplica); usable as {{evidence.<fact>}} in run and instructions.'),
    explained: z
      .boolean()
      .optional()
      .describe('With cause: a cause that another root cause explains counts too (a failover fits a primary down for any reason).'),
    finding: z.array(Id).min(1).optional().describe('Or: a finding with one of these ids was raised in this run.'),
  })
  .refine((r) => r.cause !== undefined || r.finding !== undefined, { error: 'requires needs cause or finding' });

export const Mitigation = z
  .strictObject({
    id: Id,
    title: z.string().min(1),
    description: z.string().optional(),
    run: z.string().optional().describe('The command. Shown exactly as it will run, and run only after an explicit yes.'),
    instructions: z.string().optional().describe('For a mitigation done by hand (failover, enabling a circuit breaker).'),
    changesSystem: z
      .boolean()
      .default(true)
      .describe(
        'True (the default) means consent is always required. False is honoured only when the command is read-only by what it runs (kubectl get, curl GET…); otherwise consent is asked anyway.',
      ),
    cluster: z.string().optional(),
    timeout: Duration.optional(),
    verify: z.string().optional().describe('Id of a check step to run again after the mitigation to verify it.'),
    requires: Requires.optional().describe(
      'The evidence this mitigation needs before it is offered. Required for a mitigation that runs a command changing the system.',
    ),
  })
  .refine((m) => m.run !== undefined || m.instructions !== undefined, { error: 'a mitigation needs run or instructions' });

const RecordedOutput = z.strictObject({
  stdout: z.string().optional(),
  stderr: z.string().optional(),
  exitCode: z.number().int().optional(),
  latency: Duration.optional(),
  outcome: z.enum(['exited', 'timeout', 'not-found']).optional().describe('Simulate a hung command or a missing tool.'),
});

export const Scenario = z.strictObject({
  id: Id,
  description: z.string().optional(),
  extends: Id.optional().describe('Start from another scenario of this runbook and override some outputs.'),
  vars: z.record(z.string(), z.string()).optional(),
  outputs: z.record(z.string(), RecordedOutput).optional().describe('Recorded output per check step id (and per mitigation id).'),
  answers: z
    .record(z.string(), z.union([z.string(), z.boolean()]))
    .optional()
    .describe("A drill's recorded responder, per manual step id: what they observed (text) or their answer to its question (true/false)."),
  expectFindings: z.array(Id).describe('The findings this scenario must raise, by id (none for a healthy system).'),
  expectOffered: z
    .array(Id)
    .optional()
    .describe('The mitigations this scenario must offer (proposed), by id; any other one offered fails the test.'),
  expectUnchecked: z.array(Id).optional().describe('The check steps that must end "could not check"; any other one fails the test.'),
});

export const RunbookSchema = z.strictObject({
  $schema: z.string().optional(),
  id: Id,
  title: z.string().min(1),
  summary: z.string().min(1),
  severity: Severity.optional().describe('Suggested severity when this runbook opens an incident.'),
  playbook: z.string().optional().describe('The playbook section this implements, e.g. "§5.1 Platform Outage".'),
  indicators: z.array(z.string()).default([]),
  defaults: z.strictObject({ timeout: Duration.optional() }).optional(),
  inputs: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), Input).default({}),
  steps: z.array(Step).min(1),
  causes: z.array(Cause).default([]),
  mitigations: z.array(Mitigation).default([]),
  scenarios: z.array(Scenario).default([]),
});

export type Runbook = z.infer<typeof RunbookSchema>;
export type RunbookStep = z.infer<typeof Step>;
export type CheckStepDef = z.infer<typeof CheckStep>;
export type NativeSpec = z.infer<typeof Native>;
export type ManualStepDef = z.infer<typeof ManualStep>;
export type PromptStepDef = z.infer<typeof PromptStep>;
export type MitigationStepDef = z.infer<typeof MitigationStep>;
export type RequiresDef = z.infer<typeof Requires>;
export type ExpectationDef = z.infer<typeof Expectation>;
export type FindingDef = z.infer<typeof Finding>;
export type MitigationDef = z.infer<typeof Mitigation>;
export type CauseDef = z.infer<typeof Cause>;
export type ScenarioDef = z.infer<typeof Scenario>;
export type RecordedOutputDef = z.infer<typeof RecordedOutput>;
export type InputDef = z.infer<typeof Input>;
export type SeverityLevel = z.infer<typeof Severity>;

/** Every field name used anywhere in the format, for "did you mean" on unknown keys. */
export const RUNBOOK_FIELD_NAMES = [
  ...new Set([
    ...Object.keys(RunbookSchema.shape),
    ...Object.keys(Input.shape),
    ...Object.keys(Finding.shape),
    ...Object.keys(JsonExpectation.shape),
    'exitCode',
    'matches',
    'notMatches',
    'json',
    'maxLines',
    'stream',
    'ignoreCase',
    'finding',
    'findings',
    'cause',
    'explained',
    'requires',
    'subject',
    'facts',
    'include',
    'fromDiagnosis',
    'expectOffered',
    'expectUnchecked',
    'fact',
    'causes',
    'noFindings',
    'unlessFindings',
    'unlessCauses',
    ...Object.keys(StepBase),
    'kind',
    'run',
    'cluster',
    'timeout',
    'expect',
    'showOutput',
    'evidence',
    'instructions',
    'record',
    'copy',
    'input',
    'message',
    'mitigation',
    ...Object.keys(Cause.shape),
    'changesSystem',
    'readOnly',
    'verify',
    ...Object.keys(RecordedOutput.shape),
    ...Object.keys(Scenario.shape),
  ]),
];
