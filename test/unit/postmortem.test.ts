/** Post-mortems of whole simulated incidents, compared with reviewed documents. */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { foldIncident } from '../../src/incident/state.js';
import { loadPolicy } from '../../src/incident/policy.js';
import { describeOptions, generatePostmortem, isSignificant, timelineRow } from '../../src/postmortem/generate.js';
import { judgeFindings } from '../../src/incident/findings.js';
import { checklistState, loadChecklist } from '../../src/incident/checklist.js';
import { readSourceFile } from '../../src/runbook/catalog.js';
import { ROOT } from '../support/cli.js';
import { expectReviewedSnapshot } from '../support/reviewed-snapshot.js';
import { verifyTimeline } from '../../src/timeline/store.js';
import { SEV1_ID, SEV2_ID, sev1Steps, sev2Steps, writeIncident } from '../support/incident-fixture.js';

const policy = loadPolicy(join(ROOT, 'runbooks', 'policy', 'policy.yaml'));
const sev1Checklist = loadChecklist(readSourceFile(join(ROOT, 'runbooks', 'checklists', 'sev1.yaml')));
const sev2Checklist = loadChecklist(readSourceFile(join(ROOT, 'runbooks', 'checklists', 'sev2.yaml')));

function postmortem(id: string, steps: ReturnType<typeof sev1Steps>, checklist = sev1Checklist) {
  const { events } = writeIncident(id, steps);
  const state = foldIncident(id, events);
  const gaps = [
    {
      checklist: checklist.id,
      items: checklistState(checklist, events)
        .filter((i) => !i.done)
        .map((i) => i.text),
    },
  ];
  return generatePostmortem({
    policy,
    state,
    rows: events.filter(isSignificant).map((e) => timelineRow(e, describeOptions(policy))),
    findings: judgeFindings(events),
    checklistGaps: gaps,
  });
}

describe('post-mortem generation', () => {
  it('SEV1 from declare to resolve matches the reviewed example (docs/examples/postmortem-sev1.md)', async () => {
    const pm = postmortem(SEV1_ID, sev1Steps());
    await expectReviewedSnapshot(pm.markdown, join(ROOT, 'docs', 'examples', 'postmortem-sev1.md'));
  });

  it('SEV2 matches its reviewed snapshot', async () => {
    const pm = postmortem(SEV2_ID, sev2Steps(), sev2Checklist);
    await expectReviewedSnapshot(pm.markdown, join(ROOT, 'test', 'unit', '__snapshots__', 'postmortem-sev2.md'));
  });

  it('names the record it rests on (event count, head hash), a witness that timeline verify --head finds', () => {
    const { events, path } = writeIncident(SEV2_ID, sev2Steps());
    const md = postmortem(SEV2_ID, sev2Steps(), sev2Checklist).markdown;
    const head = events.at(-1)!.hash;
    expect(md).toContain(`**Record:** ${events.length} events, head sha256:${head.slice(0, 16)}…`);
    expect(verifyTimeline(path, { incidentId: SEV2_ID, witness: head.slice(0, 16) }).witness).toEqual({
      hash: head.slice(0, 16),
      seq: events.length,
    });
  });

  it('has the template sections and the facts a commander would check', () => {
    const md = postmortem(SEV1_ID, sev1Steps()).markdown;
    for (const h of [
      '## Summary',
      '## Impact',
      '## Timeline',
      '## Root Cause',
      '## Resolution',
      '## What Went Well',
      '## What Went Wrong',
      '## Action Items',
      '## Lessons Learned',
    ])
      expect(md).toContain(h);
    expect(md).toContain('**Duration:** 01:20');
    expect(md).toContain('**Severity:** SEV1 (SEV2 from 03:40, SEV1 from 03:46)');
    expect(md).toContain('**Author:** erin');
    expect(md).toContain('due 2026-11-30 04:52 UTC');
    expect(md).toMatch(/L3 \(Engineering manager\) engaged at 04:25 UTC, 23m after it was due/);
    expect(md).not.toMatch(/L2 \(Team lead\) engaged/); // due when it became SEV1 (03:46), engaged 03:47: on time
    expect(md).toMatch(/L4 \(VP Engineering\) was due at 04:32 UTC .* never recorded/);
    expect(md).toContain('Responded in 9m, within the 15m response time for SEV1');
    expect(md).toContain('sha256 `7c926b87e40b26ec…`');
    expect(md).toContain('```mermaid');
    expect(md).toContain('| A1: Alert when a PostgreSQL volume passes 80% | bob | 2026-12-05 | open |');
    // A backdated note sits where it happened, not where it was written.
    expect(md.indexOf('| 03:59 | Note (erin): The database-failure runbook pointed')).toBeGreaterThan(md.indexOf('| 03:58 |'));
    expect(md.indexOf('| 03:59 | Note (erin): The database-failure runbook pointed')).toBeLessThan(md.indexOf('| 04:10 |'));
  });

  it('is deterministic and marks an unresolved incident as a draft with what is missing', () => {
    // Up to the status update: no root cause confirmed yet (the next step is a note tagged root-cause).
    const steps = sev1Steps().slice(0, 11);
    const a = postmortem(SEV1_ID, steps).markdown;
    const b = postmortem(SEV1_ID, steps).markdown;
    expect(a).toBe(b);
    expect(a).toContain('> **Draft — missing:** the incident is not resolved yet (bud-incident resolve); root cause.');
    expect(a).toContain('**Not confirmed** — record it with `bud-incident resolve --root-cause "..."` or a note tagged root-cause');
  });
});

