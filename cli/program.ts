/**
 * The command-line grammar (commander): commands, options, help, and the mapping of every kind of
 * failure to an exit code and one line on stderr.
 *
 * @module
 */
import fs from 'node:fs';
import { Command, CommanderError } from 'commander';
import type { ModelDefinition } from '../checker/index.js';
import { STRATEGIES } from '../checker/index.js';
import { registry } from '../protocols/registry.js';
import { runCheck } from './check.js';
import { buildDiagramPlan, runDiagram, type RawDiagramOptions } from './diagram.js';
import { EXIT, UsageError, type ExitCode } from './errors.js';
import { runList } from './list.js';
import { buildReplayPlan, runReplay, type RawReplayOptions } from './replay.js';
import { buildTestgenPlan, runTestgen } from './testgen.js';
import { buildCheckPlan, type RawCheckOptions } from './options.js';

const NAME = 'clusterspec';

/** `clusterspec: <message>` on one line. */
function reportError(message: string): void {
  const oneLine = message.replace(/\s*\n\s*/g, ' ').trim();
  process.stderr.write(`${NAME}: ${oneLine}\n`);
}

/** Commander's error text without its `error: ` prefix. */
const commanderMessage = (text: string): string => text.replace(/^error:\s*/, '');

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

function version(): string {
  try {
    const pkg: unknown = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    if (typeof pkg === 'object' && pkg !== null && 'version' in pkg && typeof pkg.version === 'string') return pkg.version;
  } catch {
    // fall through
  }
  return 'unknown';
}

const CHECK_EXAMPLES = `
Examples:
  $ clusterspec check two-phase
  $ clusterspec check two-phase --size rm=5 --json
  $ clusterspec check two-phase --bug tm-commit-without-all-votes --trace-out cex.json
  $ clusterspec check --all --large --time-limit 10m
  $ clusterspec check two-phase --strategy random --seed 7 --walks 5000

Exit codes: 0 pass, 1 violation, 2 bad input, 3 incomplete (no violation), 4 error.`;

const DIAGRAM_EXAMPLES = `
Examples:
  $ clusterspec diagram two-phase
  $ clusterspec diagram two-phase --role rm --format svg --out rm.svg
  $ clusterspec diagram two-phase --format dot | dot -Tpng -O
  $ clusterspec diagram two-phase --role tm --format scxml

Without --role: every role (mermaid, dot: one diagram after another; json: an array); svg and
scxml need --role when the model has several roles.`;

/** Build the program. Actions store their exit code in `exit.code`. */
function buildProgram(models: readonly ModelDefinition[], exit: { code: ExitCode }): Command {
  const program = new Command(NAME)
    .description('Explicit-state model checking of distributed-protocol specifications.')
    .version(version(), '-V, --version')
    // Both settings are inherited by the commands defined below.
    .exitOverride()
    .configureOutput({ outputError: (text) => reportError(commanderMessage(text)) });

  program
    .command('list')
    .description('list the models with their sizes, invariants and seeded bugs')
    .option('--json', 'print a JSON array instead of text')
    .action((options: { json?: boolean }) => {
      exit.code = runList(models, options);
    });

  program
    .command('check')
    .description('model-check the named models (or every model with --all)')
    .argument('[models...]', `models to check (${models.map((m) => m.name).join(', ')})`)
    .option('--all', 'check every registered model')
    .option('--size <key=value>', 'set a size parameter, e.g. rm=4 (repeatable)', collect)
    .option('--large', "start from the models' large size instead of the default one")
    .option('--bug <id>', 'switch on a seeded bug (repeatable)', collect)
    .option('--strategy <name>', `search strategy: ${STRATEGIES.join(', ')} (default: bfs)`)
    .option('--seed <n>', 'seed of the random strategy, a non-negative integer (default: 0)')
    .option('--max-states <n>', 'stop (incomplete) after this many distinct states')
    .option('--max-depth <n>', 'do not explore deeper than this many steps (random: walk length, default 100)')
    .option('--time-limit <duration>', 'stop (incomplete) after this long: seconds, or 30s, 5m, 1h')
    .option('--walks <n>', 'random strategy: number of walks (default: 1000)')
    .option('--json', 'print the results as JSON on stdout')
    .option('--trace-out <file>', 'write the counterexample as JSON to <file> when a violation is found')
    .option('--quiet', 'do not show progress on stderr')
    .addHelpText('after', CHECK_EXAMPLES)
    .action((names: string[], options: RawCheckOptions) => {
      exit.code = runCheck(buildCheckPlan(names, options, models));
    });

  program
    .command('diagram')
    .description("draw a model's role statecharts (Mermaid, Graphviz DOT, SVG, SCXML or JSON)")
    .argument('<model>', `the model (${models.filter((m) => (m.roles ?? []).length > 0).map((m) => m.name).join(', ') || 'none has roles yet'})`)
    .option('--role <role>', 'draw only this role (default: every role)')
    .option('--format <format>', 'mermaid, dot, svg, scxml or json (default: mermaid)')
    .option('--out <file>', 'write to <file> (atomically) instead of stdout')
    .addHelpText('after', DIAGRAM_EXAMPLES)
    .action((model: string, options: RawDiagramOptions) => {
      exit.code = runDiagram(buildDiagramPlan(model, options, models));
    });

  program
    .command('testgen')
    .description("write a vitest suite for a model: its charts' paths driving the implementation, and its stored counterexamples")
    .argument('<model>', 'the model')
    .option('--out <dir>', 'the directory to write (must not exist, or be empty)')
    .option('--max-paths <n>', 'at most n chart paths per role, shortest paths first (default 10000); a note says how many were left out')
    .action((model: string, options: { out?: string; maxPaths?: string }) => {
      exit.code = runTestgen(buildTestgenPlan(model, options, models));
    });

  program
    .command('replay')
    .description('re-execute a trace file against its model and show what changed at each step')
    .argument('<trace>', 'a trace file, as written by check --trace-out')
    .option('--to <n>', 'stop after step n')
    .option('--format <format>', 'text (default), json (a summary), mermaid (a sequence diagram), itf (the Informal Trace Format) or html (a page to step through)')
    .option('--json', 'the same as --format json')
    .option('--step', 'step through interactively in a terminal (n, b, j N, r ROLE, v, q); prints everything otherwise')
    .action((file: string, options: RawReplayOptions) => {
      exit.code = runReplay(buildReplayPlan(file, options, models));
    });

  return program;
}

/** Run `clusterspec` with the arguments after the program name; returns the exit code. */
export function run(args: readonly string[], models: readonly ModelDefinition[] = registry): ExitCode {
  if (args.length === 0) {
    reportError(`missing command: use "list", "check", "diagram" or "replay" (see ${NAME} --help)`);
    return EXIT.usage;
  }
  const exit: { code: ExitCode } = { code: EXIT.pass };
  const program = buildProgram(models, exit);
  const [first, second] = args;
  if (first === 'help' && second !== undefined && !program.commands.some((c) => c.name() === second)) {
    // Commander would print the whole help on stderr.
    reportError(`unknown command '${second}'`);
    return EXIT.usage;
  }
  try {
    program.parse([...args], { from: 'user' });
    return exit.code;
  } catch (error) {
    if (error instanceof UsageError) {
      reportError(error.message);
      return EXIT.usage;
    }
    if (error instanceof CommanderError) {
      // --help, --version and `help` exit 0; every other commander error was reported by outputError.
      return error.exitCode === 0 ? EXIT.pass : EXIT.usage;
    }
    reportError(`error: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT.error;
  }
}
