/**
 * The table of commands: every command and subcommand of bud-incident with its description,
 * arguments, options and handler. main.ts builds the commander program from it; a new command is a
 * new entry here and a module of its own under cli/.
 *
 * Each handler loads its command's module with `import()` when the command runs, so `--help` and
 * every other command pay nothing for it (test/unit/startup-imports.test.ts finds the command modules
 * through these imports and checks each stays lean). Only types are imported statically here.
 *
 * Over 400 lines: it is a table, one entry per command, and reads top to bottom as the help does;
 * splitting it would only scatter the commands' flags.
 */
import type { Context } from './context.js';
import type { RunOptions } from './run.js';
import type { DeclareOptions } from './declare.js';
import type { ClassifyOptions } from './classify.js';
import type { UpdateOptions } from './update.js';
import type { PostmortemOptions } from './postmortem.js';
import type { ScheduleOptions } from './postmortem-schedule.js';

type JsonOpt = { json?: boolean };

/** Commander's parser for a repeatable option: each value is added to the list. */
export const collect = (value: string, previous: string[]) => [...previous, value];

export interface OptionSpec {
  flags: string;
  description: string;
  /** Repeatable: the values are collected in a list (default []). */
  repeatable?: boolean;
  default?: string;
}

export interface CommandSpec {
  name: string;
  description?: string;
  args?: Array<{ name: string; description?: string }>;
  options?: OptionSpec[];
  /** False for the fast paths, which run without the policy and the checklists (see main.ts's preAction). */
  needsPolicy?: false;
  /**
   * Runs the command with what commander gives its action: the arguments in the order declared,
   * then the options. Returns the exit code.
   */
  run?: (ctx: Context, args: unknown[]) => Promise<number>;
  subcommands?: CommandSpec[];
}

const opt = (flags: string, description: string, dflt?: string): OptionSpec => ({
  flags,
  description,
  ...(dflt !== undefined ? { default: dflt } : {}),
});
const many = (flags: string, description: string): OptionSpec => ({ flags, description, repeatable: true });
const json = opt('--json', 'machine-readable output');
const arg = (name: string, description?: string) => ({ name, ...(description !== undefined ? { description } : {}) });

/**
 * An entry whose handler names the types of the arguments and options it declares (any parameter
 * types fit `never[]`). The one cast is where commander's untyped action arguments meet those
 * types: commander passes the declared arguments in order, then the parsed options.
 */
function command(spec: Omit<CommandSpec, 'run'> & { run: (ctx: Context, ...args: never[]) => Promise<number> }): CommandSpec {
  const { run, ...rest } = spec;
  return { ...rest, run: (ctx, args) => run(ctx, ...(args as never[])) };
}

const RUN = command({
  name: 'run',
  description: 'step through a runbook: run its checks, judge what they find, suggest mitigations, record everything',
  needsPolicy: false,
  args: [arg('<runbook>', 'runbook id (see "runbooks list")')],
  options: [
    opt('-y, --yes', 'non-interactive: run every check, skip manual steps; never consents to mitigations'),
    opt('--json', 'print one JSON event per line instead of the terminal view'),
    opt('--dry-run', 'show every step and command that would run; run and record nothing'),
    opt(
      '--simulate <scenario>',
      "a drill: replay the runbook's recorded scenario instead of touching a cluster, in a drill incident of its own (never in a live incident)",
    ),
    opt('--make-current', 'with --simulate: make the drill it opens (or records in) the current incident; by default it is not'),
    many('--var <name=value>', 'value for a runbook input; repeatable'),
    opt('--resume', 'continue the interrupted run of this runbook at its first unfinished step'),
    opt('--severity <SEVn>', "severity of the incident this run opens (default: the runbook's)"),
    opt('--timeout <seconds>', "timeout for every command, overriding the runbook's (e.g. 10 or 10s)"),
    opt('--at <time>', 'when you began this runbook (ISO 8601), if earlier (needs an open incident); its checks run and are recorded now'),
    opt('--allow-mitigations', 'CONSENT to run mitigations that CHANGE THE SYSTEM without asking (never implied by --yes)'),
  ],
  run: async (ctx, id: string, opts: RunOptions) => (await import('./run.js')).runCommand(ctx, id, opts),
});

