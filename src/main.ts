/**
 * The entry point: builds the real dependencies, parses argv, runs one command and maps what
 * happened to an exit code. The only module that reads process.argv or exits.
 *
 * Exit codes: 0 ran and all checks passed; 1 ran and found problems; 2 usage or input error;
 * 3 the state directory could not be written; 70 internal error (a bug); 130 interrupted;
 * 141 standard output was closed before everything was printed (`| head -1`: as SIGPIPE would end
 * a filter; what was recorded is intact, and a run is ended and recorded as aborted).
 */
import { Command, CommanderError, Option } from 'commander';
import { systemClock } from './adapters/clock.js';
import { UserError } from './errors.js';
import { guardedTerminal, neutralise, processTerminal, redactingTerminal } from './render/terminal.js';
import { EXIT_OUTPUT_CLOSED, isClosedOutputError, outputClosed } from './render/closed-output.js';
import { Redactor } from './secrets/redact.js';
import { prepareConfig, type Context, type GlobalOptions } from './cli/context.js';
import { prepareDocs } from './cli/docs.js';
import type { RunOptions } from './cli/run.js';

type JsonOpt = { json?: boolean };
import { packageVersion } from './paths.js';

const collect = (value: string, previous: string[]) => [...previous, value];

function buildProgram(ctx: Context, setExit: (code: number) => void): Command {
  const program = new Command('bud-incident');
  const run = (fn: () => number | Promise<number>) => async () => setExit(await fn());
  program
    .description('Runbook-as-code incident response for the Bud platform: run the playbook, keep the record, write the paperwork.')
    .version(packageVersion(), '-V, --version')
    .option('--config <file>', 'config file (default: $BUD_INCIDENT_CONFIG, ./.bud-incident.yaml, ~/.config/bud-incident/config.yaml)')
    .option('--runbooks-dir <dir>', 'extra runbook directory; repeatable; overrides shipped runbooks by id', collect, [])
    .option('--incident <id>', 'act on this incident instead of the current one')
    .option('--ignore-chain', 'read and add to an incident whose timeline does not verify (a warning names the bad line)')
    .option('--no-color', 'disable colour (also: NO_COLOR=1)')
    .showHelpAfterError('(run with --help for usage)')
    .showSuggestionAfterError(true)
    .addHelpText(
      'after',
      `
The playbook's three everyday commands:
  bud-incident run platform-outage       step through a runbook against the cluster
  bud-incident checklist sev1            work through the SEV1 checklist
  bud-incident postmortem generate       write the post-mortem from the timeline

Rehearse without a cluster (a drill: an incident of its own, marked DRILL, not made current):
  bud-incident run platform-outage --simulate database-failure

Environment: BUD_INCIDENT_HOME (state directory), BUD_INCIDENT_RUNBOOKS (extra runbook dirs),
BUD_INCIDENT_CONFIG, BUD_INCIDENT_ACTOR, KUBECONFIG, NO_COLOR, FORCE_COLOR.
Exit codes: 0 all passed, 1 problems found, 2 usage or input error, 3 cannot write state, 130 interrupted,
141 standard output was closed early (e.g. "| head -1"; a run is then aborted and recorded).`,
    );
  program.hook('preAction', async (_program, actionCommand) => {
    const o = actionCommand.optsWithGlobals<GlobalOptions & { color?: boolean }>();
    ctx.global.config = o.config;
    ctx.global.runbooksDir = o.runbooksDir ?? [];
    ctx.global.incident = o.incident;
    ctx.global.ignoreChain = o.ignoreChain ?? false;
    await prepareConfig(ctx);
    // The policy and checklists are for the incident commands; the fast paths skip them.
    const top = actionCommand.parent && actionCommand.parent !== program ? actionCommand.parent.name() : actionCommand.name();
    if (!['run', 'runbooks', 'triage', 'config', 'timeline'].includes(top)) await prepareDocs(ctx);
  });

  program
    .command('run')
    .description('step through a runbook: run its checks, judge what they find, suggest mitigations, record everything')
    .argument('<runbook>', 'runbook id (see "runbooks list")')
    .option('-y, --yes', 'non-interactive: run every check, skip manual steps; never consents to mitigations')
    .option('--json', 'print one JSON event per line instead of the terminal view')
    .option('--dry-run', 'show every step and command that would run; run and record nothing')
    .option(
      '--simulate <scenario>',
      "a drill: replay the runbook's recorded scenario instead of touching a cluster, in a drill incident of its own (never in a live incident)",
    )
    .option('--make-current', 'with --simulate: make the drill it opens (or records in) the current incident; by default it is not')
    .option('--var <name=value>', 'value for a runbook input; repeatable', collect, [])
    .option('--resume', 'continue the interrupted run of this runbook at its first unfinished step')
    .option('--severity <SEVn>', "severity of the incident this run opens (default: the runbook's)")
    .option('--timeout <seconds>', "timeout for every command, overriding the runbook's (e.g. 10 or 10s)")
    .option(
      '--at <time>',
      'when you began this runbook (ISO 8601), if earlier (needs an open incident); its checks run and are recorded now',
    )
    .addOption(
      new Option('--allow-mitigations', 'CONSENT to run mitigations that CHANGE THE SYSTEM without asking (never implied by --yes)'),
    )
    .action(async (id: string, opts: RunOptions) => setExit(await (await import('./cli/run.js')).runCommand(ctx, id, opts)));

  program
    .command('declare')
    .description('open an incident: channel name, initial message, response deadline, escalation plan')
    .option('--title <text>', 'brief description (the channel name is made from it)')
    .option('--severity <SEVn>', 'SEV1, SEV2, SEV3 or SEV4')
    .option('--commander <person>', 'incident commander')
    .option('--summary <text>', 'one-line summary for the initial message')
    .option('--impact <text>', 'who/what is affected')
    .option('--at <time>', 'when it started (ISO 8601), if before now')
    .option(
      '--detected-by <source>',
      'how it was detected (§2.1): alert, user-report or internal; a detail after a colon ("alert: PagerDuty BudAPIDown")',
    )
    .option('--data-breach', 'a data breach: escalates to L4 at once')
    .option('--data-loss', 'data corruption or loss (SEV1 criterion; not a breach: no L4 at once)')
    .option('--major', 'a major incident: engages the executive level')
    .option('--drill', 'a rehearsal: marked DRILL everywhere, never a live incident')
    .option('--make-current', 'with --drill: make the drill the current incident (by default it is not)')
    .option('--json', 'machine-readable output')
    .action(async (opts: import('./cli/declare.js').DeclareOptions) =>
      setExit(await (await import('./cli/declare.js')).declareCommand(ctx, opts)),
    );
  program
    .command('classify')
    .description("walk the policy's classification criteria and recommend a severity (interactive without flags)")
    .option('--platform-down', 'the platform is completely unavailable')
    .option('--inference-failing <percent>', 'share of inference requests failing')
    .option('--data-breach', 'a data breach or security incident (with --apply: engages L4 at once)')
    .option('--data-loss', 'data corruption or loss (not a breach)')
    .option('--users <who>', 'users affected: all, subset, single (one user) or none')
    .option('--single-feature', 'a single endpoint or feature is impacted')
    .option('--major-feature-down', 'a major feature (auth, deployments) is unavailable')
    .option('--performance <level>', 'significant, slight or none')
    .option('--workaround', 'a workaround is available')
    .option('--cosmetic', 'cosmetic only (a UI glitch)')
    .option('--informational', 'documentation or informational only')
    .option('--apply', 'set the current incident to the recommended severity')
    .option('--at <time>', 'with --apply: when it was classified (ISO 8601), if earlier')
    .option('--json', 'machine-readable output')
    .action(async (opts: import('./cli/classify.js').ClassifyOptions) =>
      setExit(await (await import('./cli/classify.js')).classifyCommand(ctx, opts)),
    );
  program
    .command('status')
    .description('where the incident stands: phase, response time, roles, findings, due update and escalation, checklists, post-mortem')
    .option('--json', 'machine-readable output')
    .action(async (opts: JsonOpt) =>
      setExit(
        await (await import('./cli/status.js')).statusCommand(ctx, opts, (await import('./cli/checklist.js')).checklistProgress(ctx)),
      ),
    );
  program
    .command('update')
    .description('build, record and print the status update from the template (interactive without flags)')
    .option('--status <status>', 'Investigating, Identified, Mitigating, Monitoring or Resolved')
    .option('--impact <text>', 'current impact: who/what is affected')
    .option('--users-affected <n>', 'how many users are affected (§3.4; kept for later updates and the post-mortem)')
    .option('--requests-failed <n>', 'how many requests failed (§3.4; kept for later updates and the post-mortem)')
    .option('--findings <text>', 'what we know (default: the findings so far)')
    .option('--actions <text>', 'current actions (default: mitigations and open action items)')
    .option('--next-update <duration>', "when the next update is due (default: the severity's cadence)")
    .option('--at <time>', 'when it was posted (ISO 8601), if earlier; the next update is due from then')
    .option('--json', 'machine-readable output')
    .action(async (opts: import('./cli/update.js').UpdateOptions) =>
      setExit(await (await import('./cli/update.js')).updateCommand(ctx, opts)),
    );
  program
    .command('note')
    .description("the scribe's timeline entry")
    .argument('<text>')
    .option('--at <time>', 'when it happened (ISO 8601), if earlier')
    .option('--tag <tag>', 'went-well, went-wrong, lesson, root-cause, impact (for the post-mortem); repeatable', collect, [])
    .action(async (text: string, opts: { at?: string; tag: string[] }) =>
      setExit((await import('./cli/note.js')).noteCommand(ctx, text, opts)),
    );
  program
    .command('assign')
    .description('assign a role: commander, comms, tech-lead, scribe')
    .argument('<role>')
    .argument('<person>')
    .option('--at <time>', 'when they took the role (ISO 8601), if earlier')
    .option('--json', 'machine-readable output')
    .action(async (role: string, person: string, opts: JsonOpt & { at?: string }) =>
      setExit((await import('./cli/assign.js')).assignCommand(ctx, role, person, opts)),
    );
  program
    .command('severity')
    .description('change the severity (deadlines and escalation follow it)')
    .argument('<SEVn>')
    .option('--reason <text>', 'why (required)')
    .option('--at <time>', 'when it changed (ISO 8601), if earlier')
    .option('--json', 'machine-readable output')
    .action(async (sev: string, opts: { reason?: string; at?: string; json?: boolean }) =>
      setExit((await import('./cli/severity.js')).severityCommand(ctx, sev, opts)),
    );
  program
    .command('escalate')
    .description('who must be engaged now per the escalation matrix; records that they were')
    .option('--json', 'machine-readable output (due, next)')
    .option('--dry-run', 'show, do not record')
    .option('--major', 'declare this a major incident (executive level)')
    .option('--data-breach', 'declare a data breach (L4 at once)')
    .option('--at <time>', 'when they were engaged (ISO 8601), if earlier: what was due then is recorded')
    .action(async (opts: { json?: boolean; dryRun?: boolean; major?: boolean; dataBreach?: boolean; at?: string }) =>
      setExit((await import('./cli/escalate.js')).escalateCommand(ctx, opts)),
    );
  const action = program.command('action').description('action items with owner and due date');
  action
    .command('add')
    .argument('<text>')
    .option('--owner <person>', 'who does it (required)')
    .option('--due <date>', 'by when (YYYY-MM-DD)')
    .option('--at <time>', 'when it was agreed (ISO 8601), if earlier')
    .option('--json', 'machine-readable output')
    .action(async (text: string, opts: { owner?: string; due?: string; at?: string; json?: boolean }) =>
      setExit((await import('./cli/action.js')).actionAdd(ctx, text, opts)),
    );
  action
    .command('list')
    .option('--json', 'machine-readable output')
    .action(async (opts: JsonOpt) => setExit((await import('./cli/action.js')).actionList(ctx, opts)));
  action
    .command('done')
    .argument('<id>')
    .option('--at <time>', 'when it was done (ISO 8601), if earlier')
    .action(async (id: string, opts: { at?: string }) => setExit((await import('./cli/action.js')).actionDone(ctx, id, opts)));
  program
    .command('milestone')
    .description('record a lifecycle milestone: detected, acknowledged, investigating, identified, mitigated, ...')
    .argument('<name>')
    .option('--at <time>', 'when (ISO 8601); must keep milestones in order')
    .option('--by <source>', 'with "detected": how it was detected (alert, user-report, internal; "alert: detail")')
    .option('--json', 'machine-readable output')
    .action(async (name: string, opts: { at?: string; by?: string; json?: boolean }) =>
      setExit((await import('./cli/milestone.js')).milestoneCommand(ctx, name, opts)),
    );
  program
    .command('handoff')
    .description('handoff summary from the timeline, recorded; then the handoff checklist')
    .option('--to <person>', 'who takes over')
    .option('--from <person>', 'who hands over (default: the commander)')
    .option('--at <time>', 'when it happened (ISO 8601), if earlier')
    .option('--json', 'machine-readable output')
    .action(async (opts: { to?: string; from?: string; at?: string; json?: boolean }) =>
      setExit(
        await (
          await import('./cli/handoff.js')
        ).handoffCommand(ctx, opts, (await import('./cli/checklist.js')).offerChecklist(ctx, 'handoff')),
      ),
    );
  program
    .command('resolve')
    .description('close the incident with root cause and resolution; prints the post-mortem due date')
    .option('--root-cause <text>', 'what broke')
    .option('--resolution <text>', 'how it was fixed')
    .option('--at <time>', 'when it was resolved (ISO 8601)')
    .option('--users-affected <n>', 'how many users were affected (for the post-mortem)')
    .option('--requests-failed <n>', 'how many requests failed (for the post-mortem)')
    .option('--reopen', 'reopen a resolved incident')
    .option('--json', 'machine-readable output')
    .action(async (opts: { rootCause?: string; resolution?: string; at?: string; reopen?: boolean; json?: boolean }) =>
      setExit((await import('./cli/resolve.js')).resolveCommand(ctx, opts)),
    );
  const incidents = program.command('incidents').description('several incidents can be open; one is current');
  incidents
    .command('list')
    .option('--json', 'machine-readable output')
    .action(async (opts: JsonOpt) => setExit((await import('./cli/incidents.js')).incidentsList(ctx, opts)));
  incidents
    .command('show')
    .argument('[id]')
    .option('--json', 'machine-readable output')
    .action(async (id: string | undefined, opts: JsonOpt) => {
      if (id) ctx.global.incident = id;
      setExit(
        await (await import('./cli/status.js')).statusCommand(ctx, opts, (await import('./cli/checklist.js')).checklistProgress(ctx)),
      );
    });
  incidents
    .command('switch')
    .argument('<id>')
    .action(async (id: string) => setExit((await import('./cli/incidents.js')).incidentsSwitch(ctx, id)));
  incidents
    .command('close')
    .description(
      'end an incident WITHOUT a resolution: a finished drill, a duplicate of another incident (recorded, not deleted; reopen with resolve --reopen)',
    )
    .argument('[id]', 'the incident (default: the current one)')
    .option('--reason <text>', 'why it ends without resolution (required), e.g. "drill finished" or "duplicate of ID"')
    .option('--json', 'machine-readable output')
    .action(async (id: string | undefined, opts: { reason?: string; json?: boolean }) =>
      setExit((await import('./cli/incidents.js')).incidentsEnd(ctx, 'close', id, opts)),
    );
  incidents
    .command('discard')
    .description('mark an incident as OPENED BY MISTAKE (recorded, not deleted; it cannot be reopened)')
    .argument('[id]', 'the incident (default: the current one)')
    .option('--reason <text>', 'what the mistake was (required)')
    .option('--json', 'machine-readable output')
    .action(async (id: string | undefined, opts: { reason?: string; json?: boolean }) =>
      setExit((await import('./cli/incidents.js')).incidentsEnd(ctx, 'discard', id, opts)),
    );

  program
    .command('checklist')
    .description('work through a checklist for the current incident (sev1, sev2, handoff); items the timeline proves are ticked for you')
    .argument('<name>', 'sev1, sev2, handoff, or your own')
    .option('--json', 'the items: text, done, by whom, when, ticked automatically or by hand')
    .option('--check <item>', 'tick an item (id, number or a piece of its text); repeatable', collect, [])
    .option('--uncheck <item>', 'untick an item; repeatable', collect, [])
    .option('--at <time>', 'when it was done (ISO 8601), if earlier: the tick is dated then')
    .action(async (name: string, opts: { json?: boolean; check: string[]; uncheck: string[]; at?: string }) =>
      setExit(await (await import('./cli/checklist.js')).checklistCommand(ctx, name, opts)),
    );

  const postmortem = program.command('postmortem').description('the post-mortem, generated from the timeline');
  postmortem
    .command('generate')
    .description("write the playbook's post-mortem template filled from the timeline (default: postmortem.md in the incident's directory)")
    .option('-o, --output <file>', 'where to write it ("-" for standard output)')
    .option('--format <format>', 'md (default) or json')
    .option('--author <name>', 'author (default: the scribe, else the commander)')
    .action(async (opts: import('./cli/postmortem.js').PostmortemOptions) =>
      setExit((await import('./cli/postmortem.js')).postmortemGenerate(ctx, opts)),
    );

  postmortem
    .command('schedule')
    .description('record the date the post-mortem meeting is set for (ticks "Post-mortem scheduled")')
    .option('--on <date>', 'the day (YYYY-MM-DD) or time (ISO 8601) of the post-mortem meeting')
    .option('--json', 'machine-readable output')
    .action(async (opts: import('./cli/postmortem-schedule.js').ScheduleOptions) =>
      setExit((await import('./cli/postmortem-schedule.js')).postmortemSchedule(ctx, opts)),
    );

  program
    .command('triage')
    .description('read-only sweep of the cluster: what is wrong, which runbook to start with, which severity')
    .option('--json', 'machine-readable output')
    .option('--deployment <name>', 'the deployment whose latest rollout is checked', 'budapp')
    .option('--timeout <seconds>', 'timeout for each API request', '10')
    .action(async (opts: JsonOpt & { deployment?: string; timeout?: string }) =>
      setExit(await (await import('./cli/triage.js')).triageCommand(ctx, opts)),
    );

  const runbooks = program.command('runbooks').description('discover, read, lint and test runbooks');
  runbooks
    .command('list')
    .description('list the runbooks (shipped and from extra directories)')
    .option('--json', 'machine-readable output')
    .action(async (opts: JsonOpt) => setExit(await (await import('./cli/runbooks-list.js')).listRunbooks(ctx, opts)));
  runbooks
    .command('show')
    .description('show a runbook: indicators, inputs, steps, causes, mitigations, scenarios')
    .argument('<id>')
    .option('--json', 'machine-readable output')
    .action(async (id: string, opts: JsonOpt) => setExit((await import('./cli/runbooks.js')).showRunbook(ctx, id, opts)));
  runbooks
    .command('validate')
    .description('check runbook files and report every problem as file:line:col (exit 1 on any error)')
    .argument('[files...]', 'files to check (default: every runbook in the catalogue)')
    .option('--json', 'machine-readable output')
    .action(async (files: string[], opts: JsonOpt) => setExit((await import('./cli/runbooks.js')).validateRunbooks(ctx, files, opts)));
  runbooks
    .command('test')
    .description('replay every scenario of each runbook and compare the findings with the ones it declares')
    .argument('[ids...]', 'runbooks to test (default: all)')
    .option('--json', 'machine-readable output')
    .action(async (ids: string[], opts: JsonOpt) => setExit(await (await import('./cli/runbooks.js')).testRunbooks(ctx, ids, opts)));
  runbooks
    .command('schema')
    .description('print the JSON Schema of the runbook format (for yaml-language-server)')
    .action(run(async () => (await import('./cli/runbooks.js')).printSchema(ctx)));

  const timeline = program
    .command('timeline')
    .description("show the incident's timeline")
    .option('--json', 'one JSON event per line')
    .option('--format <format>', 'table (default), md or json')
    .option('--all', 'include step starts')
    .action(async (opts: JsonOpt & { format?: string; all?: boolean }) =>
      setExit((await import('./cli/timeline.js')).showTimeline(ctx, opts)),
    );
  timeline
    .command('verify')
    .description(
      'check that every line is whole, the hash chain is intact, the record opens this incident and every artifact matches its recorded hash; names the first bad line',
    )
    .option(
      '--head <hash>',
      'a head witness (from a status update or the post-mortem, at least 12 hex digits): check it is an event of this chain',
    )
    .option('--json', 'machine-readable output')
    .action(async (opts: JsonOpt & { head?: string }) => setExit((await import('./cli/timeline.js')).verifyTimelineCommand(ctx, opts)));

  const config = program.command('config').description('configuration');
  config
    .command('show')
    .description('print the effective configuration and where it came from')
    .option('--json', 'machine-readable output')
    .action(async (opts: JsonOpt) => setExit((await import('./cli/config.js')).showConfig(ctx, opts)));

  return program;
}

