import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { CommandSpec, OptionDeclaration, OptionDeclarations, PositionalDeclaration } from './command.js';
import { CliError, CliErrorCode } from './errors.js';

// One reading of a command line, from the command's declaration (src/commands/index.ts): node:util
// parseArgs does the splitting, strictly; this file adds what parseArgs lacks (numbers, choices,
// required options and positionals, defaults) and writes the help from the same declaration.

/** Options every verb accepts. `--version` is read by main.ts before any verb. */
export const GLOBAL_OPTIONS = {
  json: {
    type: 'boolean',
    description: 'print exactly one JSON document on stdout (errors: {"error":{code,message,details}})',
  },
  verbose: { type: 'boolean', short: 'v', description: 'explain decisions on stderr' },
  help: { type: 'boolean', short: 'h', description: 'show help (also: agentlang <command> --help)' },
} as const satisfies OptionDeclarations;

/** One command line, read against a declaration. */
export interface ParsedArguments {
  positionals: string[];
  /** Typed option values: booleans false when absent, lists [] when absent, defaults applied. */
  values: Record<string, unknown>;
  json: boolean;
  verbose: boolean;
  /** `--help` was given: nothing else was checked. */
  help: boolean;
}

/** A value for messages: a flag's text is the user's, so it is cut short. */
const shown = (value: string): string => value.slice(0, 40);

function flagError(
  name: string,
  value: string,
  expected: string,
  example: string | undefined,
  details: Record<string, unknown> = {},
): CliError {
  return new CliError(
    CliErrorCode.Flag,
    `--${name} '${shown(value)}' is not valid; expected ${expected}${example === undefined ? '' : ` (e.g. --${name} ${example})`}`,
    {
      details: { flag: name, value: shown(value), ...details },
    },
  );
}

/** The range of an integer or number option, in words (`from 1 to 64`, `of at least 1`). */
function rangeText(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return `from ${min} to ${max}`;
  if (min !== undefined) return `of at least ${min}`;
  if (max !== undefined) return `of at most ${max}`;
  return '';
}

/** Reads one option's text as its declared type; a malformed one is a CliError (exit 2) naming the flag, the value and the expected form. */
function readValue(name: string, declaration: OptionDeclaration, text: string): unknown {
  switch (declaration.type) {
    case 'integer': {
      const { min, max } = declaration;
      const number = /^-?\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
      if (Number.isSafeInteger(number) && (min === undefined || number >= min) && (max === undefined || number <= max))
        return number;
      const range = rangeText(min, max);
      const example = Math.max(min ?? Number.MIN_SAFE_INTEGER, Math.min(max ?? Number.MAX_SAFE_INTEGER, 1));
      throw flagError(name, text, `a whole number${range ? ` ${range}` : ''}`, String(example), {
        ...(min !== undefined && { min }),
        ...(max !== undefined && { max }),
      });
    }
    case 'number': {
      const number = /^\s*[-+]?(\d+\.?\d*|\.\d+)\s*$/.test(text) ? Number(text) : Number.NaN;
      const { min } = declaration;
      if (Number.isFinite(number) && (min === undefined || number >= min)) return number;
      throw flagError(
        name,
        text,
        `a number${min === undefined ? '' : ` ${rangeText(min, undefined)}`}`,
        String(Math.max(min ?? 1, 1)),
        { ...(min !== undefined && { min }) },
      );
    }
    case 'choice':
      if (declaration.choices.includes(text)) return text;
      throw flagError(name, text, `one of ${declaration.choices.join(', ')}`, undefined, {
        choices: [...declaration.choices],
      });
    default:
      return text;
  }
}

/** The parseArgs form of the declarations (every non-boolean option is a string to parseArgs). */
function parseArgsOptions(options: OptionDeclarations): NonNullable<ParseArgsConfig['options']> {
  const config: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, d] of Object.entries(options)) {
    config[name] = {
      type: d.type === 'boolean' ? 'boolean' : 'string',
      ...(d.short !== undefined && { short: d.short }),
      ...(d.type === 'string' && d.multiple === true && { multiple: true }),
    };
  }
  return config;
}

/** `a, b or c`. */
const orList = (words: readonly string[]): string =>
  words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;

function checkPositionals(spec: CommandSpec, positionals: string[]): void {
  const declared = spec.positionals;
  if (positionals.length > declared.length) {
    const extra = positionals[declared.length]!;
    throw new CliError(
      CliErrorCode.Argument,
      `unexpected argument '${shown(extra)}': ${usageLines(spec)[0]!.replace(/^Usage: /, '')}`,
      { details: { argument: shown(extra) } },
    );
  }
  declared.forEach((p, i) => {
    const value = positionals[i];
    if (value === undefined) {
      if (p.required)
        throw new CliError(CliErrorCode.Argument, `missing ${positionalLabel(p)}: ${p.description.split('\n')[0]}`, {
          details: { argument: p.name },
        });
      return;
    }
    if (p.choices && !p.choices.includes(value)) {
      throw new CliError(CliErrorCode.Argument, `unknown ${p.name} '${shown(value)}'; expected ${orList(p.choices)}`, {
        details: { argument: p.name, value: shown(value), choices: [...p.choices] },
      });
    }
  });
}

/**
 * Reads `args` (the command line without the verb) against `spec`: unknown flags, a missing value,
 * a malformed number or choice, a missing required option and a wrong number of positionals are
 * CliErrors (exit 2). With `--help` only the flags' names are checked.
 */
