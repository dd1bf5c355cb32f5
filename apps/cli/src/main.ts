import { formatDiagnostic } from '@agentlang/manifest';
import { formatCommandHelp, formatUsage, globalHelp, parseArguments } from './arguments.js';
import type { CommandModule, CommandResult, CommandSpec } from './command.js';
import { CliError, CliErrorCode } from './errors.js';
import { EXIT_CODE_HELP, EXIT_CODES, exitCodeFor } from './exit-codes.js';
import { VERSION } from './version.js';

// The only module that prints or sets the exit status. Keep its imports light: it is in every verb's
// bundle (dist/verbs/<verb>.cjs), and only formatDiagnostic comes from @agentlang/manifest.

/** Loads the module of a verb: its bundle's own (src/verb-entry.ts), or src/commands/<verb>.ts from sources. */
export type LoadCommand = (name: string) => Promise<CommandModule>;

/** An error with a string code, as every @agentlang package throws. */
interface CodedError {
  code: string;
  message: string;
  details?: unknown;
}

function isCodedError(error: unknown): error is CodedError {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as CodedError).code === 'string' &&
    /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/.test((error as CodedError).code)
  );
}

function formatHelp(commands: readonly CommandSpec[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `agentlang ${VERSION} — declare, validate, resolve, lock, build, run and publish AI agents`,
    '',
    'Usage: agentlang <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    ...globalHelp(),
    '',
    ...EXIT_CODE_HELP,
  ].join('\n');
}

/** The `--help --json` document of one command: its help text and its declarations. */
function helpData(spec: CommandSpec): {
  command: string;
  summary: string;
  usage: string;
  positionals: unknown;
  options: unknown;
} {
  return {
    command: spec.name,
    summary: spec.summary,
    usage: formatUsage(spec),
    positionals: spec.positionals,
    options: spec.options,
  };
}

function write(stream: NodeJS.WriteStream, text: string): void {
  if (text.length > 0) stream.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** Diagnostics carried by an error (`details.diagnostics`, as @agentlang/manifest reports them). */
function diagnosticsOf(error: CodedError): unknown[] {
  const details = error.details as { diagnostics?: unknown } | undefined;
  return Array.isArray(details?.diagnostics) ? details.diagnostics : [];
}

function printError(error: unknown, json: boolean, spec: CommandSpec | undefined): number {
  const usage = error instanceof CliError;
  const coded = isCodedError(error);
  const code = coded ? error.code : 'INTERNAL';
  const message = error instanceof Error ? error.message : String(error);
  const details = coded ? (error.details ?? null) : null;
  if (json) {
    write(process.stdout, JSON.stringify({ error: { code, message, details } }, null, 2));
  } else {
    const diagnostics = coded ? diagnosticsOf(error) : [];
    if (diagnostics.length > 0) {
      for (const d of diagnostics) write(process.stderr, formatDiagnostic(d as Parameters<typeof formatDiagnostic>[0]));
    }
    // The diagnostics above are the detail; a message that repeats them is cut to its summary line.
    const summary = diagnostics.length > 0 ? (message.split('\n')[0] ?? message).replace(/:$/, '') : message;
    write(process.stderr, `Error: ${summary}`);
    if (usage && spec) write(process.stderr, `Run \`agentlang ${spec.name} --help\` for usage.`);
    if (!coded && error instanceof Error && process.env.AGENTLANG_DEBUG) write(process.stderr, error.stack ?? '');
  }
  return exitCodeFor(code);
}

/** Runs one invocation against a command table and returns the exit status (printing as it goes). */
export async function main(argv: string[], commands: readonly CommandSpec[], load: LoadCommand): Promise<number> {
  const wantsJson = argv.includes('--json');
  let spec: CommandSpec | undefined;
  try {
    if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
      const topic = argv[0] === 'help' && argv[1] !== undefined ? commands.find((c) => c.name === argv[1]) : undefined;
      if (argv[0] === 'help' && argv[1] !== undefined && !topic)
        throw new CliError(
          CliErrorCode.Command,
          `unknown command '${argv[1]}'; run \`agentlang --help\` for the list`,
          { details: { command: argv[1].slice(0, 40) } },
        );
      if (wantsJson)
        write(
          process.stdout,
          JSON.stringify(topic ? helpData(topic) : { version: VERSION, commands: commands.map(helpData) }, null, 2),
        );
      else write(process.stdout, topic ? formatCommandHelp(topic) : formatHelp(commands));
      return argv.length === 0 ? EXIT_CODES.USAGE! : EXIT_CODES.OK!;
    }
    if (argv[0] === '--version' || argv[0] === '-V' || (argv[0] === '--json' && argv[1] === '--version')) {
      write(process.stdout, wantsJson ? JSON.stringify({ version: VERSION }) : VERSION);
      return EXIT_CODES.OK!;
    }
    const verbIndex = argv.findIndex((a) => !a.startsWith('-'));
    const verb = verbIndex >= 0 ? argv[verbIndex]! : '';
    spec = commands.find((c) => c.name === verb);
    if (!spec) {
      throw new CliError(
        CliErrorCode.Command,
        verb
          ? `unknown command '${verb}'; run \`agentlang --help\` for the list`
          : 'no command given; run `agentlang --help`',
        {
          details: verb ? { command: verb.slice(0, 40) } : {},
        },
      );
    }
    const rest = [...argv.slice(0, verbIndex), ...argv.slice(verbIndex + 1)];
    const parsed = parseArguments(spec, rest);
    if (parsed.help) {
      write(process.stdout, parsed.json ? JSON.stringify(helpData(spec), null, 2) : formatCommandHelp(spec));
      return EXIT_CODES.OK!;
    }
    const { json } = parsed;
    const module = await load(spec.name);
    const result: CommandResult = await module.run({
      positionals: parsed.positionals,
      values: parsed.values,
      json,
      verbose: parsed.verbose,
      cwd: process.cwd(),
      env: process.env,
      log: (line) => process.stderr.write(`${line}\n`),
    });
    if (json) write(process.stdout, JSON.stringify(result.data ?? {}, null, 2));
    else if (result.text !== undefined) write(process.stdout, result.text);
    return result.exitCode ?? EXIT_CODES.OK!;
  } catch (error) {
    return printError(error, wantsJson, spec);
  }
}

/** Runs `argv` (the process's arguments after the script) and sets the exit status. */
export function runCli(argv: string[], commands: readonly CommandSpec[], load: LoadCommand): void {
  main(argv, commands, load).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`Error: ${String(error)}\n`);
      process.exitCode = EXIT_CODES.INTERNAL!;
    },
  );
}