const DECLARE = command({
  name: 'declare',
  description: 'open an incident: channel name, initial message, response deadline, escalation plan',
  options: [
    opt('--title <text>', 'brief description (the channel name is made from it)'),
    opt('--severity <SEVn>', 'SEV1, SEV2, SEV3 or SEV4'),
    opt('--commander <person>', 'incident commander'),
    opt('--summary <text>', 'one-line summary for the initial message'),
    opt('--impact <text>', 'who/what is affected'),
    opt('--at <time>', 'when it started (ISO 8601), if before now'),
    opt(
      '--detected-by <source>',
      'how it was detected (§2.1): alert, user-report or internal; a detail after a colon ("alert: PagerDuty BudAPIDown")',
    ),
    opt('--data-breach', 'a data breach: escalates to L4 at once'),
    opt('--data-loss', 'data corruption or loss (SEV1 criterion; not a breach: no L4 at once)'),
    opt('--major', 'a major incident: engages the executive level'),
    opt('--drill', 'a rehearsal: marked DRILL everywhere, never a live incident'),
    opt('--make-current', 'with --drill: make the drill the current incident (by default it is not)'),
    json,
  ],
  run: async (ctx, opts: DeclareOptions) => (await import('./declare.js')).declareCommand(ctx, opts),
});

const CLASSIFY = command({
  name: 'classify',
  description: "walk the policy's classification criteria and recommend a severity (interactive without flags)",
  options: [
    opt('--platform-down', 'the platform is completely unavailable'),
    opt('--inference-failing <percent>', 'share of inference requests failing'),
    opt('--data-breach', 'a data breach or security incident (with --apply: engages L4 at once)'),
    opt('--data-loss', 'data corruption or loss (not a breach)'),
    opt('--users <who>', 'users affected: all, subset, single (one user) or none'),
    opt('--single-feature', 'a single endpoint or feature is impacted'),
    opt('--major-feature-down', 'a major feature (auth, deployments) is unavailable'),
    opt('--performance <level>', 'significant, slight or none'),
    opt('--workaround', 'a workaround is available'),
    opt('--cosmetic', 'cosmetic only (a UI glitch)'),
    opt('--informational', 'documentation or informational only'),
    opt('--apply', 'set the current incident to the recommended severity'),
    opt('--at <time>', 'with --apply: when it was classified (ISO 8601), if earlier'),
    json,
  ],
  run: async (ctx, opts: ClassifyOptions) => (await import('./classify.js')).classifyCommand(ctx, opts),
});

/** `status`, and `incidents show`, with the checklists' progress. */
async function showStatus(ctx: Context, opts: JsonOpt): Promise<number> {
  return (await import('./status.js')).statusCommand(ctx, opts, (await import('./checklist.js')).checklistProgress(ctx));
}

const STATUS = command({
  name: 'status',
  description: 'where the incident stands: phase, response time, roles, findings, due update and escalation, checklists, post-mortem',
  options: [json, opt('--watch', "keep it on screen, redrawn as events land (teammates' too, in team mode) and every 30 s; Ctrl-C ends")],
  run: async (ctx, opts: JsonOpt & { watch?: boolean }) => {
    if (!opts.watch) return showStatus(ctx, opts);
    return (await import('./status.js')).watchStatus(ctx, opts, (await import('./checklist.js')).checklistProgress(ctx));
  },
});

