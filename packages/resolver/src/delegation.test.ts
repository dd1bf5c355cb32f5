import type { LoadedAgent } from '@agentlang/manifest';
import { makeTempDir, rejectedWith, writeTree } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';
import { resolveSubAgents, subAgentFiles } from './delegation.js';
import { ResolveError } from './errors.js';
import { makeAgent } from './testing/make-agent.js';

/** An agent at `/crew/<file>` delegating statically to `children` (paths relative to /crew). */
function at(file: string, name: string, children: string[], maxDepth?: number): LoadedAgent {
  return makeAgent(
    {
      name,
      version: '1.0.0',
      ...(children.length > 0
        ? {
            delegate: {
              mode: 'static',
              agents: children.map((path) => ({ path })),
              permissions: { b: 'always' },
              ...(maxDepth ? { maxDepth } : {}),
            },
          }
        : {}),
    },
    { source: { kind: 'file', root: '/crew', entry: file }, subAgentPaths: children.map((path) => ({ path })) },
  );
}

function loaderOf(agents: LoadedAgent[]) {
  const byPath = new Map(agents.map((a) => [`/crew/${a.source.entry}`, a]));
  const calls: string[] = [];
  return {
    calls,
    load: async (path: string) => {
      calls.push(path);
      const a = byPath.get(path);
      if (!a) throw Object.assign(new Error(`${path} does not exist`), { code: 'MANIFEST_NOT_FOUND' });
      return a;
    },
  };
}

const fail = (p: Promise<unknown>): Promise<ResolveError> => rejectedWith(ResolveError, p);

describe('resolveSubAgents', () => {
  it('resolves recursively with depth, parent, digest and permission; loads each file once', async () => {
    const root = at('agent.yaml', 'root', ['a.yaml', 'b.yaml']);
    const a = at('a.yaml', 'a', ['c.yaml']);
    const b = at('b.yaml', 'b', ['c.yaml']);
    const c = at('c.yaml', 'c', []);
    const { load, calls } = loaderOf([a, b, c]);
    const { subAgents } = await resolveSubAgents(root, load);
    expect(subAgents.map((s) => [s.name, s.path, s.depth, s.parent])).toEqual([
      ['a', 'a.yaml', 1, 'root'],
      ['c', 'c.yaml', 2, 'a'],
      ['b', 'b.yaml', 1, 'root'],
      ['c', 'c.yaml', 2, 'b'],
    ]);
    expect(subAgents[0]!.digest).toBe(a.digest);
    expect(subAgents[2]!.permission).toBe('always');
    expect(new Set(calls).size).toBe(calls.length);
  });

  it('reports a cycle with its chain', async () => {
    const root = at('agent.yaml', 'root', ['a.yaml']);
    const a = at('a.yaml', 'a', ['b.yaml']);
    const b = at('b.yaml', 'b', ['a.yaml']);
    const e = await fail(resolveSubAgents(root, loaderOf([a, b]).load));
    expect(e.code).toBe('RESOLVE_DELEGATE_CYCLE');
    expect(e.message).toContain('a → b → a');
    expect(e.details.chain).toEqual(['a', 'b', 'a']);
  });

  it('a delegation back to the root is a cycle too', async () => {
    const root = at('agent.yaml', 'root', ['a.yaml']);
    const a = at('a.yaml', 'a', ['agent.yaml']);
    expect((await fail(resolveSubAgents(root, loaderOf([a]).load))).message).toContain('root → a → root');
  });

  it('enforces max_depth with the chain, including a tighter max_depth deeper down', async () => {
    const chain = [at('a.yaml', 'a', ['b.yaml']), at('b.yaml', 'b', ['c.yaml']), at('c.yaml', 'c', [])];
    const e = await fail(resolveSubAgents(at('agent.yaml', 'root', ['a.yaml'], 2), loaderOf(chain).load));
    expect(e.code).toBe('RESOLVE_DELEGATE_DEPTH');
    expect(e.message).toContain('depth 3 exceeds max_depth 2: root → a → b → c');
    expect(
      (await resolveSubAgents(at('agent.yaml', 'root', ['a.yaml'], 3), loaderOf(chain).load)).subAgents,
    ).toHaveLength(3);
    const tight = [at('a.yaml', 'a', ['b.yaml'], 1), at('b.yaml', 'b', ['c.yaml']), at('c.yaml', 'c', [])];
    expect((await fail(resolveSubAgents(at('agent.yaml', 'root', ['a.yaml'], 5), loaderOf(tight).load))).code).toBe(
      'RESOLVE_DELEGATE_DEPTH',
    );
  });

  it('a sub-agent that cannot be loaded is an error naming its path', async () => {
    const e = await fail(resolveSubAgents(at('agent.yaml', 'root', ['ghost.yaml']), loaderOf([]).load));
    expect(e.code).toBe('RESOLVE_SUBAGENT');
    expect(e.message).toContain('ghost.yaml');
    expect(e.details.code).toBe('MANIFEST_NOT_FOUND');
  });

  it('without the loader list, finds static paths and co-located YAML files for dynamic discovery', () => {
    const dir = writeTree(makeTempDir(), {
      'agent.yaml': '',
      'academic-researcher.yaml': '',
      'market-analyst.yml': '',
      'prompt.yaml': '',
      'notes.md': '',
    });
    const agent = makeAgent(
      { name: 'orchestrator', delegate: { mode: 'dynamic', discovery: 'directory', agents: [], permissions: {} } },
      { source: { kind: 'directory', root: dir, entry: 'agent.yaml' } },
    );
    delete (agent as Partial<LoadedAgent>).subAgentPaths;
    expect(subAgentFiles(agent)).toEqual([`${dir}/academic-researcher.yaml`, `${dir}/market-analyst.yml`]);
  });
});
