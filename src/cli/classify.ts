/**
 * `classify`: walks the policy's classification criteria (by flags, or asking on a terminal),
 * recommends a severity and, with --apply, records it.
 */
import { UserError } from '../errors.js';
import { classify, unaskedCriteria, type ClassificationAnswers } from '../incident/decisions.js';
import { writeJson, type Context } from './context.js';
import { append, incidentOf, policyOf, prompterFor, requireOpen, whenDone } from './incident-common.js';
import { classifyView } from '../render/classify.js';

/** The values --users and --performance take (the answers classify() reads). */
const USERS: ReadonlyArray<ClassificationAnswers['users']> = ['all', 'subset', 'single', 'none'];
const PERFORMANCE: ReadonlyArray<ClassificationAnswers['performance']> = ['significant', 'slight', 'none'];

export interface ClassifyOptions {
  platformDown?: boolean;
  inferenceFailing?: string;
  informational?: boolean;
  dataBreach?: boolean;
  dataLoss?: boolean;
  users?: string;
  singleFeature?: boolean;
  majorFeatureDown?: boolean;
  performance?: string;
  workaround?: boolean;
  cosmetic?: boolean;
  apply?: boolean;
  at?: string;
  json?: boolean;
}

export async function classifyCommand(ctx: Context, opts: ClassifyOptions): Promise<number> {
  const policy = policyOf(ctx);
  const anyFlag = [
    opts.platformDown,
    opts.inferenceFailing,
    opts.informational,
    opts.dataBreach,
    opts.dataLoss,
    opts.users,
    opts.singleFeature,
    opts.majorFeatureDown,
    opts.performance,
    opts.workaround,
    opts.cosmetic,
  ].some((v) => v !== undefined);
  const prompter = anyFlag ? undefined : prompterFor(ctx);
  let answers: ClassificationAnswers;
  if (prompter) {
    answers = {
      platformDown: await prompter.confirm('Is the platform completely unavailable?', false),
      inferenceFailingPct: Number(
        await prompter.input('What share of inference requests is failing (0-100%)?', {
          defaultValue: '0',
          validate: (v) => (/^\d{1,3}$/.test(v) && Number(v) <= 100 ? true : 'a number from 0 to 100'),
        }),
      ),
      securityIncident: await prompter.confirm('Is there a data breach or security incident?', false),
      dataLoss: await prompter.confirm('Is there data corruption or loss?', false),
      users: await prompter.select<ClassificationAnswers['users']>('Which users are affected?', [
        { name: 'All users', value: 'all' },
        { name: 'A subset of users', value: 'subset' },
        { name: 'A single user', value: 'single' },
        { name: 'None that we know of', value: 'none' },
      ]),
      singleFeature: await prompter.confirm('Is a single endpoint or feature impacted?', false),
      majorFeatureDown: await prompter.confirm('Is a major feature unavailable (auth, deployments)?', false),
      performance: await prompter.select<ClassificationAnswers['performance']>('Performance?', [
        { name: 'Normal', value: 'none' },
        { name: 'Slightly degraded', value: 'slight' },
        { name: 'Significantly degraded', value: 'significant' },
      ]),
      workaround: await prompter.confirm('Is a workaround available?', false),
      cosmetic: await prompter.confirm('Is it only cosmetic (a UI glitch)?', false),
      informational: await prompter.confirm('Is it only documentation or informational?', false),
    };
  } else {
    const pct = Number(opts.inferenceFailing ?? 0);
    if (!Number.isFinite(pct) || pct < 0 || pct > 100)
      throw new UserError(`--inference-failing "${opts.inferenceFailing}": a percentage from 0 to 100`);
    const givenUsers = opts.users ?? 'none';
    const users = USERS.find((u) => u === givenUsers);
    if (!users) throw new UserError(`--users "${givenUsers}": use all, subset, single or none`);
    const givenPerformance = opts.performance ?? 'none';
    const performance = PERFORMANCE.find((p) => p === givenPerformance);
    if (!performance) throw new UserError(`--performance "${givenPerformance}": use significant, slight or none`);
    answers = {
      platformDown: Boolean(opts.platformDown),
      inferenceFailingPct: pct,
      securityIncident: Boolean(opts.dataBreach),
      dataLoss: Boolean(opts.dataLoss),
      users,
      singleFeature: Boolean(opts.singleFeature),
      majorFeatureDown: Boolean(opts.majorFeatureDown),
      performance,
      workaround: Boolean(opts.workaround),
      cosmetic: Boolean(opts.cosmetic),
      informational: Boolean(opts.informational),
    };
  }
  const result = classify(policy, answers);
  // Criteria written as plain text in the policy, above the recommendation: the responder decides them.
  const unasked = unaskedCriteria(policy, result.severity);
  const level = policy.severities[result.severity];
  let applied: string | undefined;
  if (opts.at !== undefined && !opts.apply) throw new UserError('--at dates what --apply records: give it with --apply');
  if (opts.apply) {
    const { id, state } = incidentOf(ctx);
    requireOpen(state, 'classify --apply');
    const lastSev = state.severityHistory.at(-1);
    const at = whenDone(state, opts.at, ctx.clock.now(), {
      after: [lastSev && { what: `the ${lastSev.from ? 'last severity change' : 'severity it was declared with'}`, at: lastSev.at }],
    });
    const dated = opts.at !== undefined ? { at: at.toISOString() } : {};
    if (state.severity !== result.severity)
      append(ctx, id, 'severity.changed', {
        from: state.severity,
        to: result.severity,
        reason: `classification: ${result.reasons.join('; ')}`,
        ...dated,
      });
    // Two facts: a breach engages L4 at once (§6); data loss is SEV1 (§1.2) and no more.
    const facts = {
      ...(answers.securityIncident && !state.dataBreach ? { dataBreach: true } : {}),
      ...(answers.dataLoss && !state.dataLoss ? { dataLoss: true } : {}),
    };
    if (Object.keys(facts).length) append(ctx, id, 'incident.updated', { ...facts, ...dated });
    append(ctx, id, 'classification.recorded', { answers, severity: result.severity, reasons: result.reasons, ...dated });
    applied = id;
  }
  if (opts.json) {
    writeJson(ctx, {
      severity: result.severity,
      reasons: result.reasons,
      responseTime: level.responseTime,
      definition: level.definition,
      examples: level.examples,
      criteria: level.criteria.map((k) => (typeof k === 'string' ? k : k.text)),
      notAsked: unasked,
      answers,
      ...(applied ? { appliedTo: applied } : {}),
    });
    return 0;
  }
  ctx.term.out.write(classifyView(ctx.term.color, policy, { result, unasked, appliedTo: applied }).join('\n') + '\n');
  return 0;
}
