import { createHash } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, realpath } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { writeFileAtomic } from '@agentlang/utils';
import { egressFetch, type EgressPolicy } from './egress.js';
import { HarnessError } from './errors.js';
import type { HarnessTool, ToolOutcome } from './loop.js';

/** What a built-in tool needs from its host. */
export interface BuiltinToolHost {
  /** The project root; state lives under `<root>/.agentlang/`. */
  root: string;
  /** The agent's name (storage and sqlite files are per agent). */
  agent: string;
  /** This run's id (artifacts are per run). */
  runId: string;
  /** Egress policy for web_fetch (and web_search's endpoint). */
  egress?: EgressPolicy;
  /** Environment read for configuration (AGENTLANG_SEARCH_URL); defaults to process.env. */
  env?: Record<string, string | undefined>;
}

/** The built-in tools this package implements (`delegate` is the runner's). */
export const BUILTIN_TOOL_NAMES = ['web_fetch', 'web_search', 'artifacts', 'storage', 'sqlite'] as const;
export type BuiltinToolName = (typeof BUILTIN_TOOL_NAMES)[number];

/**
 * The spec's `permissions` capability each built-in needs, for {@link gateByCapabilities}:
 * network for the web tools, storage for what persists between sessions. Artifacts are this
 * run's output, so they need none.
 */
export const BUILTIN_TOOL_CAPABILITIES: ReadonlyMap<string, string> = new Map([
  ['web_fetch', 'network'],
  ['web_search', 'network'],
  ['storage', 'storage'],
  ['sqlite', 'storage'],
]);

const str = (description: string) => ({ type: 'string', description });

// Input schemas: the resolver's newest version of each tool (packages/resolver/src/builtin-tools.ts),
// artifacts and storage widened as documented below.
export const BUILTIN_INPUT_SCHEMAS: Record<BuiltinToolName, Record<string, unknown>> = {
  web_search: {
    type: 'object',
    properties: {
      query: str('Search query'),
      max_results: { type: 'integer', description: 'Largest number of results', default: 10, minimum: 1, maximum: 50 },
      recency_days: { type: 'integer', description: 'Only results newer than this many days' },
      site: str('Restrict to one site'),
    },
    required: ['query'],
  },
  web_fetch: {
    type: 'object',
    properties: { url: str('Absolute http(s) URL'), format: { type: 'string', enum: ['markdown', 'text', 'html'] } },
    required: ['url'],
  },
  // The resolver's save shape (title, content, kind) plus op/name for list and read.
  artifacts: {
    type: 'object',
    properties: {
      op: { type: 'string', enum: ['save', 'list', 'read'], description: 'Default save' },
      title: str('Artifact title'),
      content: str('Artifact body'),
      kind: { type: 'string', enum: ['markdown', 'html', 'code', 'csv'] },
      name: str('Artifact file name (read)'),
    },
  },
  // The resolver's op enum plus `set` as a synonym of `put`.
  storage: {
    type: 'object',
    properties: { op: { type: 'string', enum: ['get', 'put', 'set', 'delete', 'list'] }, key: str('Key'), value: {} },
    required: ['op'],
  },
  sqlite: {
    type: 'object',
    properties: {
      sql: str('One SQL statement; values go in params as ? placeholders'),
      params: { type: 'array', items: {} },
    },
    required: ['sql'],
  },
};

export const BUILTIN_OUTPUT_SCHEMAS: Record<BuiltinToolName, Record<string, unknown>> = {
  web_search: {
    type: 'object',
    properties: {
      results: {
        type: 'array',
        items: {
          type: 'object',
          properties: { title: { type: 'string' }, url: { type: 'string' }, snippet: { type: 'string' } },
        },
      },
      total_count: { type: 'integer' },
    },
  },
  web_fetch: {
    type: 'object',
    properties: { url: { type: 'string' }, status: { type: 'integer' }, content: { type: 'string' } },
    required: ['url', 'content'],
  },
  artifacts: { type: 'object', properties: { id: { type: 'string' }, url: { type: 'string' } } },
  storage: { type: 'object', properties: { value: {}, keys: { type: 'array', items: { type: 'string' } } } },
  sqlite: {
    type: 'object',
    properties: {
      columns: { type: 'array', items: { type: 'string' } },
      rows: { type: 'array', items: { type: 'array' } },
      changes: { type: 'integer' },
    },
  },
};