async function main(argv: string[]): Promise<number> {
  const env = process.env;
  if (argv.includes('--no-color')) env.NO_COLOR = '1';
  // Everything written to the terminal passes through the redactor: a secret typed into a note,
  // a title or a root cause never reaches the scrollback. The config's secret variables join in
  // once the config is read.
  const redaction = { redactor: new Redactor({ env }) };
  // And shows the control characters of text from outside escaped (an OSC 52 clipboard write in a
  // command's output, a screen clear in a note), keeping the tool's own colours.
  const term = guardedTerminal(redactingTerminal(processTerminal(env), (text) => redaction.redactor.redact(text)));
  const ctx: Context = {
    env,
    cwd: process.cwd(),
    term,
    clock: systemClock,
    stdinIsTTY: Boolean(process.stdin.isTTY),
    global: { runbooksDir: [] },
  };
  let exitCode = 0;
  const program = buildProgram(ctx, (code) => (exitCode = code));
  program.exitOverride();
  program.configureOutput({
    writeOut: (s) => term.out.write(s),
    writeErr: (s) => term.err.write(s),
    outputError: (s, write) => write(term.errColor.red(s)),
  });
  for (const sub of program.commands) {
    sub.exitOverride();
    for (const subsub of sub.commands) subsub.exitOverride();
  }
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version "fail" with exit code 0.
      if (
        error.exitCode === 0 ||
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help'
      )
        return 0;
      return 2;
    }
    if (error instanceof UserError) {
      term.err.write(`${term.errColor.red.bold('bud-incident: error:')} ${error.message}\n`);
      if (error.details.length) term.err.write(error.details.join('\n') + '\n');
      return error.exitCode;
    }
    const e = error as Error;
    term.err.write(
      `${term.errColor.red.bold('bud-incident: internal error')} (a bug; please report it with the lines below)\n${e?.stack ?? String(error)}\n` +
        'Events recorded before this point are intact (check with "bud-incident timeline verify").\n',
    );
    return 70;
  }
}