const UPDATE = command({
  name: 'update',
  description: 'build, record and print the status update from the template (interactive without flags)',
  options: [
    opt('--status <status>', 'Investigating, Identified, Mitigating, Monitoring or Resolved'),
    opt('--impact <text>', 'current impact: who/what is affected'),
    opt('--users-affected <n>', 'how many users are affected (§3.4; kept for later updates and the post-mortem)'),
    opt('--requests-failed <n>', 'how many requests failed (§3.4; kept for later updates and the post-mortem)'),
    opt('--findings <text>', 'what we know (default: the findings so far)'),
    opt('--actions <text>', 'current actions (default: mitigations and open action items)'),
    opt('--next-update <duration>', "when the next update is due (default: the severity's cadence)"),
    opt('--at <time>', 'when it was posted (ISO 8601), if earlier; the next update is due from then'),
    json,
  ],
  run: async (ctx, opts: UpdateOptions) => (await import('./update.js')).updateCommand(ctx, opts),
});

const NOTE = command({
  name: 'note',
  description: "the scribe's timeline entry",
  args: [arg('<text>')],
  options: [
    opt('--at <time>', 'when it happened (ISO 8601), if earlier'),
    many('--tag <tag>', 'went-well, went-wrong, lesson, root-cause, impact (for the post-mortem); repeatable'),
  ],
  run: async (ctx, text: string, opts: { at?: string; tag: string[] }) => (await import('./note.js')).noteCommand(ctx, text, opts),
});

const ASSIGN = command({
  name: 'assign',
  description: 'assign a role: commander, comms, tech-lead, scribe',
  args: [arg('<role>'), arg('<person>')],
  options: [opt('--at <time>', 'when they took the role (ISO 8601), if earlier'), json],
  run: async (ctx, role: string, person: string, opts: JsonOpt & { at?: string }) =>
    (await import('./assign.js')).assignCommand(ctx, role, person, opts),
});

const SEVERITY = command({
  name: 'severity',
  description: 'change the severity (deadlines and escalation follow it)',
  args: [arg('<SEVn>')],
  options: [opt('--reason <text>', 'why (required)'), opt('--at <time>', 'when it changed (ISO 8601), if earlier'), json],
  run: async (ctx, sev: string, opts: { reason?: string; at?: string; json?: boolean }) =>
    (await import('./severity.js')).severityCommand(ctx, sev, opts),
});

const ESCALATE = command({
  name: 'escalate',
  description: 'who must be engaged now per the escalation matrix; records that they were',
  options: [
    opt('--json', 'machine-readable output (due, next)'),
    opt('--dry-run', 'show, do not record'),
    opt('--major', 'declare this a major incident (executive level)'),
    opt('--data-breach', 'declare a data breach (L4 at once)'),
    opt('--at <time>', 'when they were engaged (ISO 8601), if earlier: what was due then is recorded'),
  ],
  run: async (ctx, opts: { json?: boolean; dryRun?: boolean; major?: boolean; dataBreach?: boolean; at?: string }) =>
    (await import('./escalate.js')).escalateCommand(ctx, opts),
});

const ACTION: CommandSpec = {
  name: 'action',
  description: 'action items with owner and due date',
  subcommands: [
    command({
      name: 'add',
      args: [arg('<text>')],
      options: [
        opt('--owner <person>', 'who does it (required)'),
        opt('--due <date>', 'by when (YYYY-MM-DD)'),
        opt('--at <time>', 'when it was agreed (ISO 8601), if earlier'),
        json,
      ],
      run: async (ctx, text: string, opts: { owner?: string; due?: string; at?: string; json?: boolean }) =>
        (await import('./action.js')).actionAdd(ctx, text, opts),
    }),
    command({
      name: 'list',
      options: [json],
      run: async (ctx, opts: JsonOpt) => (await import('./action.js')).actionList(ctx, opts),
    }),
    command({
      name: 'done',
      args: [arg('<id>')],
      options: [opt('--at <time>', 'when it was done (ISO 8601), if earlier')],
      run: async (ctx, id: string, opts: { at?: string }) => (await import('./action.js')).actionDone(ctx, id, opts),
    }),
  ],
};

