/**
 * The entry point: builds the real dependencies, parses argv, runs one command and maps what
 * happened to an exit code. The only module that reads process.argv or exits.
 *
 * Exit codes: 0 ran and all checks passed; 1 ran and found problems; 2 usage or input error;
 * 3 the state directory could not be written; 70 internal error (a bug); 130 interrupted;
 * 141 standard output was closed before everything was printed (`| head -1`: as SIGPIPE would end
 * a filter; what was recorded is intact, and a run is ended and recorded as aborted).
 */
import { Command, CommanderError } from 'commander';
import { systemClock } from './adapters/clock.js';
import { UserError } from './errors.js';
import { stringField } from './guards.js';
import { guardedTerminal, isTerminal, neutralise, processTerminal, redactingTerminal } from './render/terminal.js';
import { EXIT_OUTPUT_CLOSED, isClosedOutputError, outputClosed } from './render/closed-output.js';
import { Redactor } from './secrets/redact.js';
import { prepareConfig, type Context, type GlobalOptions } from './cli/context.js';
import { prepareDocs } from './cli/docs.js';
import { collect, COMMANDS, type CommandSpec } from './cli/commands.js';
import { packageVersion } from './paths.js';

/** The commands that run without the policy and the checklists (loaded by prepareDocs for the others). */
const FAST_PATHS = COMMANDS.filter((c) => c.needsPolicy === false).map((c) => c.name);
/** The commands that never read or write an incident: no team-store sync around them. */
const NO_INCIDENTS = new Set(['runbooks', 'config', 'help', 'store']);
/** The commands that list the team's incidents or may open a new one (whose id must not clash). */
const DISCOVER = new Set(['incidents', 'declare', 'run', 'triage']);
/** The commands that may run for minutes (steps, prompts, an editor): what they write is shared as they go. */
const LONG = new Set(['run', 'triage', 'checklist', 'update']);

/** Adds a command of the table (cli/commands.ts), and its subcommands, to `parent`. */
function addCommand(parent: Command, spec: CommandSpec, ctx: Context, setExit: (code: number) => void): void {
  const cmd = parent.command(spec.name);
  if (spec.description !== undefined) cmd.description(spec.description);
  for (const a of spec.args ?? []) cmd.argument(a.name, a.description);
  for (const o of spec.options ?? []) {
    if (o.repeatable) cmd.option(o.flags, o.description, collect, []);
    else if (o.default !== undefined) cmd.option(o.flags, o.description, o.default);
    else cmd.option(o.flags, o.description);
  }
  const run = spec.run;
  if (run)
    cmd.action(async (...args: unknown[]) => {
      // An option that the parent command also has (`timeline verify --json`) is parsed by the parent,
      // wherever it is typed: the subcommand takes the parent's value when it has none of its own.
      for (const o of cmd.options) {
        const key = o.attributeName();
        const inherited: unknown = parent.getOptionValue(key);
        if (cmd.getOptionValue(key) === undefined && inherited !== undefined && parent.options.some((p) => p.attributeName() === key))
          cmd.setOptionValue(key, inherited);
      }
      setExit(await run(ctx, args));
    });
  for (const sub of spec.subcommands ?? []) addCommand(cmd, sub, ctx, setExit);
}

function buildProgram(ctx: Context, setExit: (code: number) => void): Command {
  const program = new Command('bud-incident');
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
    ctx.global.runbooksDir = o.runbooksDir; // a repeatable option: commander starts it at []
    ctx.global.incident = o.incident;
    ctx.global.ignoreChain = o.ignoreChain ?? false;
    await prepareConfig(ctx);
    // The policy and checklists are for the incident commands; the fast paths skip them.
    const top = actionCommand.parent && actionCommand.parent !== program ? actionCommand.parent.name() : actionCommand.name();
    if (!FAST_PATHS.includes(top)) await prepareDocs(ctx);
    // Team mode: bring in the team's events first (the client is loaded only then).
    // Commands that list incidents or may open one learn of every incident the team has; the others
    // sync the incidents this laptop has and the one named by --incident.
    if (ctx.store?.kind === 'postgres' && !NO_INCIDENTS.has(top))
      await (await import('./cli/team.js')).beginTeam(ctx, { discover: DISCOVER.has(top), shareWhileRunning: LONG.has(top) });
  });

  for (const spec of COMMANDS) addCommand(program, spec, ctx, setExit);
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
    stdinIsTTY: isTerminal(process.stdin),
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
    try {
      await program.parseAsync(argv);
    } finally {
      // Team mode: share what the command wrote, even when it failed part-way.
      if (ctx.team) await (await import('./cli/team.js')).endTeam(ctx);
    }
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
    // Anything may be thrown (not only an Error): its stack if it has one, else the value itself.
    term.err.write(
      `${term.errColor.red.bold('bud-incident: internal error')} (a bug; please report it with the lines below)\n${stringField(error, 'stack') ?? String(error)}\n` +
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
