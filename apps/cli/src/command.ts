/** Declarations shared by every option kind. */
interface OptionBase {
  /** One line (or a few, joined by `\n`) of help. */
  description: string;
  /** One-letter alias, e.g. `v` for `-v`. */
  short?: string;
  /** The invocation is a usage error without it. */
  required?: boolean;
}

/** `--name VALUE`: a string; with `multiple`, repeatable and read as a list. */
export interface StringOption extends OptionBase {
  type: 'string';
  /** The value's name in help, e.g. `DIR`. */
  placeholder: string;
  multiple?: boolean;
  default?: string;
}

/** `--name`: true when given, else false. */
export interface BooleanOption extends OptionBase {
  type: 'boolean';
}

/** `--name N`: a safe integer within `min`…`max`. */
export interface IntegerOption extends OptionBase {
  type: 'integer';
  placeholder: string;
  min?: number;
  max?: number;
  default?: number;
}

/** `--name N`: a finite number of at least `min`. */
export interface NumberOption extends OptionBase {
  type: 'number';
  placeholder: string;
  min?: number;
  default?: number;
}

/** `--name a|b`: one of `choices`. */
export interface ChoiceOption<C extends string = string> extends OptionBase {
  type: 'choice';
  choices: readonly C[];
  default?: C;
}

/** One option of a command, declared once: help, usage errors and typed values come from it. */
export type OptionDeclaration = StringOption | BooleanOption | IntegerOption | NumberOption | ChoiceOption;

/** A command's options, keyed by long name. */
export type OptionDeclarations = Readonly<Record<string, OptionDeclaration>>;

/** One positional argument, in order. */
export interface PositionalDeclaration {
  /** Its name in help, e.g. `agent` (shown as `<agent>`, or `[agent]` when optional). */
  name: string;
  description: string;
  required?: boolean;
  /** Allowed values (a sub-command such as `list|show`). */
  choices?: readonly string[];
}

/** The typed value of one declared option. */
export type OptionValue<D> = D extends { type: 'boolean' }
  ? boolean
  : D extends { type: 'string'; multiple: true }
    ? string[]
    : D extends { type: 'integer' | 'number' }
      ? D extends { default: number } | { required: true }
        ? number
        : number | undefined
      : D extends { type: 'choice'; choices: readonly (infer C)[] }
        ? D extends { default: string } | { required: true }
          ? C
          : C | undefined
        : D extends { default: string } | { required: true }
          ? string
          : string | undefined;

/** The typed values of a command's options. */
export type OptionValues<O extends OptionDeclarations> = { -readonly [K in keyof O]: OptionValue<O[K]> };

/** What a command receives: parsed, checked and typed arguments and the process surroundings. */
export interface CommandContext<O extends OptionDeclarations = OptionDeclarations> {
  /** Positional arguments after the verb (their number already checked against the declaration). */
  positionals: string[];
  /** Option values, keyed by long option name, typed by the declaration. */
  values: OptionValues<O>;
  /** `--json`: the result is printed as exactly one JSON document. */
  json: boolean;
  /** `--verbose`: explain decisions on stderr. */
  verbose: boolean;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Writes one line of log or progress to stderr (never stdout). */
  log: (line: string) => void;
}

/** What a command returns; main.ts alone prints it and exits. */
export interface CommandResult {
  /** Human output for stdout (no trailing newline needed). */
  text?: string;
  /** The `--json` document. */
  data?: unknown;
  /** Exit status; 0 when absent. */
  exitCode?: number;
}

/** A command's module (src/commands/<verb>.ts): the code behind one verb. */
export interface CommandModule {
  // biome-ignore lint/suspicious/noExplicitAny: each module takes the context of its own declaration
  run(ctx: CommandContext<any>): Promise<CommandResult>;
}

/** A verb, declared once: its help, usage errors and typed values are generated from this. */
export interface CommandSpec<O extends OptionDeclarations = OptionDeclarations> {
  /** The verb, e.g. `validate`. */
  name: string;
  /** One line for `agentlang --help`. */
  summary: string;
  positionals: readonly PositionalDeclaration[];
  options: O;
  /** Other forms of the usage line (e.g. `<agent> oci://host:port/repo:tag`), after the verb. */
  forms?: readonly string[];
  /** Paragraphs after the options in `agentlang <verb> --help`. */
  notes?: string;
}

/** The context of the command declared by `S`. */
export type ContextOf<S extends CommandSpec> = CommandContext<S['options']>;

/** Declares a verb, keeping the literal types of its options for {@link ContextOf}. */
export function defineCommand<const O extends OptionDeclarations>(spec: CommandSpec<O>): CommandSpec<O> {
  return spec;
}
