import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import semver from 'semver';
import { ResolveError } from './errors.js';
import type { ToolDefinition, ToolSource } from './tool-definition.js';

const TOOL_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

function parseDefinition(file: string, name: string, version: string): ToolDefinition {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new ResolveError(
      'RESOLVE_CATALOG_INVALID',
      `tool catalog file ${file} is not valid JSON: ${(cause as Error).message}`,
      {
        cause,
        details: { file },
      },
    );
  }
  const def = raw as Partial<ToolDefinition> | null;
  const problems: string[] = [];
  if (typeof def !== 'object' || def === null || Array.isArray(def))
    problems.push('the file must hold one JSON object');
  else {
    if (def.name !== name)
      problems.push(`"name" must be "${name}" (the directory name), found ${JSON.stringify(def.name)}`);
    if (def.version !== version)
      problems.push(`"version" must be "${version}" (the file name), found ${JSON.stringify(def.version)}`);
    if (typeof def.description !== 'string') problems.push('"description" must be a string');
    if (typeof def.inputSchema !== 'object' || def.inputSchema === null)
      problems.push('"inputSchema" must be a JSON Schema object');
    if (def.outputSchema !== undefined && (typeof def.outputSchema !== 'object' || def.outputSchema === null)) {
      problems.push('"outputSchema", when present, must be a JSON Schema object');
    }
  }
  if (problems.length > 0) {
    throw new ResolveError(
      'RESOLVE_CATALOG_INVALID',
      `tool catalog file ${file} is malformed: ${problems.join('; ')}`,
      {
        details: { file, problems },
      },
    );
  }
  return def as ToolDefinition;
}

/**
 * A local tool catalog directory as a {@link ToolSource}. Layout (`agentlang.tool-catalog/v1`):
 * `<dir>/<tool name>/<exact semver>.json`, each file one {@link ToolDefinition} whose `name` and
 * `version` match the path. Other files are ignored. The source id is `catalog:<absolute dir>`.
 */
export function createLocalCatalogSource(dir: string): ToolSource {
  const root = resolve(dir);
  const versions = new Map<string, string[]>();
  try {
    readdirSync(root);
  } catch (cause) {
    throw new ResolveError(
      'RESOLVE_CATALOG_INVALID',
      `tool catalog directory ${root} cannot be read: ${(cause as Error).message}`,
      {
        cause,
        details: { dir: root },
      },
    );
  }
  return {
    id: `catalog:${root}`,
    listVersions(name) {
      if (!TOOL_NAME.test(name)) return [];
      let list = versions.get(name);
      if (list) return list;
      try {
        list = readdirSync(join(root, name))
          .filter((f) => f.endsWith('.json'))
          .map((f) => f.slice(0, -5))
          .filter((v) => semver.valid(v) === v);
      } catch {
        list = [];
      }
      versions.set(name, list);
      return list;
    },
    listNames() {
      try {
        return readdirSync(root).filter((f) => TOOL_NAME.test(f));
      } catch {
        return [];
      }
    },
    getDefinition(name, version) {
      return parseDefinition(join(root, name, `${version}.json`), name, version);
    },
  };
}
