import { parseArgs } from 'node:util';
import type { CommandOptions, CommandResult, CommandSpec } from './command.js';
import { COMMANDS } from './commands/index.js';
import { EXIT_CODES, exitCodeFor } from './exit-codes.js';
import { VERSION } from './version.js';

const GLOBAL_OPTIONS: CommandOptions = {
  json: { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
};

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
    /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/.test((error as CodedError).code)
  );
}

function formatHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `agentlang ${VERSION} — declare, validate, resolve, lock, build, run and publish AI agents`,
    '',
    'Usage: agentlang <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Global options:',
    '  --json          print exactly one JSON document on stdout',
    '  -v, --verbose   explain decisions on stderr',
    '  -h, --help      show help (also: agentlang <command> --help)',
    '  --version       print the version',
    '',
    'Exit codes: 0 ok, 1 internal, 2 usage, 10 manifest, 11 resolve, 12 lock, 13 signature,',
    '            14 sandbox, 15 runner, 16 container, 17 registry; `run` passes the agent exit code.',
  ].join('\n');
}

function formatCommandHelp(spec: CommandSpec): string {
  const lines = [`agentlang ${spec.name} — ${spec.summary}`, '', spec.usage.trimEnd()];
  return lines.join('\n');
}

class UsageError extends Error {
  readonly code = 'USAGE';
}

function write(stream: NodeJS.WriteStream, text: string): void {
  if (text.length > 0) stream.write(text.endsWith('\n') ? text : `${text}\n`);
}

async function main(argv: string[]): Promise<number> {
  const wantsJson = argv.includes('--json');
  try {
    if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
      const topic = argv[0] === 'help' ? COMMANDS.find((c) => c.name === argv[1]) : undefined;
      write(process.stdout, topic ? formatCommandHelp(topic) : formatHelp());
      return argv.length === 0 ? EXIT_CODES.USAGE! : 0;
    }
    if (argv[0] === '--version' || argv[0] === '-V') {
      write(process.stdout, wantsJson ? JSON.stringify({ version: VERSION }) : VERSION);
      return 0;
    }
    const verbIndex = argv.findIndex((a) => !a.startsWith('-'));
    const verb = verbIndex >= 0 ? argv[verbIndex]! : '';
    const spec = COMMANDS.find((c) => c.name === verb);
    if (!spec) {
      throw new UsageError(
        verb ? `unknown command '${verb}'; run \`agentlang --help\` for the list` : 'no command given; run `agentlang --help`',
      );
    }
    const rest = [...argv.slice(0, verbIndex), ...argv.slice(verbIndex + 1)];
    let parsed: ReturnType<typeof parseArgs>;
    try {
      parsed = parseArgs({
        args: rest,
        options: { ...GLOBAL_OPTIONS, ...spec.options },
        allowPositionals: true,
        strict: true,
      });
    } catch (error) {
      throw new UsageError(`${(error as Error).message}\n\n${formatCommandHelp(spec)}`);
    }
    const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
    if (values.help) {
      write(process.stdout, formatCommandHelp(spec));
      return 0;
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
    if (json) {
      if (result.data !== undefined) write(process.stdout, JSON.stringify(result.data, null, 2));
    } else if (result.text !== undefined) {
      write(process.stdout, result.text);
    }
    return result.exitCode ?? 0;
  } catch (error) {
    const usage = error instanceof UsageError;
    const coded = isCodedError(error);
    const code = usage ? 'USAGE' : coded ? error.code : 'INTERNAL';
    const message = error instanceof Error ? error.message : String(error);
    const details = coded ? error.details : undefined;
    if (wantsJson) {
      write(process.stdout, JSON.stringify({ error: { code, message, details: details ?? null } }, null, 2));
    } else {
      write(process.stderr, `Error: ${message}`);
      if (!usage && !coded && error instanceof Error && process.env.AGENTLANG_DEBUG) {
        write(process.stderr, error.stack ?? '');
      }
    }
    return usage ? EXIT_CODES.USAGE! : exitCodeFor(code);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`Error: ${String(error)}\n`);
    process.exitCode = EXIT_CODES.INTERNAL!;
  },
);
