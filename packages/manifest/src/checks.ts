import { INJECT_SOURCES } from '@agentlang/promptlang';
import validVersion from 'semver/functions/valid.js';
import validRange from 'semver/ranges/valid.js';
import { nearestWord } from '@agentlang/utils';
import { checkCron } from './cron.js';
import type { Diagnostic } from './diagnostic.js';
import type { ManifestErrorCode } from './errors.js';
import type { Locator } from './validate-schema.js';

// Checks a JSON Schema cannot express. They read the raw document defensively (it may have failed
// the schema) so that every problem is reported in one run.

type Raw = Record<string, unknown>;
type Path = (string | number)[];
const obj = (v: unknown): Raw => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Most diagnostics one reporter records (a hostile file could otherwise produce one per entry). */
export const MAX_CHECK_DIAGNOSTICS = 200;

/** Lists names for a message: sorted, at most 12, then "…". */
export function listNames(names: Iterable<string>): string {
  const all = [...names].sort();
  if (!all.length) return '(none)';
  return all.length > 12 ? `${all.slice(0, 12).join(', ')}, … (${all.length} in all)` : all.join(', ');
}

/** Builds diagnostics against one locator. */
export class Reporter {
  readonly out: Diagnostic[] = [];
  constructor(readonly at: Locator) {}

  /** Records one problem at `path` (at most {@link MAX_CHECK_DIAGNOSTICS} per reporter). */
  add(
    code: ManifestErrorCode,
    path: Path,
    message: string,
    extra: { expected?: string; found?: string; severity?: 'error' | 'warning'; key?: boolean } = {},
  ): void {
    if (this.out.length >= MAX_CHECK_DIAGNOSTICS) return;
    const { severity = 'error', key, ...rest } = extra;
    this.out.push({
      severity,
      code,
      message,
      file: this.at.file(path),
      ...this.at.locate(path, { key: key ?? false }),
      path: path.length ? `/${path.join('/')}` : '',
      ...rest,
    });
  }
}

/** Versions must be YAML strings: `version: 1.10` silently reads as 1.1. Returns the pointers reported. */
export function checkVersionTypes(raw: Raw, r: Reporter): Set<string> {
  const reported = new Set<string>();
  const check = (value: unknown, path: Path) => {
    if (value === undefined || typeof value === 'string') return;
    const src = r.at.sourceOf(path) ?? String(value);
    const quoted = /^\d+\.\d+$/.test(src) ? `${src}.0` : src;
    r.add(
      'MANIFEST_VERSION_TYPE',
      path,
      `version ${src} is a YAML ${typeof value === 'number' ? 'number' : typeof value} (it reads as ${JSON.stringify(value)}), not a string; quote it: "${quoted}"`,
      {
        expected: 'a quoted string such as "1.10.0"',
        found: src,
      },
    );
    reported.add(`/${path.join('/')}`);
  };
  check(raw.version, ['version']);
  for (const [i, t] of arr(raw.tools).entries()) check(obj(t).version, ['tools', i, 'version']);
  return reported;
}

/** `MAJOR.MINOR.PATCH`, each a safe integer without leading zeros: a version semver always accepts. */
const PLAIN_VERSION = /^(?:0|[1-9]\d{0,14})\.(?:0|[1-9]\d{0,14})\.(?:0|[1-9]\d{0,14})$/;
/** A plain version alone or after `^`/`~`: a range semver always accepts. */
const PLAIN_RANGE = /^[~^]?(?:0|[1-9]\d{0,14})\.(?:0|[1-9]\d{0,14})\.(?:0|[1-9]\d{0,14})$/;

/**
 * Whether semver accepts `v` as a version; the common plain form is answered without semver, whose
 * first call costs a cold `agentlang validate` over a millisecond (checks.test.ts pins the agreement).
 */
export function isValidVersion(v: string): boolean {
  return PLAIN_VERSION.test(v) || validVersion(v) !== null;
}

/** Whether semver accepts `v` as a range; plain `1.2.3`, `^1.2.3`, `~1.2.3` are answered without semver. */
export function isValidRange(v: string): boolean {
  return PLAIN_RANGE.test(v) || validRange(v) !== null;
}

