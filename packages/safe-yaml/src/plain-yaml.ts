// Hand-written on purpose, for start-up time: in a fresh process the `yaml` library spends ~4 ms
// on each small agent file (its lexer, parser and composer run cold, in V8's interpreter), and
// `agentlang validate` reads five or six of them — about a third of the verb's cold start above
// `node -e 0` (tooling/bench/src/suites/100-validate-cold.js). This reader takes the plain subset
// those files are written in — block mappings and sequences, one-line plain and quoted scalars,
// literal and folded block scalars, one-line flow collections, comments — and gives up (returns
// undefined) on anything else, and on anything that would be an issue (a duplicate or forbidden
// key, too deep a nesting, a malformed line), so `readYaml` then parses the text with `yaml` and
// reports exactly what it always did. Where it answers, its answer is `yaml`'s (YAML 1.2 core
// schema): src/plain-yaml.test.ts checks that on every YAML file in the repository and on
// generated documents.

/** Thrown inside the reader to give up; never escapes it. */
const GIVE_UP: unique symbol = Symbol('give up');

/** Characters outside printable ASCII, LF and the BMP/astral printable range: tabs, CR, controls, BOM, NEL, LS/PS. */
const UNSUPPORTED_CHARS = /[^\n\x20-\x7e\u00a0-\u2027\u202a-\ud7ff\ud800-\udfff\ue000-\ufefe\uff00-\ufffd]/;

/** A first character that makes a plain scalar something else (an indicator) in YAML. */
const INDICATOR_START = /^(?:[,[\]{}#&*!|>'"%@`]|[-?:](?: |$))/;

const NULL = /^(?:~|null|Null|NULL)$/;
const BOOL_TRUE = /^(?:true|True|TRUE)$/;
const BOOL_FALSE = /^(?:false|False|FALSE)$/;
const DECIMAL_INT = /^[-+]?[0-9]+$/;
const SIMPLE_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;
/** Core-schema forms this reader leaves to `yaml`: hex, octal, exponent, infinity, not-a-number. */
const OTHER_NUMBER =
  /^(?:[-+]?0x|0o|[-+]?\.(?:inf|Inf|INF)$|\.(?:nan|NaN|NAN)$|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE])/;

/**
 * `text` without its leading or trailing spaces. Only U+0020: YAML's white space here is the space
 * (tabs are given up on), while String#trim would also take U+00A0 and other Unicode spaces, which
 * are content in YAML.
 */
function spacesOff(text: string, side: 'start' | 'end'): string {
  let a = 0;
  let b = text.length;
  if (side === 'start') while (text.charCodeAt(a) === 32) a++;
  else while (b > 0 && text.charCodeAt(b - 1) === 32) b--;
  return text.slice(a, b);
}

const give = (): never => {
  throw GIVE_UP;
};

/** The value of a plain scalar under the YAML 1.2 core schema. */
function resolvePlain(text: string): unknown {
  if (NULL.test(text)) return null;
  if (BOOL_TRUE.test(text)) return true;
  if (BOOL_FALSE.test(text)) return false;
  if (DECIMAL_INT.test(text)) {
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : give();
  }
  if (SIMPLE_FLOAT.test(text)) return Number.parseFloat(text);
  if (OTHER_NUMBER.test(text)) give();
  return text;
}

const ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\',
  '"': '"',
  '/': '/',
  n: '\n',
  t: '\t',
  r: '\r',
  '0': '\0',
  b: '\b',
  f: '\f',
  ' ': ' ',
};