export function parseArguments(spec: CommandSpec, args: string[]): ParsedArguments {
  const options: OptionDeclarations = { ...GLOBAL_OPTIONS, ...spec.options };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args, options: parseArgsOptions(options), allowPositionals: true, strict: true });
  } catch (error) {
    // node:util's messages name the flag (`Unknown option '--nope'`, `Option '--key <value>' argument missing`).
    throw new CliError(CliErrorCode.Flag, (error as Error).message, { cause: error });
  }
  const raw = parsed.values as Record<string, string | boolean | string[] | undefined>;
  const common = {
    positionals: parsed.positionals,
    json: raw.json === true,
    verbose: raw.verbose === true,
    help: raw.help === true,
  };
  if (common.help) return { ...common, values: {} };
  const values: Record<string, unknown> = {};
  for (const [name, d] of Object.entries(spec.options)) {
    const given = raw[name];
    if (d.type === 'boolean') {
      values[name] = given === true;
      continue;
    }
    if (given === undefined || (Array.isArray(given) && given.length === 0)) {
      if (d.required)
        throw new CliError(
          CliErrorCode.Flag,
          `--${name} ${placeholderOf(d)} is required: ${d.description.split('\n')[0]}`,
          { details: { flag: name } },
        );
      values[name] = d.type === 'string' && d.multiple ? [] : d.default;
      continue;
    }
    values[name] = Array.isArray(given) ? given.map((g) => readValue(name, d, g)) : readValue(name, d, String(given));
  }
  checkPositionals(spec, parsed.positionals);
  return { ...common, values };
}

// ---- help, from the same declarations ----

function positionalLabel(p: PositionalDeclaration): string {
  const name = p.choices ? p.choices.join('|') : p.name;
  return p.required ? `<${name}>` : `[${name}]`;
}

function placeholderOf(d: OptionDeclaration): string {
  if (d.type === 'boolean') return '';
  if (d.type === 'choice') return d.choices.join('|');
  return d.placeholder;
}

/** `--name VALUE…` as shown in help. */
function optionLabel(name: string, d: OptionDeclaration): string {
  const placeholder = placeholderOf(d);
  const repeat = d.type === 'string' && d.multiple ? '…' : '';
  return `${d.short ? `-${d.short}, ` : ''}--${name}${placeholder ? ` ${placeholder}` : ''}${repeat}`;
}

/** What the declaration adds to the description: required, repeatable, range, default. */
function optionFacts(d: OptionDeclaration): string[] {
  const facts: string[] = [];
  if (d.required) facts.push('required');
  if (d.type === 'string' && d.multiple) facts.push('repeatable');
  if (d.type === 'integer') facts.push(`a whole number${rangeText(d.min, d.max) ? ` ${rangeText(d.min, d.max)}` : ''}`);
  if (d.type === 'number' && d.min !== undefined) facts.push(`at least ${d.min}`);
  if ('default' in d && d.default !== undefined) facts.push(`default ${d.default}`);
  return facts;
}

/** Two-column lines: a label, then its (possibly multi-line) description. */
function table(rows: Array<[string, string]>): string[] {
  const width = Math.min(Math.max(0, ...rows.map(([label]) => label.length)), 24);
  const lines: string[] = [];
  for (const [label, description] of rows) {
    const [first = '', ...rest] = description.split('\n');
    if (label.length > width) lines.push(`  ${label}`, `  ${''.padEnd(width)}  ${first}`);
    else lines.push(`  ${label.padEnd(width)}  ${first}`);
    for (const line of rest) lines.push(`  ${''.padEnd(width)}  ${line}`);
  }
  return lines;
}

/** The usage lines of a command: the declared form, then any other forms. */
export function usageLines(spec: CommandSpec): string[] {
  const positionals = spec.positionals.map(positionalLabel).join(' ');
  const required = Object.entries(spec.options)
    .filter(([, d]) => d.required)
    .map(([name, d]) => optionLabel(name, d));
  const main = ['agentlang', spec.name, positionals, ...required, '[options]'].filter(Boolean).join(' ');
  return [`Usage: ${main}`, ...(spec.forms ?? []).map((form) => `       agentlang ${spec.name} ${form}`)];
}

/** The help rows of a set of declarations (descriptions with what the declaration adds). */
function optionRows(options: OptionDeclarations): Array<[string, string]> {
  return Object.entries(options).map(([name, d]) => {
    const facts = optionFacts(d);
    return [optionLabel(name, d), facts.length > 0 ? `${d.description} (${facts.join('; ')})` : d.description];
  });
}

/** `agentlang <verb> --help` without its title and the global options: usage, arguments, options, notes. */
export function formatUsage(spec: CommandSpec): string {
  const lines = [...usageLines(spec)];
  if (spec.positionals.length > 0)
    lines.push('', 'Arguments:', ...table(spec.positionals.map((p) => [positionalLabel(p), p.description])));
  if (Object.keys(spec.options).length > 0) lines.push('', 'Options:', ...table(optionRows(spec.options)));
  if (spec.notes) lines.push('', spec.notes.trimEnd());
  return lines.join('\n');
}

/** The global options' help lines, `--version` included. */
export function globalHelp(): string[] {
  return ['Global options:', ...table([...optionRows(GLOBAL_OPTIONS), ['--version', 'print the version']])];
}

/** The whole of `agentlang <verb> --help`. */
export function formatCommandHelp(spec: CommandSpec): string {
  return [`agentlang ${spec.name} — ${spec.summary}`, '', formatUsage(spec), '', ...globalHelp()].join('\n');
}