/**
 * The agent's version is a semantic version written exactly (semver itself would trim `" 1.0.0"`,
 * drop the `v` of `"v1.0.0"` and accept `"1.0.0\n"`, whose line break splits `records list`
 * lines); tool versions are semver ranges.
 */
export function checkSemver(raw: Raw, r: Reporter, skip?: Set<string>): void {
  if (
    typeof raw.version === 'string' &&
    !(isValidVersion(raw.version) && /^\d/.test(raw.version) && !/\s/.test(raw.version))
  ) {
    const fixed = validVersion(raw.version.trim().replace(/^[=v]+/, ''));
    r.add(
      'MANIFEST_SEMVER',
      ['version'],
      `${JSON.stringify(raw.version)} is not a semantic version written exactly${fixed ? `; write version: "${fixed}"` : ''}`,
      {
        expected: fixed
          ? `"${fixed}" (MAJOR.MINOR.PATCH, no "v", no spaces or line breaks)`
          : 'MAJOR.MINOR.PATCH, e.g. "1.0.0"',
        found: JSON.stringify(raw.version),
      },
    );
    skip?.add('/version');
  }
  arr(raw.tools).forEach((t, i) => {
    const v = obj(t).version;
    if (typeof v === 'string' && !isValidRange(v)) {
      r.add('MANIFEST_SEMVER', ['tools', i, 'version'], `"${v}" is not a semver range`, {
        expected: 'a range such as ^1.2.0, ~1.0.0 or >=2 <3',
        found: JSON.stringify(v),
      });
    }
  });
}

/** Every cron schedule under permissions is a valid 5-field expression. */
export function checkSchedules(raw: Raw, r: Reporter): void {
  for (const [cap, settings] of Object.entries(obj(raw.permissions))) {
    if (cap === 'required' || cap === 'optional') continue;
    const s = obj(settings);
    const check = (value: unknown, path: Path) => {
      if (typeof value !== 'string') return;
      const problem = checkCron(value);
      if (problem)
        r.add('MANIFEST_CRON', path, `invalid cron schedule: ${problem}`, {
          expected: 'minute hour day month weekday, e.g. "0 * * * *"',
          found: JSON.stringify(value),
        });
    };
    if (s.mode === 'scheduled' && s.schedule === undefined && s.wake_triggers === undefined) {
      // Seed 003's own Capability Declaration declares an optional background capability this way:
      // the host may decline an optional capability anyway, so it is a warning; a required one is an error.
      const perms = obj(raw.permissions);
      const optional = arr(perms.optional).includes(cap) && !arr(perms.required).includes(cap);
      r.add(
        'MANIFEST_SCHEMA',
        ['permissions', cap, 'mode'],
        `${cap} has mode "scheduled" but no schedule or wake_triggers, so it would never run${optional ? ' (a warning: the capability is optional)' : ''}`,
        {
          expected: 'a schedule: "0 * * * *" or wake_triggers: [{ schedule: … }]',
          found: 'neither',
          ...(optional ? { severity: 'warning' as const } : {}),
        },
      );
    }
    check(s.schedule, ['permissions', cap, 'schedule']);
    for (const [i, t] of arr(s.wake_triggers).entries())
      check(obj(t).schedule, ['permissions', cap, 'wake_triggers', i, 'schedule']);
  }
}

/** The tool names an agent declares (catalog, HTTP, bash, whitelisted MCP, delegate, render_*). */
export function declaredTools(raw: Raw): { names: Set<string>; openMcp: boolean } {
  const names = new Set<string>();
  for (const t of arr(raw.tools)) if (typeof obj(t).name === 'string') names.add(obj(t).name as string);
  for (const k of Object.keys(obj(raw.http_tools))) names.add(k);
  for (const k of Object.keys(obj(raw.bash_tools))) names.add(k);
  let openMcp = false;
  for (const server of Object.values(obj(raw.mcp_servers))) {
    const list = obj(server).tools;
    if (Array.isArray(list)) for (const t of list) names.add(String(t));
    else openMcp = true;
  }
  if (raw.delegate !== undefined) names.add('delegate');
  for (const k of Object.keys(obj(raw.ui_components))) names.add(`render_${k}`);
  return { names, openMcp };
}

