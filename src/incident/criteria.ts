/**
 * The severities and the questions `classify` asks, as plain data with no schema library: the
 * incident commands read them on their fast path (the policy itself comes from the document
 * cache), and policy.ts validates each criterion's `when` against them.
 */
export const SEVERITIES = ['SEV1', 'SEV2', 'SEV3', 'SEV4'] as const;
export type SeverityId = (typeof SEVERITIES)[number];

export function isSeverity(value: unknown): value is SeverityId {
  return typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value);
}

/** `sev1`, `SEV1` → `SEV1`; anything else is undefined (callers say what was wrong, and where). */
export function parseSeverity(value: string): SeverityId | undefined {
  const s = value.trim().toUpperCase();
  return isSeverity(s) ? s : undefined;
}

/**
 * The questions `classify` asks (and triage answers from a diagnosis). A criterion's `when` names
 * one of them, so the criteria and their severities live in the policy while the questions stay
 * in the CLI.
 */
export const ANSWERS = {
  platformDown: { kind: 'yes/no' },
  inferenceFailingPct: { kind: 'percent' },
  securityIncident: { kind: 'yes/no' },
  dataLoss: { kind: 'yes/no' },
  users: { kind: 'choice', values: ['all', 'subset', 'single', 'none'] },
  singleFeature: { kind: 'yes/no' },
  majorFeatureDown: { kind: 'yes/no' },
  performance: { kind: 'choice', values: ['significant', 'slight', 'none'] },
  workaround: { kind: 'yes/no' },
  cosmetic: { kind: 'yes/no' },
  /** Documentation or informational only (§1.2 SEV4), its own answer, not "cosmetic". */
  informational: { kind: 'yes/no' },
} as const;
export type AnswerName = keyof typeof ANSWERS;

export function isAnswerName(name: string): name is AnswerName {
  return Object.hasOwn(ANSWERS, name);
}

/** Every question's name, in the order classify asks them. */
export const ANSWER_NAMES: readonly AnswerName[] = Object.keys(ANSWERS).filter(isAnswerName);