/** A quoted scalar starting at `text[from]` and closed on this line: its value and the index after it. */
function readQuoted(text: string, from: number): { value: string; end: number } {
  const quote = text[from];
  let value = '';
  for (let i = from + 1; i < text.length; i++) {
    const c = text[i] as string;
    if (quote === "'") {
      if (c !== "'") value += c;
      else if (text[i + 1] === "'") {
        value += "'";
        i++;
      } else return { value, end: i + 1 };
    } else if (c === '"') return { value, end: i + 1 };
    else if (c !== '\\') value += c;
    else {
      const e = text[++i] as string;
      const simple = ESCAPES[e];
      if (simple !== undefined) value += simple;
      else if (e === 'x' || e === 'u') {
        const hex = text.slice(i + 1, i + 1 + (e === 'x' ? 2 : 4));
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== (e === 'x' ? 2 : 4)) give();
        const code = Number.parseInt(hex, 16);
        if (code >= 0xd800 && code <= 0xdfff) give();
        value += String.fromCharCode(code);
        i += hex.length;
      } else give();
    }
  }
  return give();
}

/** What may follow a value on its line: nothing, or a comment after white space. */
function expectLineEnd(text: string, from: number): void {
  const rest = text.slice(from);
  if (!/^ *$/.test(rest) && !/^ +#/.test(rest)) give();
}

/** Cuts a plain scalar's comment (` #…`) and trailing spaces. */
function withoutComment(text: string): string {
  const hash = text.indexOf(' #');
  return spacesOff(hash < 0 ? text : text.slice(0, hash), 'end');
}

/** A one-line plain scalar in block context: its text, or a give-up when it is not one. */
function plainText(text: string): string {
  const value = withoutComment(text);
  if (value === '' || INDICATOR_START.test(value) || value.includes(': ') || value.endsWith(':')) give();
  return value;
}

/** Where a block-mapping key on this line ends: the key and the index just after its `:`; undefined when the line is no key. */
function mapKey(text: string): { key: string; after: number } | undefined {
  if (text[0] === '"' || text[0] === "'") {
    let quoted: { value: string; end: number };
    try {
      quoted = readQuoted(text, 0);
    } catch {
      return undefined;
    }
    if (text[quoted.end] !== ':' || (quoted.end + 1 < text.length && text[quoted.end + 1] !== ' ')) return undefined;
    return { key: quoted.value, after: quoted.end + 1 };
  }
  const hash = text.indexOf(' #');
  const scope = hash < 0 ? text : text.slice(0, hash);
  let colon = scope.indexOf(': ');
  if (colon < 0 && spacesOff(scope, 'end').endsWith(':')) colon = spacesOff(scope, 'end').length - 1;
  if (colon < 0) return undefined;
  const key = spacesOff(text.slice(0, colon), 'end');
  if (key === '' || INDICATOR_START.test(key) || key.length > 1000 || key === '<<') give();
  // A key that is not a string (`1:`, `true:`, `null:`) becomes one in `yaml`'s own way: leave it to `yaml`.
  if (typeof resolvePlain(key) !== 'string') give();
  return { key, after: colon + 1 };
}

interface Line {
  indent: number;
  /** The line after its indentation. */
  text: string;
}

class PlainYamlReader {
  private i = 0;

  constructor(
    private readonly lines: Line[],
    private readonly maxDepth: number,
    private readonly forbiddenKeys: ReadonlySet<string>,
    private readonly endsWithNewline: boolean,
  ) {}

  /** The next line holding something (not blank, not only a comment), or undefined at the end. */
  private next(): Line | undefined {
    for (; this.i < this.lines.length; this.i++) {
      const line = this.lines[this.i] as Line;
      if (line.text !== '' && line.text[0] !== '#') return line;
    }
    return undefined;
  }

  document(): unknown {
    const first = this.next();
    if (first?.indent !== 0) give();
    const value = this.block(0, 1);
    if (this.next()) give();
    return value;
  }

  private block(indent: number, depth: number): unknown {
    if (depth > this.maxDepth) give();
    const line = this.next() as Line;
    return line.text === '-' || line.text.startsWith('- ') ? this.sequence(indent, depth) : this.mapping(indent, depth);
  }

  private mapping(indent: number, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const seen = new Set<string>();
    for (let line = this.next(); line && line.indent >= indent; line = this.next()) {
      if (line.indent > indent) give();
      const found = mapKey(line.text) ?? give();
      if (seen.has(found.key) || this.forbiddenKeys.has(found.key)) give();
      seen.add(found.key);
      out[found.key] = this.value(spacesOff(line.text.slice(found.after), 'start'), indent, depth, true);
    }
    return out;
  }

  private sequence(indent: number, depth: number): unknown[] {
    const out: unknown[] = [];
    for (let line = this.next(); line && line.indent >= indent; line = this.next()) {
      if (line.indent > indent) give();
      if (line.text !== '-' && !line.text.startsWith('- ')) break;
      const rest = line.text.slice(1);
      const content = spacesOff(rest, 'start');
      if (content.startsWith('- ') || content === '-') give();
      if (content !== '' && content[0] !== '#' && mapKey(content)) {
        // `- key: value`: a mapping whose lines are indented to its first key.
        if (depth + 1 > this.maxDepth) give();
        this.lines[this.i] = { indent: indent + 1 + rest.length - content.length, text: content };
        out.push(this.mapping(indent + 1 + rest.length - content.length, depth + 1));
      } else {
        out.push(this.value(content, indent, depth, false));
      }
    }
    return out;
  }

  /** The value after `key:` or `- ` (`rest`, already trimmed at its start) of a collection at `indent`. */
  private value(rest: string, indent: number, depth: number, inMapping: boolean): unknown {
    if (rest === '' || rest[0] === '#') {
      this.i++;
      const below = this.next();
      if (!below || below.indent < indent) return null;
      if (below.indent === indent) {
        // A sequence may sit at its key's own indentation; anything else there is the next key.
        if (inMapping && (below.text === '-' || below.text.startsWith('- '))) return this.sequence(indent, depth + 1);
        return null;
      }
      return this.block(below.indent, depth + 1);
    }
    let value: unknown;
    const c = rest[0];
    if (c === '|' || c === '>') return this.blockScalar(rest, indent);
    if (c === '"' || c === "'") {
      const quoted = readQuoted(rest, 0);
      expectLineEnd(rest, quoted.end);
      value = quoted.value;
    } else if (c === '[' || c === '{') {
      if (depth + 1 > this.maxDepth) give();
      const flow = new FlowReader(rest, this.maxDepth - depth, this.forbiddenKeys);
      value = flow.value(1);
      expectLineEnd(rest, flow.at);
    } else {
      value = resolvePlain(plainText(rest));
    }
    this.i++;
    // A more indented line after a one-line value would continue it (or be an error): leave that to `yaml`.
    const after = this.next();
    if (after && after.indent > indent) give();
    return value;
  }

  private blockScalar(header: string, indent: number): string {
    const m = /^([|>])([-+]?)(?: +#.*| *)$/.exec(header) ?? give();
    const folded = m[1] === '>';
    const chomp = m[2] as '' | '-' | '+';
    if (chomp === '+') give();
    const body: string[] = [];
    let content = -1;
    let j = this.i + 1;
    for (; j < this.lines.length; j++) {
      const line = this.lines[j] as Line;
      if (line.text === '') {
        // Blank: inside the scalar (its length is checked below), unless the text ends here.
        body.push('');
        if (content < 0 && line.indent > 0) give();
        if (content >= 0 && line.indent > content) give();
        continue;
      }
      if (content < 0) {
        if (line.indent <= indent) break;
        if (body.length > 0) give();
        content = line.indent;
      }
      if (line.indent < content) break;
      if (folded && line.indent > content) give();
      body.push(' '.repeat(line.indent - content) + line.text);
    }
    if (content < 0) give();
    // Trailing blank lines are not content (clip and strip drop them); the last line of the text may lack its newline.
    let end = body.length;
    while (end > 0 && body[end - 1] === '') end--;
    if (j === this.lines.length && end === body.length && !this.endsWithNewline) give();
    this.i = j - (body.length - end);
    const kept = body.slice(0, end);
    let text = '';
    if (folded) {
      let blanks = -1;
      for (const l of kept) {
        if (l === '') blanks++;
        else {
          text += blanks < 0 ? l : blanks === 0 ? ` ${l}` : `${'\n'.repeat(blanks)}${l}`;
          blanks = 0;
        }
      }
    } else {
      text = kept.join('\n');
    }
    return chomp === '-' ? text : `${text}\n`;
  }
}

/** A one-line flow collection (`[a, b]`, `{ k: v }`), read from `at`. */
class FlowReader {
  at = 0;

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
    private readonly forbiddenKeys: ReadonlySet<string>,
  ) {}

  private spaces(): void {
    while (this.text[this.at] === ' ') this.at++;
  }

  value(depth: number): unknown {
    this.spaces();
    const c = this.text[this.at];
    if (c === '[' || c === '{') {
      if (depth > this.maxDepth) give();
      return c === '[' ? this.sequence(depth) : this.mapping(depth);
    }
    if (c === '"' || c === "'") {
      const quoted = readQuoted(this.text, this.at);
      this.at = quoted.end;
      return quoted.value;
    }
    return resolvePlain(this.plain());
  }

  /** A plain scalar in flow context: up to `,`, a closing bracket, or a `:` that ends a key. */
  private plain(): string {
    const start = this.at;
    while (this.at < this.text.length) {
      const c = this.text[this.at];
      if (c === ',' || c === ']' || c === '}') break;
      if (c === '[' || c === '{' || c === '#') give();
      // `: `, and in flow also `:` before a flow indicator (`[a:]` is a pair), ends a key.
      if (c === ':' && /^(?:[ ,[\]{}]|$)/.test(this.text.slice(this.at + 1, this.at + 2))) break;
      this.at++;
    }
    const value = spacesOff(this.text.slice(start, this.at), 'end');
    if (value === '' || INDICATOR_START.test(value)) give();
    return value;
  }

  private sequence(depth: number): unknown[] {
    const out: unknown[] = [];
    this.at++;
    this.spaces();
    if (this.text[this.at] === ']') {
      this.at++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth + 1));
      this.spaces();
      const c = this.text[this.at++];
      if (c === ']') return out;
      if (c !== ',') give();
      this.spaces();
      if (this.text[this.at] === ']') give();
    }
  }

  private mapping(depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.at++;
    this.spaces();
    if (this.text[this.at] === '}') {
      this.at++;
      return out;
    }
    for (;;) {
      this.spaces();
      const c = this.text[this.at];
      let key: string;
      if (c === '"' || c === "'") {
        const quoted = readQuoted(this.text, this.at);
        this.at = quoted.end;
        key = quoted.value;
      } else {
        key = this.plain();
        if (typeof resolvePlain(key) !== 'string' || key === '<<') give();
      }
      if (this.text[this.at] !== ':' || this.text[this.at + 1] !== ' ') give();
      if (Object.hasOwn(out, key) || this.forbiddenKeys.has(key)) give();
      this.at += 2;
      out[key] = this.value(depth + 1);
      this.spaces();
      const next = this.text[this.at++];
      if (next === '}') return out;
      if (next !== ',') give();
      this.spaces();
      if (this.text[this.at] === '}') give();
    }
  }
}

/**
 * The data of `text` when it is written in the plain subset (see the top of this file) and `yaml`
 * would read it without an issue; undefined otherwise, and then `yaml` must read it. Never throws.
 */
export function readPlainYaml(
  text: string,
  maxDepth: number,
  forbiddenKeys: ReadonlySet<string>,
): { data: unknown } | undefined {
  if (UNSUPPORTED_CHARS.test(text)) return undefined;
  const raw = text.split('\n');
  const lines: Line[] = new Array(raw.length);
  for (let k = 0; k < raw.length; k++) {
    const line = raw[k] as string;
    const body = spacesOff(line, 'start');
    // Directives, document markers and trailing spaces on an otherwise blank line stay with `yaml`.
    if (line.startsWith('%') || line.startsWith('---') || line.startsWith('...')) return undefined;
    lines[k] = { indent: line.length - body.length, text: body };
  }
  try {
    return { data: new PlainYamlReader(lines, maxDepth, forbiddenKeys, text.endsWith('\n')).document() };
  } catch (error) {
    if (error === GIVE_UP) return undefined;
    throw error;
  }
}