const MILESTONE = command({
  name: 'milestone',
  description: 'record a lifecycle milestone: detected, acknowledged, investigating, identified, mitigated, ...',
  args: [arg('<name>')],
  options: [
    opt('--at <time>', 'when (ISO 8601); must keep milestones in order'),
    opt('--by <source>', 'with "detected": how it was detected (alert, user-report, internal; "alert: detail")'),
    json,
  ],
  run: async (ctx, name: string, opts: { at?: string; by?: string; json?: boolean }) =>
    (await import('./milestone.js')).milestoneCommand(ctx, name, opts),
});

const HANDOFF = command({
  name: 'handoff',
  description: 'handoff summary from the timeline, recorded; then the handoff checklist',
  options: [
    opt('--to <person>', 'who takes over'),
    opt('--from <person>', 'who hands over (default: the commander)'),
    opt('--at <time>', 'when it happened (ISO 8601), if earlier'),
    json,
  ],
  run: async (ctx, opts: { to?: string; from?: string; at?: string; json?: boolean }) =>
    (await import('./handoff.js')).handoffCommand(ctx, opts, (await import('./checklist.js')).offerChecklist(ctx, 'handoff')),
});

const RESOLVE = command({
  name: 'resolve',
  description: 'close the incident with root cause and resolution; prints the post-mortem due date',
  options: [
    opt('--root-cause <text>', 'what broke'),
    opt('--resolution <text>', 'how it was fixed'),
    opt('--at <time>', 'when it was resolved (ISO 8601)'),
    opt('--users-affected <n>', 'how many users were affected (for the post-mortem)'),
    opt('--requests-failed <n>', 'how many requests failed (for the post-mortem)'),
    opt('--reopen', 'reopen a resolved incident'),
    json,
  ],
  run: async (ctx, opts: { rootCause?: string; resolution?: string; at?: string; reopen?: boolean; json?: boolean }) =>
    (await import('./resolve.js')).resolveCommand(ctx, opts),
});

const INCIDENTS: CommandSpec = {
  name: 'incidents',
  description: 'several incidents can be open; one is current',
  subcommands: [
    command({
      name: 'list',
      options: [json],
      run: async (ctx, opts: JsonOpt) => (await import('./incidents.js')).incidentsList(ctx, opts),
    }),
    command({
      name: 'show',
      args: [arg('[id]')],
      options: [json],
      run: async (ctx, id: string | undefined, opts: JsonOpt) => {
        if (id) ctx.global.incident = id;
        return showStatus(ctx, opts);
      },
    }),
    command({
      name: 'switch',
      args: [arg('<id>')],
      run: async (ctx, id: string) => (await import('./incidents.js')).incidentsSwitch(ctx, id),
    }),
    command({
      name: 'close',
      description:
        'end an incident WITHOUT a resolution: a finished drill, a duplicate of another incident (recorded, not deleted; reopen with resolve --reopen)',
      args: [arg('[id]', 'the incident (default: the current one)')],
      options: [opt('--reason <text>', 'why it ends without resolution (required), e.g. "drill finished" or "duplicate of ID"'), json],
      run: async (ctx, id: string | undefined, opts: { reason?: string; json?: boolean }) =>
        (await import('./incidents.js')).incidentsEnd(ctx, 'close', id, opts),
    }),
    command({
      name: 'push',
      description: 'share a local incident with the team store (chain preserved and verified)',
      args: [arg('<id>', 'the incident in the local store ($BUD_INCIDENT_HOME)')],
      options: [
        opt(
          '--as <new-id>',
          'share it under another id: the team store has one of this id opened by someone else (also takes the team copy it refused)',
        ),
        json,
      ],
      run: async (ctx, id: string, opts: JsonOpt & { as?: string }) => (await import('./store.js')).incidentsPush(ctx, id, opts),
    }),
    command({
      name: 'pull',
      description: 'copy a team incident into the local store, to work on or write its post-mortem offline',
      args: [arg('<id>')],
      options: [json],
      run: async (ctx, id: string, opts: JsonOpt) => (await import('./store.js')).incidentsPull(ctx, id, opts),
    }),
    command({
      name: 'export',
      description: "a team incident as JSONL (the local timeline's format), its chain verified on the way",
      args: [arg('<id>')],
      options: [opt('-o, --output <file>', 'write to this file (default: standard output)')],
      run: async (ctx, id: string, opts: { output?: string }) => (await import('./store.js')).incidentsExport(ctx, id, opts),
    }),
    command({
      name: 'discard',
      description: 'mark an incident as OPENED BY MISTAKE (recorded, not deleted; it cannot be reopened)',
      args: [arg('[id]', 'the incident (default: the current one)')],
      options: [opt('--reason <text>', 'what the mistake was (required)'), json],
      run: async (ctx, id: string | undefined, opts: { reason?: string; json?: boolean }) =>
        (await import('./incidents.js')).incidentsEnd(ctx, 'discard', id, opts),
    }),
  ],
};

