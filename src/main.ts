/**
 * The entry point: builds the real dependencies, parses argv, runs one command and maps what
 * happened to an exit code. The only module that reads process.argv or exits.
 *
 * Exit codes: 0 ran and all checks passed; 1 ran and found problems; 2 usage or input error;
 * 3 the state directory could not be written; 70 internal error (a bug); 130 interrupted.
 */
import { Command, CommanderError, Option } from 'commander';
import { systemClock } from './adapters/clock.js';
import { UserError } from './errors.js';
import { processTerminal } from './render/terminal.js';
import { prepareConfig, type Context, type GlobalOptions } from './cli/context.js';
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

Rehearse without a cluster:
  bud-incident run platform-outage --simulate database-failure

Environment: BUD_INCIDENT_HOME (state directory), BUD_INCIDENT_RUNBOOKS (extra runbook dirs),
BUD_INCIDENT_CONFIG, BUD_INCIDENT_ACTOR, KUBECONFIG, NO_COLOR, FORCE_COLOR.
Exit codes: 0 all passed, 1 problems found, 2 usage or input error, 3 cannot write state, 130 interrupted.`,
    );
  program.hook('preAction', async (_program, actionCommand) => {
    const o = actionCommand.optsWithGlobals<GlobalOptions & { color?: boolean }>();
    ctx.global.config = o.config;
    ctx.global.runbooksDir = o.runbooksDir ?? [];
    ctx.global.incident = o.incident;
    await prepareConfig(ctx);
  });

  program
    .command('run')
    .description('step through a runbook: run its checks, judge what they find, suggest mitigations, record everything')
    .argument('<runbook>', 'runbook id (see "runbooks list")')
    .option('-y, --yes', 'non-interactive: run every check, skip manual steps; never consents to mitigations')
    .option('--json', 'print one JSON event per line instead of the terminal view')
    .option('--dry-run', 'show every step and command that would run; run and record nothing')
    .option('--simulate <scenario>', "replay the runbook's recorded scenario instead of touching a cluster")
    .option('--var <name=value>', 'value for a runbook input; repeatable', collect, [])
    .option('--resume', 'continue the interrupted run of this runbook at its first unfinished step')
    .option('--severity <SEVn>', "severity of the incident this run opens (default: the runbook's)")
    .option('--timeout <seconds>', "timeout for every command, overriding the runbook's (e.g. 10 or 10s)")
    .addOption(
      new Option('--allow-mitigations', 'CONSENT to run mitigations that CHANGE THE SYSTEM without asking (never implied by --yes)'),
    )
    .action(async (id: string, opts: RunOptions) => setExit(await (await import('./cli/run.js')).runCommand(ctx, id, opts)));

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
    .description('check that every line is whole and the hash chain is intact; names the first bad line')
    .option('--json', 'machine-readable output')
    .action(async (opts: JsonOpt) => setExit((await import('./cli/timeline.js')).verifyTimelineCommand(ctx, opts)));

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
  const term = processTerminal(env);
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

const code = await main(process.argv);
// Let pending writes to a pipe finish before exiting.
process.stdout.write('', () => process.exit(code));
