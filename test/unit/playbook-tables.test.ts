/**
 * The playbook, table by table: every row of §1.1, every §1.2 criterion, every §2.2 role, §6 level,
 * §7 channel, §8.2 row and §9 checklist item of docs/playbook.md (the on-call playbook as published),
 * parsed from its text, and where the product implements it: the policy loaded with the product's
 * loader, and the product's own decisions (classify, escalationPlan, responseDeadline,
 * postmortemRequirement, the checklist tracker) giving the playbook's answer. A row added to the
 * playbook without a home, or a policy row dropped or changed, fails here, naming the playbook line
 * (issue 12: "a table test over the playbook"; the §3/§5 commands are in playbook-map.test.ts).
 */
import { NO_ANSWERS } from '../support/answers.js';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checklistState, loadChecklist, type Checklist } from '../../src/incident/checklist.js';
import {
  channelFor,
  classify,
  escalationPlan,
  postmortemRequirement,
  responseDeadline,
  type ClassificationAnswers,
} from '../../src/incident/decisions.js';
import { loadPolicy, SEVERITIES, type SeverityId } from '../../src/incident/policy.js';
import { foldIncident } from '../../src/incident/state.js';
import { readSourceFile } from '../../src/runbook/catalog.js';
import type { TimelineEvent } from '../../src/timeline/event.js';
import { parseDuration } from '../../src/duration.js';
import { ROOT } from '../support/cli.js';

const PLAYBOOK = join(ROOT, 'docs', 'playbook.md');
const policy = loadPolicy(join(ROOT, 'runbooks', 'policy', 'policy.yaml'));
const checklists = readdirSync(join(ROOT, 'runbooks', 'checklists'))
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => loadChecklist(readSourceFile(join(ROOT, 'runbooks', 'checklists', f))));

// ---------------------------------------------------------------------------------------------
// Reading the playbook: sections by heading number, their table rows and bullets, with line numbers.

interface Line {
  n: number;
  text: string;
}
const lines: Line[] = readFileSync(PLAYBOOK, 'utf8')
  .split('\n')
  .map((text, i) => ({ n: i + 1, text }));