const STORE: CommandSpec = {
  name: 'store',
  description: 'the team store (PostgreSQL): schema and status; set $BUD_INCIDENT_STORE or "store:" in the config',
  needsPolicy: false,
  subcommands: [
    command({
      name: 'migrate',
      description: 'create or upgrade the team store schema (idempotent, one transaction; refuses a newer schema)',
      options: [json],
      run: async (ctx, opts: JsonOpt) => (await import('./store.js')).storeMigrate(ctx, opts),
    }),
    command({
      name: 'status',
      description: "which store, its server and schema version, and this laptop's events not yet shared",
      options: [json],
      run: async (ctx, opts: JsonOpt) => (await import('./store.js')).storeStatus(ctx, opts),
    }),
  ],
};

const CHECKLIST = command({
  name: 'checklist',
  description: 'work through a checklist for the current incident (sev1, sev2, handoff); items the timeline proves are ticked for you',
  args: [arg('<name>', 'sev1, sev2, handoff, or your own')],
  options: [
    opt('--json', 'the items: text, done, by whom, when, ticked automatically or by hand'),
    many('--check <item>', 'tick an item (id, number or a piece of its text); repeatable'),
    many('--uncheck <item>', 'untick an item; repeatable'),
    opt('--at <time>', 'when it was done (ISO 8601), if earlier: the tick is dated then'),
  ],
  run: async (ctx, name: string, opts: { json?: boolean; check: string[]; uncheck: string[]; at?: string }) =>
    (await import('./checklist.js')).checklistCommand(ctx, name, opts),
});

const POSTMORTEM: CommandSpec = {
  name: 'postmortem',
  description: 'the post-mortem, generated from the timeline',
  subcommands: [
    command({
      name: 'generate',
      description:
        "write the playbook's post-mortem template filled from the timeline (default: postmortem.md in the incident's directory)",
      options: [
        opt('-o, --output <file>', 'where to write it ("-" for standard output)'),
        opt('--format <format>', 'md (default) or json'),
        opt('--author <name>', 'author (default: the scribe, else the commander)'),
      ],
      run: async (ctx, opts: PostmortemOptions) => (await import('./postmortem.js')).postmortemGenerate(ctx, opts),
    }),
    command({
      name: 'schedule',
      description: 'record the date the post-mortem meeting is set for (ticks "Post-mortem scheduled")',
      options: [opt('--on <date>', 'the day (YYYY-MM-DD) or time (ISO 8601) of the post-mortem meeting'), json],
      run: async (ctx, opts: ScheduleOptions) => (await import('./postmortem-schedule.js')).postmortemSchedule(ctx, opts),
    }),
  ],
};

const TRIAGE = command({
  name: 'triage',
  description: 'read-only sweep of the cluster: what is wrong, which runbook to start with, which severity',
  needsPolicy: false,
  options: [
    json,
    opt('--deployment <name>', 'the deployment whose latest rollout is checked', 'budapp'),
    opt('--timeout <seconds>', 'timeout for each API request', '10'),
  ],
  run: async (ctx, opts: JsonOpt & { deployment?: string; timeout?: string }) => (await import('./triage.js')).triageCommand(ctx, opts),
});

