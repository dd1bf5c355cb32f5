import type { ToolDefinition, ToolSource } from './tool-definition.js';

const str = (description: string) => ({ type: 'string', description });
const int = (description: string, extra: Record<string, unknown> = {}) => ({ type: 'integer', description, ...extra });
const obj = (properties: Record<string, unknown>, required: string[] = []) => ({
  type: 'object',
  properties,
  ...(required.length > 0 ? { required } : {}),
});

function webSearch(version: string, withFilters: boolean, withTotal: boolean): ToolDefinition {
  return {
    name: 'web_search',
    version,
    description: 'Find current information across the web',
    inputSchema: obj(
      {
        query: str('Search query'),
        max_results: int('Largest number of results', { default: 10, minimum: 1, maximum: 50 }),
        ...(withFilters
          ? { recency_days: int('Only results newer than this many days'), site: str('Restrict to one site') }
          : {}),
      },
      ['query'],
    ),
    outputSchema: obj({
      results: {
        type: 'array',
        items: obj({ title: { type: 'string' }, url: { type: 'string' }, snippet: { type: 'string' } }),
      },
      ...(withTotal ? { total_count: { type: 'integer' } } : {}),
    }),
  };
}

function webFetch(version: string, withFormat: boolean): ToolDefinition {
  return {
    name: 'web_fetch',
    version,
    description: 'Read detailed content from specific URLs',
    inputSchema: obj(
      {
        url: str('Absolute http(s) URL'),
        ...(withFormat ? { format: { type: 'string', enum: ['markdown', 'text', 'html'] } } : {}),
      },
      ['url'],
    ),
    outputSchema: obj({ url: { type: 'string' }, status: { type: 'integer' }, content: { type: 'string' } }, [
      'url',
      'content',
    ]),
  };
}

function artifacts(version: string, withKind: boolean): ToolDefinition {
  return {
    name: 'artifacts',
    version,
    description: 'Save reports and findings for the user',
    inputSchema: obj(
      {
        title: str('Artifact title'),
        content: str('Artifact body'),
        ...(withKind ? { kind: { type: 'string', enum: ['markdown', 'html', 'code', 'csv'] } } : {}),
      },
      ['title', 'content'],
    ),
    outputSchema: obj({ id: { type: 'string' }, url: { type: 'string' } }, ['id']),
  };
}

function sqlite(version: string, withParams: boolean): ToolDefinition {
  return {
    name: 'sqlite',
    version,
    description: 'Query and store structured data in an agent-local SQLite database',
    inputSchema: obj(
      { sql: str('One SQL statement'), ...(withParams ? { params: { type: 'array', items: {} } } : {}) },
      ['sql'],
    ),
    outputSchema: obj({
      columns: { type: 'array', items: { type: 'string' } },
      rows: { type: 'array', items: { type: 'array' } },
      changes: { type: 'integer' },
    }),
  };
}

function storage(version: string, withList: boolean): ToolDefinition {
  return {
    name: 'storage',
    version,
    description: 'Abstract key-value storage that persists between sessions',
    inputSchema: obj(
      {
        op: { type: 'string', enum: withList ? ['get', 'put', 'delete', 'list'] : ['get', 'put', 'delete'] },
        key: str('Key'),
        value: {},
      },
      ['op'],
    ),
    outputSchema: obj({ value: {}, keys: { type: 'array', items: { type: 'string' } } }),
  };
}

function delegate(version: string, withContext: boolean): ToolDefinition {
  return {
    name: 'delegate',
    version,
    description: 'Hand a task to a sub-agent and return its answer',
    inputSchema: obj(
      {
        agent: str('Sub-agent name'),
        task: str('What the sub-agent should do'),
        ...(withContext ? { context: str('Extra context') } : {}),
      },
      ['agent', 'task'],
    ),
    outputSchema: obj({ agent: { type: 'string' }, result: { type: 'string' } }, ['result']),
  };
}

/**
 * The built-in tool catalog: the tools the AgentLang spec names, several versions each, with
 * input and output schemas. Frozen; the integrity of each entry is stable across releases.
 */
export const BUILTIN_TOOLS: readonly ToolDefinition[] = Object.freeze([
  webSearch('1.0.0', false, false),
  webSearch('1.1.0', false, true),
  webSearch('1.2.0', true, true),
  webSearch('1.2.3', true, true),
  webSearch('2.0.0-beta.1', true, true),
  webFetch('0.9.0', false),
  webFetch('1.0.0', false),
  webFetch('1.0.2', true),
  artifacts('1.0.0', false),
  artifacts('1.1.0', true),
  artifacts('2.0.0', true),
  sqlite('1.0.0', false),
  sqlite('1.1.0', true),
  sqlite('1.2.0', true),
  storage('1.0.0', false),
  storage('1.1.0', true),
  delegate('1.0.0', false),
  delegate('1.1.0', true),
]);

/** The built-in catalog as a {@link ToolSource} (`source: builtin`). */
export function createBuiltinToolSource(): ToolSource {
  const byName = new Map<string, ToolDefinition[]>();
  for (const def of BUILTIN_TOOLS) {
    const list = byName.get(def.name) ?? [];
    list.push(def);
    byName.set(def.name, list);
  }
  return {
    id: 'builtin',
    listVersions: (name) => (byName.get(name) ?? []).map((d) => d.version),
    listNames: () => [...byName.keys()],
    getDefinition: (name, version) => {
      const found = byName.get(name)?.find((d) => d.version === version);
      if (!found) throw new Error(`builtin catalog has no ${name}@${version}`);
      return found;
    },
  };
}
