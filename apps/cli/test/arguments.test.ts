import { SCAFFOLD_DIALECTS } from '@agentlang/manifest';
import { COMPILE_TARGETS } from '@agentlang/promptlang';
import { describe, expect, it, vi } from 'vitest';
import { formatCommandHelp, parseArguments } from '../src/arguments.js';
import { defineCommand } from '../src/command.js';
import { COMMANDS, COMPILE, INIT } from '../src/commands/index.js';
import { CliError } from '../src/errors.js';
import { loadCommand } from '../src/load-command.js';
import { main } from '../src/main.js';

// Each verb's options are declared once (src/commands/index.ts); help, usage errors and typed values
// come from the declaration (src/arguments.ts).

const SPEC = defineCommand({
  name: 'demo',
  summary: 'a verb for the tests',
  positionals: [
    { name: 'agent', required: true, description: 'the agent' },
    { name: 'mode', choices: ['fast', 'slow'], description: 'how' },
  ],
  options: {
    count: { type: 'integer', placeholder: 'N', min: 1, max: 64, description: 'how many' },
    ratio: { type: 'number', placeholder: 'R', min: 0.5, description: 'how much' },
    format: { type: 'choice', choices: ['json', 'yaml'], default: 'json', description: 'the output' },
    tag: { type: 'string', placeholder: 'T', multiple: true, description: 'a tag' },
    name: { type: 'string', placeholder: 'NAME', description: 'a name' },
    key: { type: 'string', placeholder: 'HEX', required: true, description: 'the key' },
    dry: { type: 'boolean', description: 'do nothing' },
  },
});

/** The CliError `parseArguments` throws for `args`. */
function usageError(args: string[]): CliError {
  try {
    parseArguments(SPEC, args);
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    return error as CliError;
  }
  throw new Error(`no usage error for ${JSON.stringify(args)}`);
}

describe('parseArguments', () => {
  it('returns typed values: numbers, defaults, lists and booleans', () => {
    const parsed = parseArguments(SPEC, [
      'a.agent',
      '--count',
      '3',
      '--ratio=1.5',
      '--tag',
      'x',
      '--tag',
      'y',
      '--key',
      'k',
      '--json',
    ]);
    expect(parsed).toEqual({
      positionals: ['a.agent'],
      values: { count: 3, ratio: 1.5, format: 'json', tag: ['x', 'y'], name: undefined, key: 'k', dry: false },
      json: true,
      verbose: false,
      help: false,
    });
  });

  it.each([
    [
      ['a', '--key', 'k', '--count', 'abc'],
      "--count 'abc' is not valid; expected a whole number from 1 to 64 (e.g. --count 1)",
      { flag: 'count', value: 'abc', min: 1, max: 64 },
    ],
    [['a', '--key', 'k', '--count', '65'], "--count '65' is not valid", { flag: 'count', value: '65' }],
    [['a', '--key', 'k', '--count', '1.5'], "--count '1.5' is not valid", { flag: 'count' }],
    [
      ['a', '--key', 'k', '--ratio', 'soon'],
      "--ratio 'soon' is not valid; expected a number of at least 0.5",
      { flag: 'ratio', min: 0.5 },
    ],
    [
      ['a', '--key', 'k', '--format', 'toml'],
      "--format 'toml' is not valid; expected one of json, yaml",
      { flag: 'format', choices: ['json', 'yaml'] },
    ],
  ])('refuses a malformed value: %j', (args, message, details) => {
    const error = usageError(args);
    expect(error.message).toContain(message);
    expect(error.code).toBe('USAGE_FLAG');
    expect(error.details).toMatchObject(details);
  });

  it('refuses unknown flags, missing values and a missing required option (USAGE_FLAG)', () => {
    expect(usageError(['a', '--key', 'k', '--nope'])).toMatchObject({
      code: 'USAGE_FLAG',
      message: expect.stringContaining("Unknown option '--nope'"),
    });
    expect(usageError(['a', '--key'])).toMatchObject({
      code: 'USAGE_FLAG',
      message: expect.stringContaining("Option '--key <value>' argument missing"),
    });
    expect(usageError(['a'])).toMatchObject({
      code: 'USAGE_FLAG',
      message: '--key HEX is required: the key',
      details: { flag: 'key' },
    });
  });

  it('refuses a missing, an unknown or an extra positional (USAGE_ARGUMENT)', () => {
    expect(usageError(['--key', 'k'])).toMatchObject({ code: 'USAGE_ARGUMENT', message: 'missing <agent>: the agent' });
    expect(usageError(['a', 'medium', '--key', 'k'])).toMatchObject({
      code: 'USAGE_ARGUMENT',
      message: "unknown mode 'medium'; expected fast or slow",
    });
    expect(usageError(['a', 'fast', 'extra', '--key', 'k'])).toMatchObject({
      code: 'USAGE_ARGUMENT',
      message: "unexpected argument 'extra': agentlang demo <agent> [fast|slow] --key HEX [options]",
    });
  });

  it('with --help checks nothing but the flag names', () => {
    expect(parseArguments(SPEC, ['--help']).help).toBe(true);
    expect(() => parseArguments(SPEC, ['--help', '--nope'])).toThrow(CliError);
  });
});

describe('help is generated from the declarations', () => {
  it('shows the usage line, every positional and every option with what the declaration adds', () => {
    expect(formatCommandHelp(SPEC)).toBe(
      [
        'agentlang demo — a verb for the tests',
        '',
        'Usage: agentlang demo <agent> [fast|slow] --key HEX [options]',
        '',
        'Arguments:',
        '  <agent>      the agent',
        '  [fast|slow]  how',
        '',
        'Options:',
        '  --count N           how many (a whole number from 1 to 64)',
        '  --ratio R           how much (at least 0.5)',
        '  --format json|yaml  the output (default json)',
        '  --tag T…            a tag (repeatable)',
        '  --name NAME         a name',
        '  --key HEX           the key (required)',
        '  --dry               do nothing',
        '',
        'Global options:',
        '  --json         print exactly one JSON document on stdout (errors: {"error":{code,message,details}})',
        '  -v, --verbose  explain decisions on stderr',
        '  -h, --help     show help (also: agentlang <command> --help)',
        '  --version      print the version',
      ].join('\n'),
    );
  });

  it.each(COMMANDS.map((c) => [c.name, c] as const))(
    'agentlang %s --help names every declared option and positional',
    (_name, spec) => {
      const help = formatCommandHelp(spec);
      for (const [name, d] of Object.entries(spec.options)) {
        expect(help).toContain(`--${name}`);
        expect(help).toContain(d.description.split('\n')[0]);
      }
      for (const p of spec.positionals) expect(help).toContain(p.description.split('\n')[0]);
    },
  );
});

describe('main() from sources', () => {
  it('runs a verb in-process with loadCommand (src/commands/<verb>.ts) and prints its JSON', async () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      expect(await main(['schema', '--json'], COMMANDS, loadCommand)).toBe(0);
      expect(await main(['schema', 'nope', '--json'], COMMANDS, loadCommand)).toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(JSON.parse(written[0]!)).toEqual({ kinds: expect.arrayContaining(['agent', 'prompt']) });
    expect(JSON.parse(written[1]!).error).toMatchObject({
      code: 'USAGE_ARGUMENT',
      message: expect.stringContaining("unknown schema kind 'nope'"),
    });
  });
});

describe('declared choices', () => {
  it('are the ones the packages accept', () => {
    expect(INIT.options.dialect.choices).toEqual(SCAFFOLD_DIALECTS);
    expect(COMPILE.options.target.choices).toEqual(COMPILE_TARGETS);
  });
});