/** The lines under the heading numbered `num` ("1.2", "6."), up to the next heading of its level or above. */
function section(num: string): Line[] {
  const start = lines.findIndex((l) => new RegExp(`^#{2,3} ${num.replace('.', '\\.')}\\s`).test(l.text));
  if (start < 0) throw new Error(`docs/playbook.md has no section ${num}`);
  const level = /^#+/.exec(lines[start]!.text)![0].length;
  const end = lines.findIndex((l, i) => i > start && /^#+ /.test(l.text) && /^#+/.exec(l.text)![0].length <= level);
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

/** A table's body rows as cells (bold and code marks removed), each with its line. */
function tableRows(num: string): Array<{ n: number; cells: string[] }> {
  const rows = section(num).filter((l) => l.text.trim().startsWith('|'));
  return rows.slice(2).map((l) => ({
    n: l.n,
    cells: l.text
      .trim()
      .replace(/^\||\|$/g, '')
      .split('|')
      .map((c) => c.trim().replace(/\*\*|`/g, '')),
  }));
}

/** "15 min", "4 hours", "1hr", "30min", "1 week", "48 hours" as milliseconds. */
function playbookDuration(text: string): number | undefined {
  const m = /^(\d+)\s*(min|minutes?|hr|hours?|days?|weeks?)$/i.exec(text.trim());
  if (!m) return undefined;
  const unit = m[2]!.toLowerCase();
  const per = unit.startsWith('min') ? 60_000 : unit.startsWith('h') ? 3_600_000 : unit.startsWith('d') ? 86_400_000 : 7 * 86_400_000;
  return Number(m[1]) * per;
}

const same = (a: string | undefined, b: string) => a !== undefined && a.toLowerCase() === b.toLowerCase();
const where = (n: number, what: string) => `docs/playbook.md:${n} ${what}`;

// ---------------------------------------------------------------------------------------------
// The product's words where they differ from the playbook's (everything else must be equal, ignoring case).

/** §1.2 criterion as the playbook prints it → as the policy words it. */
const CRITERION_WORDS: Record<string, string> = {
  '> 50% of inference requests failing': 'More than 50% of inference requests failing',
  '< 10% of requests affected': 'Less than 10% of requests affected',
};

/** §7 channel as the playbook prints it → the policy's name (the per-incident channel is a pattern; §3.1 adds the brief description). */
const CHANNEL_WORDS: Record<string, string> = { '#incident-YYYY-MM-DD': '#incident-{date}-{slug}' };

/**
 * §1.2: answers to classify's questions that meet the criterion and nothing else (`meets`), and,
 * for a threshold, answers just outside it (`misses`: this criterion must not be the reason).
 */
const NOTHING = NO_ANSWERS;
const ANSWERS: Record<string, { meets: Partial<ClassificationAnswers>; misses?: Partial<ClassificationAnswers> }> = {
  'Platform completely unavailable': { meets: { platformDown: true } },
  'All inference requests failing': { meets: { inferenceFailingPct: 100 }, misses: { inferenceFailingPct: 99 } },
  'Data breach or security incident': { meets: { securityIncident: true } },
  'Data corruption or loss': { meets: { dataLoss: true } },
  'All users affected': { meets: { users: 'all' } },
  'Major feature unavailable (auth, deployments)': { meets: { majorFeatureDown: true } },
  '> 50% of inference requests failing': { meets: { inferenceFailingPct: 51 }, misses: { inferenceFailingPct: 50 } },
  'Significant performance degradation': { meets: { performance: 'significant' } },
  'Subset of users affected': { meets: { users: 'subset' } },
  'Single endpoint or feature impacted': { meets: { singleFeature: true } },
  '< 10% of requests affected': { meets: { inferenceFailingPct: 9 }, misses: { inferenceFailingPct: 10 } },
  'Performance slightly degraded': { meets: { performance: 'slight' } },
  'Workaround available': { meets: { workaround: true } },
  'Cosmetic issues': { meets: { cosmetic: true } },
  'Documentation or informational': { meets: { informational: true } },
  'Single user affected': { meets: { users: 'single' } },
  'No functional impact': { meets: {} },
};

/**
 * §9 items the tool cannot see done (no event proves them): ticked by hand, and why. Any other
 * item must have an `auto:` proof that ticks it.
 */
const BY_HAND: Record<string, string> = {
  'Stakeholders notified': 'telling stakeholders happens outside the tool; recording an escalation is not it',
  'Next steps clear': 'only the people handing over can say so',
  'New on-call acknowledged': 'only the new on-call can say so',
  'Incident channel updated': 'the tool does not post to Slack',
};

// ---------------------------------------------------------------------------------------------
// Incidents for the product's decisions.

const T0 = '2026-11-28T04:00:00.000Z';
const start = Date.parse(T0);
let seq = 0;
const ev = (type: string, data: Record<string, unknown>): TimelineEvent => ({
  seq: ++seq,
  ts: T0,
  actor: 'a',
  type,
  data,
  prev: '',
  hash: '',
});
const incident = (severity: SeverityId, opts: { dataBreach?: boolean; major?: boolean } = {}) =>
  foldIncident('i', [
    ev('incident.opened', { title: 't', severity, channel: '#c', openedAt: T0, ...(opts.dataBreach ? { dataBreach: true } : {}) }),
    ...(opts.major ? [ev('incident.updated', { major: true })] : []),
  ]);
const dueAt = (level: string, state: ReturnType<typeof incident>) =>
  escalationPlan(policy, state, new Date(start))
    .levels.find((l) => l.level === level)
    ?.dueAt?.getTime();
const isDue = (level: string, state: ReturnType<typeof incident>, at: number) =>
  escalationPlan(policy, state, new Date(at)).due.some((l) => l.level === level);

// ---------------------------------------------------------------------------------------------
// The rows: each is a playbook line and the problems found with its home (none when implemented).

type Row = [label: string, check: () => string[]];

function criteriaRows(): Row[] {
  const rows: Row[] = [];
  let severity: SeverityId | undefined;
  for (const l of section('1.2')) {
    const heading = /^\*\*(SEV\d) - (.+):\*\*$/.exec(l.text.trim());
    if (heading) severity = heading[1] as SeverityId;
    const bullet = /^- (.+)$/.exec(l.text.trim());
    if (!bullet || !severity) continue;
    const sev = severity;
    const text = bullet[1]!;
    const label = where(l.n, `§1.2 ${sev} '${text}'`);
    rows.push([
      label,
      () => {
        const words = CRITERION_WORDS[text] ?? text;
        const criterion = policy.severities[sev]?.criteria.find((c) => same(typeof c === 'string' ? c : c.text, words));
        if (!criterion) return [`${label}: the policy's ${sev} has no criterion "${words}"`];
        if (typeof criterion === 'string')
          return [`${label}: the policy's ${sev} criterion is plain text, with no when: that classify asks`];
        const answers = ANSWERS[text];
        if (!answers) return [`${label}: no answers in this test meet it (add them to ANSWERS)`];
        const problems: string[] = [];
        const got = classify(policy, { ...NOTHING, ...answers.meets });
        if (got.severity !== sev || !got.reasons.includes(criterion.text))
          problems.push(
            `${label}: answers ${JSON.stringify(answers.meets)} classify as ${got.severity} for ${JSON.stringify(got.reasons)}`,
          );
        if (answers.misses) {
          const near = classify(policy, { ...NOTHING, ...answers.misses });
          if (near.reasons.includes(criterion.text)) problems.push(`${label}: ${JSON.stringify(answers.misses)} also meets it`);
        }
        return problems;
      },
    ]);
  }
  return rows;
}

function severityRows(): Row[] {
  const names = new Map(
    section('1.2').flatMap((l) => {
      const m = /^\*\*(SEV\d) - (.+):\*\*$/.exec(l.text.trim());
      return m ? [[m[1]!, m[2]!] as const] : [];
    }),
  );
  return tableRows('1.1').map(({ n, cells: [sev, definition, response, examples] }) => {
    const label = where(n, `§1.1 ${sev}`);
    return [
      label,
      () => {
        const level = policy.severities[sev as SeverityId];
        if (!level) return [`${label}: the policy has no severity ${sev}`];
        const problems: string[] = [];
        if (!same(level.name, names.get(sev!) ?? ''))
          problems.push(`${label}: the policy names it "${level.name}", §1.2 "${names.get(sev!)}"`);
        if (!same(level.definition, definition!))
          problems.push(`${label}: the policy's definition is "${level.definition}", not "${definition}"`);
        const want = playbookDuration(response!);
        const deadline = responseDeadline(policy, incident(sev as SeverityId)).deadline.getTime() - start;
        if (want === undefined) problems.push(`${label}: cannot read the response time "${response}"`);
        else if (parseDuration(level.responseTime) !== want || deadline !== want)
          problems.push(
            `${label}: response time "${response}": the policy says ${level.responseTime}, the deadline is ${deadline / 60_000}m after start`,
          );
        const listed = examples!.split(',').map((e) => e.trim());
        if (listed.length !== level.examples.length || !listed.every((e, i) => same(level.examples[i], e)))
          problems.push(`${label}: examples "${examples}": the policy lists ${JSON.stringify(level.examples)}`);
        return problems;
      },
    ];
  });
}

function roleRows(): Row[] {
  return tableRows('2.2').map(({ n, cells: [title, responsibility] }) => {
    const label = where(n, `§2.2 ${title}`);
    return [
      label,
      () => {
        const role = Object.values(policy.roles).find((r) => same(r.title, title!));
        if (!role) return [`${label}: the policy has no role titled "${title}"`];
        return same(role.responsibility, responsibility!)
          ? []
          : [`${label}: the policy's responsibility is "${role.responsibility}", not "${responsibility}"`];
      },
    ];
  });
}

/**
 * §6 "When": "SEV2 15min, SEV1 immediate", "SEV1 1hr, data breach", "Major incident", "On-call" (every
 * incident, at once: the on-call engineer is paged for each).
 */
function readWhen(when: string): { timed: Map<SeverityId, number>; dataBreach: boolean; major: boolean; unread: string[] } {
  const timed = new Map<SeverityId, number>();
  const out = { timed, dataBreach: false, major: false, unread: [] as string[] };
  for (const clause of when.split(',').map((c) => c.trim())) {
    const m = /^(SEV\d) (.+)$/.exec(clause);
    if (m) {
      const after = m[2] === 'immediate' ? 0 : playbookDuration(m[2]!);
      if (after === undefined) out.unread.push(clause);
      else timed.set(m[1] as SeverityId, after);
    } else if (same(clause, 'On-call')) for (const s of SEVERITIES) timed.set(s, 0);
    else if (same(clause, 'data breach')) out.dataBreach = true;
    else if (same(clause, 'Major incident')) out.major = true;
    else out.unread.push(clause);
  }
  return out;
}

function escalationRows(): Row[] {
  return tableRows('6.').map(({ n, cells: [level, when, who, contact] }) => {
    const label = where(n, `§6 ${level} '${when}'`);
    return [
      label,
      () => {
        const row = policy.escalation.find((r) => r.level === level);
        if (!row) return [`${label}: the policy has no escalation level ${level}`];
        const problems: string[] = [];
        if (!same(row.who, who!)) problems.push(`${label}: policy level ${level} is "${row.who}", not "${who}"`);
        if (!same(row.contact, contact!))
          problems.push(`${label}: policy level ${level} is contacted by "${row.contact}", not "${contact}"`);
        const w = readWhen(when!);
        if (w.unread.length) problems.push(`${label}: cannot read ${JSON.stringify(w.unread)} (teach readWhen)`);
        for (const sev of SEVERITIES) {
          const after = w.timed.get(sev);
          const plain = incident(sev);
          if (after === undefined) {
            if (dueAt(level!, plain) !== undefined)
              problems.push(`${label}: policy level ${level} becomes due for a ${sev}, which the playbook does not say`);
            continue;
          }
          const wording = after ? `at ${after / 60_000}m` : 'at once';
          if (!isDue(level!, plain, start + after)) problems.push(`${label}: policy level ${level} is not due ${wording} for ${sev}`);
          else if (after > 0 && isDue(level!, plain, start + after - 1))
            problems.push(`${label}: policy level ${level} is due before ${after / 60_000}m for ${sev}`);
        }
        // A data breach or a major incident at a severity the row does not otherwise name (SEV4 unless the row names every one).
        const quiet = SEVERITIES.find((s) => !w.timed.has(s));
        if (quiet) {
          for (const [flag, says, opts] of [
            ['data breach', w.dataBreach, { dataBreach: true }],
            ['major incident', w.major, { major: true }],
          ] as const) {
            const due = isDue(level!, incident(quiet, opts), start);
            if (says && !due) problems.push(`${label}: policy level ${level} is not due at once for a ${flag} (${quiet})`);
            if (!says && dueAt(level!, incident(quiet, opts)) !== undefined)
              problems.push(`${label}: policy level ${level} becomes due for a ${flag} (${quiet}), which the playbook does not say`);
          }
        }
        return problems;
      },
    ];
  });
}

function channelRows(): Row[] {
  return tableRows('7.').map(({ n, cells: [channel, purpose, audience] }) => {
    const label = where(n, `§7 ${channel}`);
    return [
      label,
      () => {
        const name = CHANNEL_WORDS[channel!] ?? channel!;
        const row = Object.values(policy.channels).find((c) => same(c.name, name));
        if (!row) return [`${label}: the policy has no channel "${name}"`];
        const problems: string[] = [];
        if (!same(row.purpose, purpose!)) problems.push(`${label}: the policy's purpose is "${row.purpose}", not "${purpose}"`);
        if (!same(row.audience, audience!)) problems.push(`${label}: the policy's audience is "${row.audience}", not "${audience}"`);
        if (name !== channel) {
          // The pattern, filled in, is the playbook's channel with its date (and §3.1's brief description).
          const filled = channelFor(policy, new Date(T0), 'brief-desc');
          if (!filled.startsWith(channel!.replace('YYYY-MM-DD', T0.slice(0, 10))))
            problems.push(`${label}: the per-incident channel comes out as "${filled}"`);
        }
        return problems;
      },
    ];
  });
}

const REQUIRED: Record<string, { rule: boolean | 'optional'; word: string }> = {
  Yes: { rule: true, word: 'required' },
  Optional: { rule: 'optional', word: 'optional' },
  No: { rule: false, word: 'not required' },
};

function postmortemRows(): Row[] {
  return tableRows('8.2').map(({ n, cells: [sev, required, timeline] }) => {
    const label = where(n, `§8.2 ${sev} '${required}' '${timeline}'`);
    return [
      label,
      () => {
        const rule = policy.postmortem[sev as SeverityId];
        if (!rule) return [`${label}: the policy has no post-mortem rule for ${sev}`];
        const problems: string[] = [];
        const want = REQUIRED[required!];
        const resolved = new Date(start);
        const product = postmortemRequirement(policy, sev as SeverityId, resolved);
        if (!want) problems.push(`${label}: cannot read "${required}"`);
        else if (rule.required !== want.rule || product.requirement !== want.word)
          problems.push(`${label}: the policy says required: ${String(rule.required)}, the product "${product.requirement}"`);
        const within = timeline === '-' ? undefined : playbookDuration(timeline!.replace(/^Within /i, ''));
        if (timeline !== '-' && within === undefined) problems.push(`${label}: cannot read "${timeline}"`);
        const policyWithin = rule.within === undefined ? undefined : parseDuration(rule.within);
        const productDue = product.dueAt ? product.dueAt.getTime() - start : undefined;
        if (policyWithin !== within || productDue !== within)
          problems.push(
            `${label}: the policy says within ${String(rule.within ?? '-')}, the product makes it due ${productDue === undefined ? 'never' : `${productDue / 3_600_000}h`} after resolution`,
          );
        return problems;
      },
    ];
  });
}

/** Events a matcher asks for (the first value of each list), and the run they belong to. */
function eventsFor(m: {
  event: string;
  data?: Record<string, unknown>;
  has?: string;
  tag?: string;
  runbook?: string;
}): Array<Omit<TimelineEvent, 'seq' | 'ts' | 'prev' | 'hash'>> {
  const data: Record<string, unknown> = { runId: 'r-1' };
  for (const [k, v] of Object.entries(m.data ?? {})) data[k] = Array.isArray(v) ? v[0] : v;
  if (m.has) data[m.has] = data[m.has] ?? 'x';
  if (m.tag) data.tags = [m.tag];
  const run = { actor: 'a', type: 'run.started', data: { runId: 'r-1', runbook: m.runbook ?? 'any', mode: 'live' } };
  return [...(m.runbook ? [run] : []), { actor: 'a', type: m.event, data }];
}

/** Whether the first `auto:` proof of the item, recorded, ticks it (the proof a responder can give). */
function proofTicks(checklist: Checklist, id: string): boolean {
  const item = checklist.items.find((i) => i.id === id)!;
  const proof = item.auto![0]!;
  const drafts = ('all' in proof ? proof.all : [proof]).flatMap(eventsFor);
  const timeline = drafts.map((d, i) => ({ ...d, seq: i + 1, ts: T0, prev: '', hash: '' }));
  return checklistState(checklist, timeline).find((i) => i.id === id)?.done === true;
}

function checklistRows(num: string, title: string): Row[] {
  return section(num).flatMap((l): Row[] => {
    const m = /^- \[ \] (.+)$/.exec(l.text.trim());
    if (!m) return [];
    const text = m[1]!;
    const label = where(l.n, `§${num} '${text}'`);
    return [
      [
        label,
        () => {
          const checklist = checklists.find((c) => c.playbook === `§${num} ${title}`);
          if (!checklist) return [`${label}: no checklist in runbooks/checklists says playbook: "§${num} ${title}"`];
          const item = checklist.items.find((i) => i.text === text);
          if (!item) return [`${label}: the ${checklist.id} checklist has no item "${text}"`];
          if (item.auto?.length)
            return proofTicks(checklist, item.id) ? [] : [`${label}: ${checklist.id}/${item.id}'s first proof does not tick it`];
          return BY_HAND[text]
            ? []
            : [`${label}: ${checklist.id}/${item.id} has no auto: proof and is not listed as ticked by hand (BY_HAND)`];
        },
      ],
    ];
  });
}

const TABLES: Array<[name: string, rows: Row[]]> = [
  ['§1.1 Severity Levels', severityRows()],
  ['§1.2 Classification Criteria', criteriaRows()],
  ['§2.2 Roles', roleRows()],
  ['§6 Escalation Matrix', escalationRows()],
  ['§7 Communication Channels', channelRows()],
  ['§8.2 Post-Mortem Schedule', postmortemRows()],
  ['§9.1 SEV1 Checklist', checklistRows('9.1', 'SEV1 Checklist')],
  ['§9.2 Handoff Checklist', checklistRows('9.2', 'Handoff Checklist')],
];

for (const [name, rows] of TABLES) {
  describe(`${name}: every row of the playbook has its home in the product`, () => {
    it.each(rows)('%s', (_label, check) => {
      expect(check()).toEqual([]);
    });
  });
}

describe('reading the playbook', () => {
  it('finds at least the rows the published playbook has (a table whose rows it cannot read would pass empty)', () => {
    const published = {
      '§1.1 Severity Levels': 4,
      '§1.2 Classification Criteria': 17,
      '§2.2 Roles': 4,
      '§6 Escalation Matrix': 5,
      '§7 Communication Channels': 5,
      '§8.2 Post-Mortem Schedule': 4,
      '§9.1 SEV1 Checklist': 10,
      '§9.2 Handoff Checklist': 5,
    };
    for (const [name, rows] of TABLES) expect(rows.length, name).toBeGreaterThanOrEqual(published[name as keyof typeof published]);
  });

  it('reads the §6 "When" column as the product must implement it', () => {
    expect(readWhen('SEV2 15min, SEV1 immediate')).toMatchObject({
      timed: new Map([
        ['SEV2', 15 * 60_000],
        ['SEV1', 0],
      ]),
      dataBreach: false,
    });
    expect(readWhen('SEV1 1hr, data breach')).toMatchObject({ timed: new Map([['SEV1', 3_600_000]]), dataBreach: true, unread: [] });
    expect(readWhen('Major incident')).toMatchObject({ timed: new Map(), major: true, unread: [] });
    expect(readWhen('SEV1 soon').unread).toEqual(['SEV1 soon']);
  });
});