/** Reports a reference to a tool the agent does not declare (`system://` host tools are always allowed). */
export function checkToolRef(
  name: unknown,
  path: Path,
  tools: { names: Set<string>; openMcp: boolean },
  r: Reporter,
  what: string,
): void {
  if (typeof name !== 'string' || name.startsWith('system://') || tools.names.has(name)) return;
  if (r.out.length >= MAX_CHECK_DIAGNOSTICS) return;
  const near = nearestWord(name, tools.names);
  const known = listNames(tools.names);
  r.add(
    'MANIFEST_TOOL_REF',
    path,
    `${what} names tool "${name}", which the agent does not declare${near ? `; did you mean "${near}"?` : ''}${tools.openMcp ? ' (an MCP server without a whitelist may provide it, so this is a warning)' : ''}`,
    {
      expected: `a declared tool (${known}) or a system:// host tool`,
      found: JSON.stringify(name),
      severity: tools.openMcp ? 'warning' : 'error',
    },
  );
}

/** UI sync actions (ui_components and http_tools ui_component) name declared tools. */
export function checkUiToolRefs(raw: Raw, tools: { names: Set<string>; openMcp: boolean }, r: Reporter): void {
  for (const [comp, def] of Object.entries(obj(raw.ui_components))) {
    for (const [action, a] of Object.entries(obj(obj(def).actions))) {
      checkToolRef(
        obj(a).tool,
        ['ui_components', comp, 'actions', action, 'tool'],
        tools,
        r,
        `sync action ${comp}.${action}`,
      );
    }
  }
  for (const [tool, def] of Object.entries(obj(raw.http_tools))) {
    for (const [status, rule] of Object.entries(obj(obj(def).ui_component))) {
      for (const [action, a] of Object.entries(obj(obj(obj(rule).actions).sync_actions))) {
        checkToolRef(
          obj(a).tool,
          ['http_tools', tool, 'ui_component', status, 'actions', 'sync_actions', action, 'tool'],
          tools,
          r,
          `sync action ${action}`,
        );
      }
    }
  }
}

/** Names are unique across tools[], http_tools and bash_tools. */
export function checkDuplicateNames(raw: Raw, r: Reporter): void {
  const seen = new Map<string, string>();
  arr(raw.tools).forEach((t, i) => {
    const name = obj(t).name;
    if (typeof name !== 'string') return;
    if (seen.has(name))
      r.add(
        'MANIFEST_DUPLICATE_NAME',
        ['tools', i, 'name'],
        `tool "${name}" is declared twice (first in ${seen.get(name)})`,
        { expected: 'unique tool names', found: JSON.stringify(name) },
      );
    else seen.set(name, 'tools');
  });
  for (const section of ['http_tools', 'bash_tools'] as const) {
    for (const name of Object.keys(obj(raw[section]))) {
      if (seen.has(name))
        r.add(
          'MANIFEST_DUPLICATE_NAME',
          [section, name],
          `tool "${name}" is declared twice (first in ${seen.get(name)})`,
          { expected: 'unique tool names', found: JSON.stringify(name), key: true },
        );
      else seen.set(name, section);
    }
  }
}

/** depends_on and delegate permissions name declared sub-agents. */
export function checkAgentRefs(raw: Raw, agentNames: ReadonlySet<string>, r: Reporter): void {
  const delegate = obj(raw.delegate);
  const known = listNames(agentNames);
  const check = (name: unknown, path: Path, what: string, key = false) => {
    if (typeof name !== 'string' || agentNames.has(name) || r.out.length >= MAX_CHECK_DIAGNOSTICS) return;
    const near = nearestWord(name, agentNames);
    r.add(
      'MANIFEST_AGENT_REF',
      path,
      `${what} names agent "${name}", which is not a declared sub-agent${near ? `; did you mean "${near}"?` : ''}`,
      {
        expected: `one of ${known}`,
        found: JSON.stringify(name),
        key,
      },
    );
  };
  for (const [i, a] of arr(delegate.agents).entries()) {
    for (const [j, d] of arr(obj(a).depends_on).entries())
      check(d, ['delegate', 'agents', i, 'depends_on', j], 'depends_on');
  }
  for (const name of Object.keys(obj(delegate.permissions)))
    check(name, ['delegate', 'permissions', name], 'a delegate permission', true);
}

