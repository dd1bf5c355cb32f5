import { readdirSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { LoadedAgent } from '@agentlang/manifest';
import { ResolveError } from './errors.js';
import { withPosition } from './located.js';
import type { ResolvedSubAgent } from './plan.js';

/** Depth allowed when an agent delegates without `max_depth` (the spec's example value). */
export const DEFAULT_MAX_DEPTH = 3;

/** Loads a sub-agent manifest from an absolute path. */
export type SubAgentLoader = (path: string) => Promise<LoadedAgent>;

function posix(p: string): string {
  return p.split(sep).join('/');
}

/** Sub-agent files of an agent, absolute: the loader's list, else `delegate.agents` plus directory discovery. */
export function subAgentFiles(agent: LoadedAgent): string[] {
  const root = agent.source.root;
  if (Array.isArray(agent.subAgentPaths)) return agent.subAgentPaths.map((s) => resolve(root, s.path));
  const d = agent.manifest.delegate;
  if (!d) return [];
  const out = d.agents.map((a) => resolve(root, a.path));
  if (d.discovery === 'directory') {
    const entry = resolve(root, agent.source.entry);
    for (const f of readdirSync(root).sort()) {
      const abs = join(root, f);
      if (/\.ya?ml$/.test(f) && abs !== entry && f !== 'prompt.yaml' && f !== 'ux.yaml' && !out.includes(abs))
        out.push(abs);
    }
  }
  return out;
}

/**
 * Where `parent` refers to sub-agent `file`: its `delegate.agents` entry, or (for a discovered file)
 * nothing in the parent — then the error is located at the sub-agent file itself.
 */
function locateReference(error: ResolveError, parent: LoadedAgent, file: string, topRoot: string): ResolveError {
  const root = parent.source.root;
  const index = parent.manifest.delegate?.agents.findIndex((a) => resolve(root, a.path) === file) ?? -1;
  if (index >= 0) return withPosition(error, parent, ['delegate', 'agents', index]);
  if (error.details.line !== undefined) return error;
  const rel = posix(relative(topRoot, file));
  return new ResolveError(error.code, `${rel}: ${error.message} (found by directory discovery)`, {
    cause: error.cause,
    details: { ...error.details, file: rel },
  });
}

/**
 * Resolves sub-agents recursively (depth-first, siblings loaded concurrently): each sub-agent's
 * digest, depth and parent. Enforces the root's `max_depth` (and each level's own, whichever is
 * tighter) and reports a cycle with its chain.
 */
export async function resolveSubAgents(
  agent: LoadedAgent,
  load: SubAgentLoader,
): Promise<{ subAgents: ResolvedSubAgent[]; decisions: string[] }> {
  const topRoot = agent.source.root;
  const cache = new Map<string, Promise<LoadedAgent>>();
  const loadOnce = (file: string) => {
    let p = cache.get(file);
    if (!p) {
      p = load(file).catch((cause: unknown) => {
        const reason = (cause as Error).message ?? String(cause);
        throw new ResolveError(
          'RESOLVE_SUBAGENT',
          `sub-agent ${posix(relative(topRoot, file))} could not be loaded: ${reason}`,
          {
            cause,
            details: { path: posix(relative(topRoot, file)), code: (cause as { code?: string }).code },
          },
        );
      });
      cache.set(file, p);
    }
    return p;
  };
  const out: ResolvedSubAgent[] = [];
  const decisions: string[] = [];
  const rootFile = resolve(topRoot, agent.source.entry);
  const label = (file: string, a?: LoadedAgent) => a?.manifest.name ?? posix(relative(topRoot, file));

  async function walk(
    parent: LoadedAgent,
    chain: Array<{ file: string; name: string }>,
    budget: number,
  ): Promise<void> {
    const files = subAgentFiles(parent);
    if (files.length === 0) return;
    const depth = chain.length;
    const children = await Promise.all(
      files.map((f) =>
        chain.some((c) => c.file === f)
          ? Promise.resolve(undefined)
          : loadOnce(f).catch((error: unknown) => {
              throw error instanceof ResolveError ? locateReference(error, parent, f, topRoot) : error;
            }),
      ),
    );
    for (let i = 0; i < files.length; i++) {
      const file = files[i]!;
      const seen = chain.findIndex((c) => c.file === file);
      if (seen >= 0) {
        const cycle = [...chain.slice(seen).map((c) => c.name), chain[seen]!.name];
        const error = new ResolveError(
          'RESOLVE_DELEGATE_CYCLE',
          `delegation cycle: ${cycle.join(' → ')}; remove one of these delegations`,
          {
            details: {
              chain: cycle,
              files: [
                ...chain.slice(seen).map((c) => posix(relative(topRoot, c.file))),
                posix(relative(topRoot, file)),
              ],
            },
          },
        );
        throw locateReference(error, parent, file, topRoot);
      }
      const child = children[i]!;
      if (depth > budget) {
        const path = [...chain.map((c) => c.name), child.manifest.name];
        throw locateReference(
          new ResolveError(
            'RESOLVE_DELEGATE_DEPTH',
            `delegation depth ${depth} exceeds max_depth ${budget}: ${path.join(' → ')}; raise delegate.max_depth or flatten the crew`,
            { details: { depth, maxDepth: budget, chain: path } },
          ),
          parent,
          file,
          topRoot,
        );
      }
      const name = child.manifest.name;
      const permission =
        parent === agent ? agent.manifest.delegate?.permissions[name] : parent.manifest.delegate?.permissions[name];
      out.push({
        name,
        path: posix(isAbsolute(file) ? relative(topRoot, file) : file),
        digest: child.digest,
        ...(child.manifest.version ? { version: child.manifest.version } : {}),
        depth,
        parent: parent.manifest.name,
        ...(permission ? { permission } : {}),
      });
      decisions.push(`sub-agent ${name}: depth ${depth} under ${parent.manifest.name}, ${child.digest}`);
      const own = child.manifest.delegate?.maxDepth;
      const nextBudget = own === undefined ? budget : Math.min(budget, depth + own);
      await walk(child, [...chain, { file, name: label(file, child) }], nextBudget);
    }
  }

  const maxDepth = agent.manifest.delegate?.maxDepth ?? DEFAULT_MAX_DEPTH;
  await walk(agent, [{ file: rootFile, name: agent.manifest.name }], maxDepth);
  return { subAgents: out, decisions };
}