describe('chatty scribes', () => {
  it('folds a long run of untagged notes by one author, keeping the rest', async () => {
    const { foldNoteRuns } = await import('../../src/postmortem/generate.js');
    const notes = Array.from({ length: 25 }, (_, i) => ({
      at: `2026-11-28T04:${String(i).padStart(2, '0')}:00Z`,
      seq: i + 1,
      text: `note ${i}`,
      noteBy: 'erin',
    }));
    const rows = foldNoteRuns([
      ...notes,
      { at: '2026-11-28T04:30:00Z', seq: 26, text: 'Finding: x' },
      ...notes.slice(0, 2).map((n) => ({ ...n, seq: n.seq + 100 })),
    ]);
    expect(rows.map((r) => r.text)).toEqual([
      'note 0',
      'note 1',
      'note 2',
      '… 22 more notes by erin until 04:24 UTC (all in the timeline: bud-incident timeline)',
      'Finding: x',
      'note 0',
      'note 1',
    ]);
  });
});

/**
 * The headings a reader sees, as CommonMark finds them: ATX and setext headings and raw HTML
 * headings, also inside block quotes and list items, never inside code fences.
 */
function headingsOf(md: string): string[] {
  const out: string[] = [];
  let fence: string | undefined;
  let paragraph = false;
  for (const raw of md.split('\n')) {
    let line = raw;
    if (fence) {
      if (new RegExp(`^ {0,3}${fence[0]}{${fence.length},}\\s*$`).test(line)) fence = undefined;
      continue;
    }
    for (
      let m = /^ {0,3}(?:>|[-+*](?=\s)|\d{1,9}[.)](?=\s)) ?/.exec(line);
      m && m[0];
      m = /^ {0,3}(?:>|[-+*](?=\s)|\d{1,9}[.)](?=\s)) ?/.exec(line)
    )
      line = line.slice(m[0].length);
    const open = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (open) {
      fence = open[1];
      paragraph = false;
    } else if (/^ {0,3}#{1,6}(\s|$)/.test(line)) {
      out.push(line.trim());
      paragraph = false;
    } else if (paragraph && /^ {0,3}(=+|-+)\s*$/.test(line)) {
      out.push(`setext ${line.trim()}`);
      paragraph = false;
    } else {
      if (/(^|[^\\])<h[1-6]/i.test(line)) out.push(`html ${line}`);
      paragraph = line.trim() !== '' && !line.trimStart().startsWith('|');
    }
  }
  return out;
}