/**
 * `depends_on` among static sub-agents must not form a cycle (the crew could never start).
 * `names[i]` is the name of `delegate.agents[i]`.
 */
export function checkDependsOnCycles(raw: Raw, names: readonly (string | undefined)[], r: Reporter): void {
  const agents = arr(obj(raw.delegate).agents);
  const deps = new Map<string, Array<{ to: string; path: Path }>>();
  agents.forEach((a, i) => {
    const name = names[i];
    if (name === undefined) return;
    const list = arr(obj(a).depends_on)
      .map((d, j) => ({ to: d, path: ['delegate', 'agents', i, 'depends_on', j] as Path }))
      .filter((e): e is { to: string; path: Path } => typeof e.to === 'string');
    deps.set(name, [...(deps.get(name) ?? []), ...list]);
  });
  const state = new Map<string, 'active' | 'done'>();
  const stack: string[] = [];
  const reported = new Set<string>();
  const visitNode = (name: string) => {
    state.set(name, 'active');
    stack.push(name);
    for (const edge of deps.get(name) ?? []) {
      const s = state.get(edge.to);
      if (s === 'active') {
        const chain = [...stack.slice(stack.indexOf(edge.to)), edge.to].join(' → ');
        if (!reported.has(chain)) {
          reported.add(chain);
          r.add('MANIFEST_CYCLE', edge.path, `depends_on forms a cycle: ${chain}`, {
            expected: 'an order in which every sub-agent can start',
            found: chain,
          });
        }
      } else if (s === undefined && deps.has(edge.to)) {
        visitNode(edge.to);
      }
    }
    stack.pop();
    state.set(name, 'done');
  };
  for (const name of deps.keys()) if (!state.has(name)) visitNode(name);
}

/** Template sources the context can inject. */
export const KNOWN_INJECT_SOURCES: readonly string[] = INJECT_SOURCES;

const TEMPLATE = /\{\{(.*?)\}\}/gs;
const ENV_REF = /^\.env\.[A-Za-z_][A-Za-z0-9_]*$/;
const VAR_REF = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\])*$/;

function templateRoots(text: string): Array<{ expr: string; root?: string; bad?: boolean }> {
  const out: Array<{ expr: string; root?: string; bad?: boolean }> = [];
  for (const m of text.matchAll(TEMPLATE)) {
    const expr = (m[1] ?? '').trim();
    if (expr === 'end' || expr === 'else') continue;
    const cond = /^(?:if|else if|with|range)\s+(.+)$/.exec(expr);
    const ref = (cond ? cond[1]! : expr).trim();
    if (ENV_REF.test(ref)) out.push({ expr, root: '.env' });
    else if (VAR_REF.test(ref)) out.push({ expr, root: /^[A-Za-z_][A-Za-z0-9_]*/.exec(ref)![0] });
    else out.push({ expr, bad: true });
  }
  return out;
}

