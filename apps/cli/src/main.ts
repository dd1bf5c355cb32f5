import { parseArgs } from 'node:util';
import { type CommandOptions, type CommandResult, type CommandSpec, UsageError } from './command.js';
import { EXIT_CODE_HELP, EXIT_CODES, exitCodeFor } from './exit-codes.js';
import { VERSION } from './version.js';

// The only module that prints or sets the exit status. Keep its imports light: everything a verb
// needs is loaded by that verb's lazy chunk, so `agentlang validate` pays only for validate.
// The command table is a parameter: the full CLI (full.ts) passes every verb; the code-cached
// validate fast path (hot/validate-core.ts) passes only validate.

const GLOBAL_OPTIONS: CommandOptions = {
  json: { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
};

const GLOBAL_HELP = [
  'Global options:',
  '  --json          print exactly one JSON document on stdout (errors: {"error":{code,message,details}})',
  '  -v, --verbose   explain decisions on stderr',
  '  -h, --help      show help (also: agentlang <command> --help)',
  '  --version       print the version',
];

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

function formatHelp(commands: CommandSpec[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `agentlang ${VERSION} — declare, validate, resolve, lock, build, run and publish AI agents`,
    '',
    'Usage: agentlang <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    ...GLOBAL_HELP,
    '',
    ...EXIT_CODE_HELP,
  ].join('\n');
}

function formatCommandHelp(spec: CommandSpec): string {
  return [`agentlang ${spec.name} — ${spec.summary}`, '', spec.usage.trimEnd(), '', ...GLOBAL_HELP].join('\n');
}

/** The `--help --json` document of one command. */
function helpData(spec: CommandSpec): { command: string; summary: string; usage: string } {
  return { command: spec.name, summary: spec.summary, usage: spec.usage };
}

function write(stream: NodeJS.WriteStream, text: string): void {
  if (text.length > 0) stream.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** Diagnostics carried by an error (`details.diagnostics`, as @agentlang/manifest reports them). */
function diagnosticsOf(error: CodedError): unknown[] {
  const details = error.details as { diagnostics?: unknown } | undefined;
  return Array.isArray(details?.diagnostics) ? details.diagnostics : [];
}

async function printError(error: unknown, json: boolean, spec: CommandSpec | undefined): Promise<number> {
  const usage = error instanceof UsageError;
  const coded = isCodedError(error);
  const code = coded ? error.code : 'INTERNAL';
  const message = error instanceof Error ? error.message : String(error);
  const details = coded ? (error.details ?? null) : null;
  if (json) {
    write(process.stdout, JSON.stringify({ error: { code, message, details } }, null, 2));
  } else {
    const diagnostics = coded ? diagnosticsOf(error) : [];
    if (diagnostics.length > 0) {
      // Error path only: the formatter lives with the diagnostics' owner.
      const { formatDiagnostic } = await import('@agentlang/manifest');
      for (const d of diagnostics) write(process.stderr, formatDiagnostic(d as Parameters<typeof formatDiagnostic>[0]));
    }
    // The diagnostics above are the detail; a message that repeats them is cut to its summary line.
    const summary = diagnostics.length > 0 ? (message.split('\n')[0] ?? message).replace(/:$/, '') : message;
    write(process.stderr, `Error: ${summary}`);
    if (usage && spec) write(process.stderr, `Run \`agentlang ${spec.name} --help\` for usage.`);
    if (!coded && error instanceof Error && process.env.AGENTLANG_DEBUG) write(process.stderr, error.stack ?? '');
  }
  return usage ? EXIT_CODES.USAGE! : exitCodeFor(code);
}

/** Runs one invocation against a command table and returns the exit status (printing as it goes). */
export async function main(argv: string[], commands: CommandSpec[]): Promise<number> {
  const wantsJson = argv.includes('--json');
  let spec: CommandSpec | undefined;
  try {
    if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
      const topic = argv[0] === 'help' && argv[1] !== undefined ? commands.find((c) => c.name === argv[1]) : undefined;
      if (argv[0] === 'help' && argv[1] !== undefined && !topic) throw new UsageError(`unknown command '${argv[1]}'; run \`agentlang --help\` for the list`);
      if (wantsJson) write(process.stdout, JSON.stringify(topic ? helpData(topic) : { version: VERSION, commands: commands.map(helpData) }, null, 2));
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
      throw new UsageError(verb ? `unknown command '${verb}'; run \`agentlang --help\` for the list` : 'no command given; run `agentlang --help`');
    }
    const rest = [...argv.slice(0, verbIndex), ...argv.slice(verbIndex + 1)];
    let parsed: ReturnType<typeof parseArgs>;
    try {
      parsed = parseArgs({ args: rest, options: { ...GLOBAL_OPTIONS, ...spec.options }, allowPositionals: true, strict: true });
    } catch (error) {
      throw new UsageError((error as Error).message, { cause: error });
    }
    const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
    if (values.help) {
      write(process.stdout, values.json === true ? JSON.stringify(helpData(spec), null, 2) : formatCommandHelp(spec));
      return EXIT_CODES.OK!;
    }
    const json = values.json === true;
    const module = await spec.load();
    const result: CommandResult = await module.run({
      positionals: parsed.positionals,
      values,
      json,
      verbose: values.verbose === true,
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

/** Runs the process's own arguments and sets its exit status. */
export function runCli(commands: CommandSpec[]): void {
  main(process.argv.slice(2), commands).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`Error: ${String(error)}\n`);
      process.exitCode = EXIT_CODES.INTERNAL!;
    },
  );
}