const DESCRIPTIONS: Record<BuiltinToolName, string> = {
  web_search: 'Find current information across the web',
  web_fetch: 'Read detailed content from specific URLs',
  artifacts: 'Save reports and findings for the user (op save, list, read)',
  storage: 'Abstract key-value storage that persists between sessions',
  sqlite: 'Query and store structured data in an agent-local SQLite database',
};

const ok = (value: unknown): ToolOutcome => ({ ok: true, content: JSON.stringify(value) });
const fail = (kind: 'validation' | 'execution' | 'denied' | 'timeout', message: string): ToolOutcome => ({
  ok: false,
  kind,
  message,
});

function errorOutcome(error: unknown): ToolOutcome {
  if (error instanceof HarnessError) {
    if (error.code === 'HARNESS_EGRESS_DENIED') return fail('denied', error.message);
    if (error.code === 'HARNESS_TIMEOUT') return fail('timeout', error.message);
  }
  return fail('execution', error instanceof Error ? error.message : String(error));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A file name safe as one path segment: letters, digits, `.`, `_`, `-`, not starting with a dot. */
function safeSegment(name: string): boolean {
  return /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/.test(name) && !name.includes('..');
}

function segmentFor(value: string, what: string): string {
  if (!safeSegment(value))
    throw new HarnessError('HARNESS_EGRESS_DENIED', `${what} "${value}" is not a plain file name`, {
      details: { [what]: value },
    });
  return value;
}

/** An agent name as a file name: itself when plain, else a readable stem plus a hash (`@org/a` ≠ `org_a`). */
function agentFileStem(agent: string): string {
  if (safeSegment(agent)) return agent;
  const stem = agent
    .replace(/[^A-Za-z0-9_-]+/g, '_')
    .replace(/^_+/, '')
    .slice(0, 80);
  return `${stem || 'agent'}-${createHash('sha256').update(agent).digest('hex').slice(0, 12)}`;
}

/** Writes an agent's state file whole or not at all; the rename replaces a symlink at `path`, never follows it. */
const atomicWrite = (path: string, data: string | Uint8Array): Promise<void> =>
  writeFileAtomic(path, data, { mode: 0o600 });

/** Creates `<root>/.agentlang/<parts>` and checks its real path stays inside the real root. */
async function confinedDir(root: string, ...parts: string[]): Promise<string> {
  const realRoot = await realpath(root);
  let dir = realRoot;
  for (const part of ['.agentlang', ...parts]) {
    dir = join(dir, part);
    await mkdir(dir, { recursive: true });
    const st = await lstat(dir);
    if (st.isSymbolicLink() || !st.isDirectory())
      throw new HarnessError('HARNESS_EGRESS_DENIED', `${dir} is not a plain directory (symlink?)`, {
        details: { dir },
      });
  }
  const real = await realpath(dir);
  const rel = relative(realRoot, real);
  if (rel.startsWith('..') || isAbsolute(rel) || rel.split(sep)[0] !== '.agentlang') {
    throw new HarnessError('HARNESS_EGRESS_DENIED', `${dir} escapes the project root`, { details: { dir } });
  }
  return real;
}

// ---------------------------------------------------------------- web_fetch

/** web_fetch configuration. */
export interface WebFetchConfig {
  /** Response bytes kept at most (default 512 KiB). */
  maxBytes?: number;
  /** Time limit per fetch (default 20 s). */
  timeoutMs?: number;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", apos: "'", nbsp: ' ' };

/**
 * HTML as plain text for the model: scripts, styles and tags dropped, common entities decoded,
 * blank runs collapsed. Not a Markdown converter; `format: 'html'` keeps the page as it came.
 */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style|noscript|template)\b[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<(br|\/p|\/div|\/h[1-6]|\/li|\/tr|hr)\b[^>]*>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&(amp|lt|gt|quot|#39|apos|nbsp);/g, (_m, e: string) => ENTITIES[e] ?? '')
    .replace(/[ \t]+/g, ' ')
    .replace(/ *\n[\s]*/g, '\n')
    .trim();
}

export function createWebFetchTool(config: WebFetchConfig, host: BuiltinToolHost): HarnessTool {
  return {
    spec: { name: 'web_fetch', description: DESCRIPTIONS.web_fetch, inputSchema: BUILTIN_INPUT_SCHEMAS.web_fetch },
    async execute(args, context) {
      if (!isObject(args) || typeof args.url !== 'string') return fail('validation', 'web_fetch needs { url: string }');
      let url: URL;
      try {
        url = new URL(args.url);
      } catch {
        return fail('validation', `${args.url} is not an absolute URL`);
      }
      try {
        const r = await egressFetch(
          url,
          {
            timeoutMs: config.timeoutMs ?? 20_000,
            maxBytes: config.maxBytes ?? 512 * 1024,
            signal: context.signal,
            headers: { accept: 'text/*, application/json;q=0.9, */*;q=0.5' },
          },
          host.egress ?? {},
        );
        const html = /\bhtml\b/i.test(String(r.headers['content-type'] ?? ''));
        const content = html && args.format !== 'html' ? htmlToText(r.body) : r.body;
        return ok({ url: r.url, status: r.status, content, ...(r.truncated ? { truncated: true } : {}) });
      } catch (error) {
        return errorOutcome(error);
      }
    },
  };
}

// ---------------------------------------------------------------- web_search

/** web_search configuration: the endpoint, else `AGENTLANG_SEARCH_URL` from the host env. */
export interface WebSearchConfig {
  endpoint?: string;
  timeoutMs?: number;
}

/**
 * Search endpoint protocol: `POST <endpoint>` with JSON `{ query, max_results, recency_days?, site? }`,
 * answered with JSON `{ results: [{ title, url, snippet }], total_count? }`.
 */
export function createWebSearchTool(config: WebSearchConfig, host: BuiltinToolHost): HarnessTool {
  return {
    spec: { name: 'web_search', description: DESCRIPTIONS.web_search, inputSchema: BUILTIN_INPUT_SCHEMAS.web_search },
    async execute(args, context) {
      if (!isObject(args) || typeof args.query !== 'string')
        return fail('validation', 'web_search needs { query: string }');
      const endpoint = config.endpoint ?? (host.env ?? process.env).AGENTLANG_SEARCH_URL;
      if (!endpoint) {
        return fail(
          'execution',
          JSON.stringify({
            error: 'search_not_configured',
            message: 'web_search has no search endpoint: set AGENTLANG_SEARCH_URL or the tool config endpoint',
          }),
        );
      }
      const body = JSON.stringify({
        query: args.query,
        max_results: typeof args.max_results === 'number' ? args.max_results : 10,
        ...(args.recency_days !== undefined ? { recency_days: args.recency_days } : {}),
        ...(args.site !== undefined ? { site: args.site } : {}),
      });
      try {
        const r = await egressFetch(
          endpoint,
          {
            method: 'POST',
            body,
            headers: { 'content-type': 'application/json', accept: 'application/json' },
            timeoutMs: config.timeoutMs ?? 20_000,
            signal: context.signal,
          },
          host.egress ?? {},
        );
        if (r.status < 200 || r.status >= 300) return fail('execution', `search endpoint answered ${r.status}`);
        let parsed: unknown;
        try {
          parsed = JSON.parse(r.body);
        } catch {
          return fail('execution', 'search endpoint answered with something other than JSON');
        }
        if (!isObject(parsed) || !Array.isArray(parsed.results))
          return fail('execution', 'search endpoint answer has no results array');
        const results = parsed.results
          .filter(isObject)
          .map((x) => ({ title: String(x.title ?? ''), url: String(x.url ?? ''), snippet: String(x.snippet ?? '') }));
        return ok({ results, ...(typeof parsed.total_count === 'number' ? { total_count: parsed.total_count } : {}) });
      } catch (error) {
        return errorOutcome(error);
      }
    },
  };
}

// ---------------------------------------------------------------- artifacts

const KIND_EXT: Record<string, string> = { markdown: 'md', html: 'html', code: 'txt', csv: 'csv' };

function slug(title: string): string {
  return (
    title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 80) || 'artifact'
  );
}

/** Files under `<root>/.agentlang/artifacts/<run id>/`; names are plain file names, symlinks refused. */
export function createArtifactsTool(_config: Record<string, unknown>, host: BuiltinToolHost): HarnessTool {
  const dir = () => confinedDir(host.root, 'artifacts', segmentFor(host.runId, 'run id'));
  return {
    spec: { name: 'artifacts', description: DESCRIPTIONS.artifacts, inputSchema: BUILTIN_INPUT_SCHEMAS.artifacts },
    async execute(args) {
      if (!isObject(args)) return fail('validation', 'artifacts needs an object');
      const op = args.op ?? 'save';
      try {
        if (op === 'list') {
          const d = await dir();
          const names = (await readdir(d, { withFileTypes: true }))
            .filter((e) => e.isFile() && !e.name.endsWith('.tmp'))
            .map((e) => e.name)
            .sort();
          return ok({ id: host.runId, names });
        }
        if (op === 'read') {
          if (typeof args.name !== 'string') return fail('validation', 'artifacts read needs { name }');
          if (!safeSegment(args.name)) return fail('denied', `artifact name "${args.name}" is not a plain file name`);
          const path = join(await dir(), args.name);
          const st = await lstat(path).catch(() => undefined);
          if (!st) return fail('execution', `no artifact named ${args.name}`);
          if (!st.isFile()) return fail('denied', `artifact ${args.name} is not a regular file (symlink?)`);
          return ok({ id: args.name, content: await readFile(path, 'utf8') });
        }
        if (op !== 'save') return fail('validation', `unknown artifacts op ${String(op)}`);
        if (typeof args.title !== 'string' || typeof args.content !== 'string')
          return fail('validation', 'artifacts save needs { title, content }');
        const explicit = typeof args.name === 'string' ? args.name : undefined;
        if (explicit !== undefined && !safeSegment(explicit))
          return fail('denied', `artifact name "${explicit}" is not a plain file name`);
        const name = explicit ?? `${slug(args.title)}.${KIND_EXT[String(args.kind ?? 'markdown')] ?? 'md'}`;
        const d = await dir();
        const path = join(d, name);
        const st = await lstat(path).catch(() => undefined);
        if (st && !st.isFile()) return fail('denied', `artifact ${name} exists and is not a regular file (symlink?)`);
        await atomicWrite(path, args.content);
        return ok({ id: name, url: pathToFileURL(path).href });
      } catch (error) {
        return errorOutcome(error);
      }
    },
  };
}

// ---------------------------------------------------------------- storage

/** Key-value pairs in `<root>/.agentlang/storage/<agent>.json`, rewritten atomically on each change. */
export function createStorageTool(_config: Record<string, unknown>, host: BuiltinToolHost): HarnessTool {
  const file = async () => join(await confinedDir(host.root, 'storage'), `${agentFileStem(host.agent)}.json`);
  const load = async (path: string): Promise<Record<string, unknown>> => {
    const st = await lstat(path).catch(() => undefined);
    if (!st) return {};
    if (!st.isFile())
      throw new HarnessError('HARNESS_EGRESS_DENIED', `${path} is not a regular file (symlink?)`, {
        details: { path },
      });
    const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
    return isObject(parsed) ? parsed : {};
  };
  let chain: Promise<unknown> = Promise.resolve();
  return {
    spec: { name: 'storage', description: DESCRIPTIONS.storage, inputSchema: BUILTIN_INPUT_SCHEMAS.storage },
    execute(args) {
      // Calls on one instance run one after another, so read-modify-write never interleaves.
      const run = async (): Promise<ToolOutcome> => {
        if (!isObject(args) || typeof args.op !== 'string') return fail('validation', 'storage needs { op }');
        const op = args.op === 'set' ? 'put' : args.op;
        try {
          const path = await file();
          const data = await load(path);
          if (op === 'list') return ok({ keys: Object.keys(data).sort() });
          if (typeof args.key !== 'string') return fail('validation', `storage ${op} needs { key }`);
          const has = Object.hasOwn(data, args.key);
          if (op === 'get') return ok(has ? { value: data[args.key] } : { value: null, found: false });
          if (op === 'put') {
            if (args.value === undefined) return fail('validation', 'storage put needs { value }');
            data[args.key] = args.value;
          } else if (op === 'delete') {
            delete data[args.key];
          } else return fail('validation', `unknown storage op ${op}`);
          await atomicWrite(path, `${JSON.stringify(data, null, 2)}\n`);
          return ok(op === 'delete' ? { deleted: has } : { value: args.value });
        } catch (error) {
          return errorOutcome(error);
        }
      };
      const next = chain.then(run, run);
      chain = next;
      return next;
    },
  };
}

// ---------------------------------------------------------------- sqlite

/** One column in the spec's `tables.<name>.columns` form. */
export interface SqliteColumn {
  type: string;
  primary_key?: boolean;
  required?: boolean;
  unique?: boolean;
  default?: string | number | boolean | null;
}

/** sqlite configuration: tables created (if missing) before the first statement. */
export interface SqliteConfig {
  /**
   * Table name → its columns: the spec's form `{ citations: { columns: { id: { type: integer,
   * primary_key: true }, url: { type: text, required: true } } } }`, or column definitions as SQL
   * (`{ notes: 'id INTEGER PRIMARY KEY, body TEXT' }`).
   */
  tables?: Record<string, string | { columns: Record<string, SqliteColumn> }>;
  /** Database file name under `<root>/.agentlang/sqlite/` (default `<agent>.db`). */
  file?: string;
}

type SqlJs = typeof import('sql.js');
type SqlStatic = Awaited<ReturnType<SqlJs['default']>>;
let sqlJs: Promise<SqlStatic> | undefined;

/**
 * Where sql.js's WebAssembly file is: beside sql.js when it resolves from this module, else beside
 * the running bundle (the CLI's build copies `sql-wasm.wasm` next to its bundles, where sql.js's own
 * default would look only in a CommonJS bundle).
 */
function locateSqlWasm(file: string): string {
  const here = typeof __filename === 'string' ? __filename : import.meta.url;
  try {
    return createRequire(here).resolve(`sql.js/dist/${file}`);
  } catch {
    return here.startsWith('file:') ? fileURLToPath(new URL(file, here)) : join(dirname(here), file);
  }
}

/** sql.js (WebAssembly) loads on the first sqlite call only. */
function loadSqlJs(): Promise<SqlStatic> {
  sqlJs ??= import('sql.js').then((m) => (m.default as unknown as SqlJs['default'])({ locateFile: locateSqlWasm }));
  return sqlJs;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** A column type as SQLite spells one: words, optionally with a size (`VARCHAR(80)`, `DECIMAL(10, 2)`). */
const COLUMN_TYPE = /^[A-Za-z][A-Za-z ]{0,31}(\(\s*\d{1,4}\s*(,\s*\d{1,4}\s*)?\))?$/;

function sqlLiteral(value: string | number | boolean | null): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new HarnessError('HARNESS_TOOL_DEFINITION', `sqlite column default ${value} is not a finite number`, {
        details: { default: value },
      });
    return String(value);
  }
  return `'${value.replace(/'/g, "''")}'`;
}