/** Template variables (`{{.env.X}}`, `{{param}}`, `{{json.…}}`) name sources that exist where they are used. */
export function checkTemplates(raw: Raw, r: Reporter): void {
  const inject = new Set(arr(obj(raw.context).inject).filter((x): x is string => typeof x === 'string'));
  arr(obj(raw.context).inject).forEach((s, i) => {
    if (typeof s === 'string' && !KNOWN_INJECT_SOURCES.includes(s)) {
      const near = nearestWord(s, KNOWN_INJECT_SOURCES);
      r.add(
        'MANIFEST_TEMPLATE_VAR',
        ['context', 'inject', i],
        `"${s}" is not a context source${near ? `; did you mean "${near}"?` : ''}`,
        {
          expected: `one of ${KNOWN_INJECT_SOURCES.join(', ')}`,
          found: JSON.stringify(s),
        },
      );
    }
  });
  const check = (text: unknown, path: Path, allowed: (root: string) => boolean, sources: string) => {
    if (typeof text !== 'string' || !text.includes('{{')) return;
    for (const t of templateRoots(text)) {
      if (t.bad || (t.root !== undefined && !allowed(t.root))) {
        r.add(
          'MANIFEST_TEMPLATE_VAR',
          path,
          `template {{${t.expr}}} ${t.bad ? 'is not a variable reference' : `names "${t.root}", which is not a known source here`}`,
          {
            expected: sources,
            found: `{{${t.expr}}}`,
          },
        );
      }
    }
  };
  for (const [name, server] of Object.entries(obj(raw.mcp_servers))) {
    const s = obj(server);
    const envOnly = (root: string) => root === '.env' || inject.has(root);
    for (const [k, v] of Object.entries(obj(s.env)))
      check(v, ['mcp_servers', name, 'env', k], envOnly, '{{.env.NAME}}');
    for (const [i, a] of arr(s.args).entries()) check(a, ['mcp_servers', name, 'args', i], envOnly, '{{.env.NAME}}');
    check(s.command, ['mcp_servers', name, 'command'], envOnly, '{{.env.NAME}}');
  }
  for (const [name, tool] of Object.entries(obj(raw.http_tools))) {
    const t = obj(tool);
    const params = new Set(Object.keys(obj(t.params)));
    const paramsList = `a declared param (${listNames(params)}), a context source or {{.env.NAME}}`;
    const requestVar = (root: string) => root === '.env' || params.has(root) || inject.has(root);
    check(t.endpoint, ['http_tools', name, 'endpoint'], requestVar, paramsList);
    check(t.body_template, ['http_tools', name, 'body_template'], requestVar, paramsList);
    for (const [status, rule] of Object.entries(obj(t.ui_component))) {
      const resultVar = (root: string) =>
        ['json', 'error', 'status', 'result', 'params'].includes(root) || params.has(root);
      for (const [k, v] of Object.entries(obj(obj(rule).props))) {
        check(
          v,
          ['http_tools', name, 'ui_component', status, 'props', k],
          resultVar,
          'json.…, error, status, result or a declared param',
        );
      }
    }
  }
}

const HTTP_KEYS = ['description', 'endpoint', 'method', 'auth', 'params', 'body_template', 'ui_component'];

/** HTTP tools keep unknown keys as flags (`twitter_token: true`); one that looks like a typo of a known key is a warning. */
export function checkHttpFlags(raw: Raw, r: Reporter): void {
  for (const [name, tool] of Object.entries(obj(raw.http_tools))) {
    for (const key of Object.keys(obj(tool))) {
      if (HTTP_KEYS.includes(key)) continue;
      const near = nearestWord(key, HTTP_KEYS);
      if (near) {
        r.add(
          'MANIFEST_UNKNOWN_KEY',
          ['http_tools', name, key],
          `unknown key "${key}" is kept as a flag; did you mean "${near}"?`,
          {
            severity: 'warning',
            key: true,
            expected: `"${near}"`,
            found: `"${key}"`,
          },
        );
      }
    }
  }
}

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** `My Agent!` → `my-agent`: the nearest name the schema accepts. */
export function slugName(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .replace(/-+$/, '')
    .slice(0, 64);
  return slug || 'agent';
}

/** A name the schema refuses gets a message with the fix (AgentSpec accepts any string as a name). */
export function checkName(raw: Raw, r: Reporter, skip: Set<string>): void {
  if (typeof raw.name !== 'string' || NAME.test(raw.name)) return;
  const fixed = slugName(raw.name);
  r.add(
    'MANIFEST_SCHEMA',
    ['name'],
    `name ${JSON.stringify(raw.name)} is not a valid agent name (it names files, registry paths and records); write name: ${fixed}`,
    {
      expected: 'lower-case letters, digits, ".", "_", "-", starting with a letter or digit, at most 64 characters',
      found: JSON.stringify(raw.name),
    },
  );
  skip.add('/name');
}