describe('hostile values', () => {
  const forge = 'x\n## Action Items\n- none\n# Forged\n| a | b |\n|---|---|\nUnderlined\n===\n```\n<h2>html</h2>\n    1. item\n> quote';
  function hostileSteps() {
    const steps = sev1Steps();
    const data = (type: string, i = 0) => steps.filter((s) => s[2] === type)[i]![3];
    // As if written by an older version or a runbook: the rendering, not the input check, must hold.
    data('incident.opened').title = `API down\n## Action Items\n- none`;
    data('incident.opened').summary = `# Summary\n- forged`;
    data('incident.resolved').rootCause = forge;
    data('incident.resolved').resolution = `## Lessons Learned\n- ${forge}`;
    data('incident.updated').usersAffected = '3\n## Impact';
    data('status.update').status = 'Investigating\n## Communications';
    data('status.update').message = 'the message\n```\n## After the fence\n````\n## Still inside';
    data('note.added', 0).text = `# root\n${forge}`;
    data('note.added', 1).text = `## went well\n- a`;
    data('action.added').text = `alert\n## Action Items\n| x | y |`;
    data('action.added').owner = 'bob | eve\n## Owner';
    return steps;
  }

  it('a post-mortem has exactly the headings of the template, whatever the values say', () => {
    const clean = headingsOf(postmortem(SEV1_ID, sev1Steps()).markdown);
    expect(clean).toEqual([
      '# Post-Mortem: API returning 500s on every endpoint',
      '## Summary',
      '## Impact',
      '## Milestones',
      '## Timeline',
      '## Root Cause',
      '## Resolution',
      '## What Went Well',
      '## What Went Wrong',
      '## Action Items',
      '## Lessons Learned',
      '## Communications',
    ]);
    const md = postmortem(SEV1_ID, hostileSteps()).markdown;
    expect(headingsOf(md)).toEqual(['# Post-Mortem: API down ## Action Items - none', ...clean.slice(1)]);
    expect(md).toContain('**2026-11-28 03:50 UTC — Investigating ## Communications** (carol)');
    // The text is all there, as text: a multi-line root cause is a quote whose lines keep their breaks.
    expect(md).toContain('## Root Cause\n\n> x  \n> \\## Action Items  \n> \\- none  \n> \\# Forged  \n> \\| a | b |');
    expect(md).toContain(
      '> \\<h2>html\\</h2>  \n>     1. item  \n> \\> quote\n\nNotes tagged root-cause during the incident (hypotheses at the time, not the confirmed cause):\n\n- 03:58 UTC, erin: \\# root',
    );
    // No forged list item or table row at the start of a line.
    for (const line of md.split('\n')) expect(['- none', '| a | b |', '- forged', '| x | y |', '- a']).not.toContain(line);
    // The action table keeps its four columns.
    expect(md).toContain('| A1: alert ## Action Items \\| x \\| y \\| | bob \\| eve ## Owner | 2026-12-05 | open |');
    // The status update stays inside its fence.
    expect(md).toContain('````\nthe message\n```\n## After the fence\n````\n## Still inside\n`````'.replace(/^````/, '`````'));
  });

  it('the JSON form keeps the values exactly as recorded', () => {
    const pm = postmortem(SEV1_ID, hostileSteps());
    expect(pm.data.rootCause).toBe(forge);
  });
});

describe('timeline rows say what happened', () => {
  it('a recorded milestone names the milestone, not only the event type', () => {
    const row = timelineRow({
      seq: 7,
      ts: '2026-11-28T09:10:00.000Z',
      actor: 'alice',
      type: 'milestone.recorded',
      data: { name: 'identified', at: '2026-11-28T08:55:00.000Z' },
      prev: '0'.repeat(64),
      hash: '1'.repeat(64),
    });
    expect(row).toMatchObject({ at: '2026-11-28T08:55:00.000Z', text: 'Milestone: identified' });
  });
});