const RUNBOOKS: CommandSpec = {
  name: 'runbooks',
  description: 'discover, read, lint and test runbooks',
  needsPolicy: false,
  subcommands: [
    command({
      name: 'list',
      description: 'list the runbooks (shipped and from extra directories)',
      options: [json],
      run: async (ctx, opts: JsonOpt) => (await import('./runbooks-list.js')).listRunbooks(ctx, opts),
    }),
    command({
      name: 'show',
      description: 'show a runbook: indicators, inputs, steps, causes, mitigations, scenarios',
      args: [arg('<id>')],
      options: [json],
      run: async (ctx, id: string, opts: JsonOpt) => (await import('./runbooks.js')).showRunbook(ctx, id, opts),
    }),
    command({
      name: 'validate',
      description: 'check runbook files and report every problem as file:line:col (exit 1 on any error)',
      args: [arg('[files...]', 'files to check (default: every runbook in the catalogue)')],
      options: [json],
      run: async (ctx, files: string[], opts: JsonOpt) => (await import('./runbooks.js')).validateRunbooks(ctx, files, opts),
    }),
    command({
      name: 'test',
      description: 'replay every scenario of each runbook and compare the findings with the ones it declares',
      args: [arg('[ids...]', 'runbooks to test (default: all)')],
      options: [json],
      run: async (ctx, ids: string[], opts: JsonOpt) => (await import('./runbooks.js')).testRunbooks(ctx, ids, opts),
    }),
    command({
      name: 'schema',
      description: 'print the JSON Schema of the runbook format (for yaml-language-server)',
      run: async (ctx) => (await import('./runbooks.js')).printSchema(ctx),
    }),
  ],
};

const TIMELINE = command({
  name: 'timeline',
  description: "show the incident's timeline",
  needsPolicy: false,
  options: [
    opt('--json', 'one JSON event per line'),
    opt('--format <format>', 'table (default), md or json'),
    opt('--all', 'include step starts'),
    opt('-f, --follow', "keep printing events as they land (teammates' too, in team mode) until Ctrl-C"),
  ],
  run: async (ctx, opts: JsonOpt & { format?: string; all?: boolean; follow?: boolean }) =>
    (await import('./timeline.js')).showTimeline(ctx, opts),
  subcommands: [
    command({
      name: 'verify',
      description:
        'check that every line is whole, the hash chain is intact, the record opens this incident and every artifact matches its recorded hash; names the first bad line',
      options: [
        opt(
          '--head <hash>',
          'a head witness (from a status update or the post-mortem, at least 12 hex digits): check it is an event of this chain',
        ),
        opt('--file <path>', 'verify this timeline file instead (an export: bud-incident incidents export ID -o FILE)'),
        json,
      ],
      run: async (ctx, opts: JsonOpt & { head?: string; file?: string }) =>
        (await import('./timeline.js')).verifyTimelineCommand(ctx, opts),
    }),
  ],
});

const CONFIG: CommandSpec = {
  name: 'config',
  description: 'configuration',
  needsPolicy: false,
  subcommands: [
    command({
      name: 'show',
      description: 'print the effective configuration and where it came from',
      options: [json],
      run: async (ctx, opts: JsonOpt) => (await import('./config.js')).showConfig(ctx, opts),
    }),
  ],
};

/** Every command, in the order `--help` lists them. */
export const COMMANDS: CommandSpec[] = [
  RUN,
  DECLARE,
  CLASSIFY,
  STATUS,
  UPDATE,
  NOTE,
  ASSIGN,
  SEVERITY,
  ESCALATE,
  ACTION,
  MILESTONE,
  HANDOFF,
  RESOLVE,
  INCIDENTS,
  CHECKLIST,
  POSTMORTEM,
  TRIAGE,
  RUNBOOKS,
  TIMELINE,
  STORE,
  CONFIG,
];