/** The column definitions of one configured table as SQL; the spec's `columns` form is checked name by name, type by type. */
function tableColumnsSql(table: string, definition: unknown): string {
  if (typeof definition === 'string') return definition;
  const columns = isObject(definition) && isObject(definition.columns) ? definition.columns : undefined;
  if (!columns || Object.keys(columns).length === 0) {
    throw new HarnessError(
      'HARNESS_TOOL_DEFINITION',
      `sqlite table "${table}" needs columns: { <name>: { type: text|integer|real|blob, primary_key?, required?, unique?, default? } } or its column definitions as SQL`,
      {
        details: { table },
      },
    );
  }
  return Object.entries(columns)
    .map(([name, raw]) => {
      const column = (isObject(raw) ? raw : { type: raw }) as Partial<SqliteColumn>;
      if (!IDENT.test(name))
        throw new HarnessError(
          'HARNESS_TOOL_DEFINITION',
          `sqlite column name "${table}.${name}" is not a plain identifier`,
          { details: { table, column: name } },
        );
      if (typeof column.type !== 'string' || !COLUMN_TYPE.test(column.type)) {
        throw new HarnessError(
          'HARNESS_TOOL_DEFINITION',
          `sqlite column "${table}.${name}" has type ${JSON.stringify(column.type)}; expected a type name such as text, integer, real or blob`,
          {
            details: { table, column: name, type: column.type },
          },
        );
      }
      const parts = [`"${name}"`, column.type.toUpperCase()];
      if (column.primary_key === true) parts.push('PRIMARY KEY');
      if (column.required === true) parts.push('NOT NULL');
      if (column.unique === true) parts.push('UNIQUE');
      if (column.default !== undefined) parts.push(`DEFAULT ${sqlLiteral(column.default)}`);
      return parts.join(' ');
    })
    .join(', ');
}