// C0 controls except tab and line feed, DEL, C1 controls, and the bidirectional overrides and
// isolates ("Trojan source"): they rewrite terminal output or log lines.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const CONTROL_OR_BREAK = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

/** Values printed on one line (`records list`, `validate`, registry listings): no line break or tab either. */
function isOneLine(path: Path): boolean {
  const [a, b, c, d] = path;
  if (path.length === 1)
    return [
      'name',
      'version',
      'title',
      'subtitle',
      'developer',
      'category',
      'runtime',
      'author',
      'license',
      'apiVersion',
      'kind',
      'base',
    ].includes(String(a));
  if (a === 'tools' && typeof b === 'number') return c === 'name' || c === 'version';
  if (a === 'tags' || a === 'skills') return path.length === 2 || c === 'name';
  if (a === 'model') return b === 'preferred' || b === 'fallback' || b === 'capability';
  if (a === 'behavior') return b === 'persona' || b === 'traits';
  if (a === 'tools' && (b === 'mcp' || b === 'native')) return path.length === 3 || d === 'name' || d === 'command';
  if (a === 'mcp_servers') return c === 'command';
  return false;
}

const codePoint = (ch: string) => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * Strings that reach terminals and logs hold no control characters: keys and one-line values
 * (name, version, tool names, model ids, …) none at all, free text (description, prompts,
 * templates) only line breaks and tabs. Refused, not escaped: a manifest never needs them.
 */
export function checkControlCharacters(raw: Raw, r: Reporter, skip: ReadonlySet<string>): void {
  const visit = (value: unknown, path: Path, depth: number) => {
    if (depth > 80 || r.out.length >= MAX_CHECK_DIAGNOSTICS) return;
    if (typeof value === 'string') {
      if (skip.has(`/${path.join('/')}`)) return;
      const m = (isOneLine(path) ? CONTROL_OR_BREAK : CONTROL).exec(value);
      if (m) {
        const clean = value.replace(new RegExp(CONTROL_OR_BREAK.source, 'g'), isOneLine(path) ? '' : ' ').trim();
        r.add(
          'MANIFEST_CONTROL_CHAR',
          path,
          `${path.length ? String(path[path.length - 1]) : 'value'} holds the control character ${codePoint(m[0])} at index ${m.index}${isOneLine(path) ? ' (a one-line value: no line breaks or tabs either)' : ''}; it would rewrite terminal output or split log lines; remove it${clean.length <= 60 ? `: ${JSON.stringify(clean)}` : ''}`,
          {
            expected: isOneLine(path) ? 'printable text on one line' : 'printable text, line breaks and tabs',
            found: JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value),
          },
        );
      }
      return;
    }
    if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) visit(v, [...path, i], depth + 1);
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        const m = CONTROL_OR_BREAK.exec(k);
        if (m) {
          r.add(
            'MANIFEST_CONTROL_CHAR',
            [...path, k],
            `the key ${JSON.stringify(k)} holds the control character ${codePoint(m[0])}; keys are one-line names; remove it`,
            {
              expected: 'a key of printable characters',
              found: JSON.stringify(k),
              key: true,
            },
          );
        }
        visit(v, [...path, k], depth + 1);
      }
    }
  };
  visit(raw, [], 0);
}

/** Runs every document-level check; returns the pointers already reported (the schema skips them). */
export function checkDocument(raw: Raw, r: Reporter): Set<string> {
  const skip = checkVersionTypes(raw, r);
  checkSemver(raw, r, skip);
  checkName(raw, r, skip);
  checkControlCharacters(raw, r, skip);
  checkSchedules(raw, r);
  checkDuplicateNames(raw, r);
  checkUiToolRefs(raw, declaredTools(raw), r);
  checkTemplates(raw, r);
  checkHttpFlags(raw, r);
  return skip;
}