// A last line of defence: an error thrown outside the command's own flow (an event handler) still
// gets a clear message and an exit code, never a minified stack dump.
process.on('uncaughtException', (error) => {
  // A write to a closed pipe that escaped the guarded streams: the reader left, not a bug.
  if (isClosedOutputError(error)) process.exit(EXIT_OUTPUT_CLOSED);
  const shown = (text: string) => neutralise(new Redactor({ env: process.env }).redact(text));
  if (error instanceof UserError) {
    process.stderr.write(`bud-incident: error: ${shown(error.message)}\n`);
    process.exit(error.exitCode);
  }
  process.stderr.write(
    `bud-incident: internal error (a bug; please report it): ${shown(error.stack ?? String(error))}\nEvents recorded before this point are intact (check with "bud-incident timeline verify").\n`,
  );
  process.exit(70);
});

const status = await main(process.argv);
// Output that could not all be printed is said in the exit code, as SIGPIPE would (a write error or a bug wins).
const exitCode = () => (outputClosed('stdout') && status !== 3 && status !== 70 ? EXIT_OUTPUT_CLOSED : status);
// Let pending writes to a pipe finish before exiting.
if (outputClosed('stdout') || process.stdout.destroyed) process.exit(exitCode());
else process.stdout.write('', () => process.exit(exitCode()));