export function createSqliteTool(config: SqliteConfig, host: BuiltinToolHost): HarnessTool {
  const tables: Array<[string, string]> = [];
  for (const [name, definition] of Object.entries(config.tables ?? {})) {
    if (!IDENT.test(name))
      throw new HarnessError('HARNESS_TOOL_DEFINITION', `sqlite table name "${name}" is not a plain identifier`, {
        details: { table: name },
      });
    tables.push([name, tableColumnsSql(name, definition)]);
  }
  let chain: Promise<unknown> = Promise.resolve();
  return {
    spec: { name: 'sqlite', description: DESCRIPTIONS.sqlite, inputSchema: BUILTIN_INPUT_SCHEMAS.sqlite },
    execute(args) {
      const run = async (): Promise<ToolOutcome> => {
        if (!isObject(args) || typeof args.sql !== 'string') return fail('validation', 'sqlite needs { sql }');
        const params = args.params ?? [];
        if (
          !Array.isArray(params) ||
          !params.every((p) => p === null || ['string', 'number', 'boolean'].includes(typeof p))
        ) {
          return fail('validation', 'sqlite params must be an array of strings, numbers, booleans or null');
        }
        const sql = args.sql.trim().replace(/;\s*$/, '');
        try {
          const SQL = await loadSqlJs();
          const path = join(
            await confinedDir(host.root, 'sqlite'),
            segmentFor(config.file ?? `${agentFileStem(host.agent)}.db`, 'database file'),
          );
          const st = await lstat(path).catch(() => undefined);
          if (st && !st.isFile()) return fail('denied', `${path} is not a regular file (symlink?)`);
          const db = new SQL.Database(st ? await readFile(path) : undefined);
          try {
            for (const [name, columns] of tables) db.run(`CREATE TABLE IF NOT EXISTS "${name}" (${columns})`);
            const before = db.getRowsModified();
            // sql.js's prepare would silently drop everything after the first statement; refuse instead.
            const statements = db.iterateStatements(sql);
            const first = statements.next();
            if (first.done) return fail('validation', 'sqlite needs one SQL statement');
            const stmt = first.value;
            if (statements.getRemainingSQL().replace(/[\s;]+/g, '') !== '') {
              stmt.free();
              return fail('validation', 'sqlite runs one statement per call; pass values as ? params, not as more SQL');
            }
            try {
              stmt.bind(params.map((p) => (typeof p === 'boolean' ? Number(p) : p)) as (string | number | null)[]);
              const rows: unknown[][] = [];
              while (stmt.step()) rows.push(stmt.get());
              const columns = stmt.getColumnNames();
              const changes = db.getRowsModified() - before;
              const changed = (config.tables && !st) || !/^\s*(select|with|explain|pragma)\b/i.test(sql);
              if (changed) await atomicWrite(path, db.export());
              return ok({ columns, rows, changes: Math.max(0, changes) });
            } finally {
              stmt.free();
            }
          } finally {
            db.close();
          }
        } catch (error) {
          return errorOutcome(error);
        }
      };
      const next = chain.then(run, run);
      chain = next;
      return next;
    },
  };
}

// ---------------------------------------------------------------- dispatcher

/** Builds one built-in tool by name. Throws for a name this package does not implement. */
export function createBuiltinTool(
  name: string,
  config: Record<string, unknown> | undefined,
  host: BuiltinToolHost,
): HarnessTool {
  const c = config ?? {};
  switch (name) {
    case 'web_fetch':
      return createWebFetchTool(c as WebFetchConfig, host);
    case 'web_search':
      return createWebSearchTool(c as WebSearchConfig, host);
    case 'artifacts':
      return createArtifactsTool(c, host);
    case 'storage':
      return createStorageTool(c, host);
    case 'sqlite':
      return createSqliteTool(c as SqliteConfig, host);
    default:
      throw new HarnessError(
        'HARNESS_TOOL_DEFINITION',
        `${name} is not a built-in tool this harness implements (${BUILTIN_TOOL_NAMES.join(', ')})`,
        { details: { name } },
      );
  }
}
