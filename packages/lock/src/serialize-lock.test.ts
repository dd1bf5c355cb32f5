import fc from 'fast-check';
import { thrownBy } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';
import { createLock, LockError, type Lockfile, parseLock, serializeLock } from './index.js';
import { demoPlan, researchPlan } from './testing/plans.js';

const text = (b: Uint8Array) => new TextDecoder().decode(b);

const codeOf = (fn: () => unknown): string => thrownBy(LockError, fn).code;

/** Rebuilds every object of a JSON value with its keys in a random order. */
function shuffleKeys(value: unknown, random: () => number): unknown {
  if (Array.isArray(value)) return value.map((v) => shuffleKeys(v, random));
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).sort(() => random() - 0.5);
    return Object.fromEntries(entries.map(([k, v]) => [k, shuffleKeys(v, random)]));
  }
  return value;
}

describe('serializeLock', () => {
  it("writes seed 000's shape for the demo agent, exactly", () => {
    const lock = createLock(demoPlan(), { manifestPath: 'demo.agent' });
    expect(text(serializeLock(lock))).toBe(`{
  "schema": "agentlang.lock/v2",
  "manifest": {
    "hash": "ag1:${'a'.repeat(64)}",
    "path": "demo.agent",
    "name": "demo",
    "version": "0.1.0"
  },
  "resolved": {
    "runtime": "test-echo",
    "model": "test-echo/demo",
    "auth_source": "local socket",
    "tools": [],
    "system_prompt_sha256": "sha256:${'b'.repeat(64)}",
    "host": {
      "os": "linux",
      "arch": "x64"
    },
    "system_prompts": {
      "markdown": "sha256:${'b'.repeat(64)}",
      "xml": "sha256:${'b'.repeat(63)}c"
    },
    "models": {
      "test-echo/demo": {
        "provider": "test-echo",
        "known": true
      }
    },
    "agents": [],
    "mcp_servers": []
  },
  "files": {
    "manifest": "sha256:${'c'.repeat(64)}"
  }
}
`);
  });

  it("holds seed 003's content: tools with version/source/integrity, sub-agents, models, MCP schemas, files", () => {
    const lock = parseLock(serializeLock(createLock(researchPlan(), { manifestPath: 'agent.yaml' })));
    expect(lock.resolved.tools.map((t) => `${t.name}@${t.version}`)).toEqual([
      'artifacts@1.0.0',
      'web_fetch@1.0.1',
      'web_search@1.2.3',
    ]);
    expect(lock.resolved.tools[2]).toEqual({
      name: 'web_search',
      version: '1.2.3',
      constraint: '^1.2.0',
      source: 'builtin',
      integrity: `sha256:${'2'.repeat(64)}`,
    });
    expect(lock.resolved.agents.map((a) => a.name)).toEqual(['academic-researcher', 'market-analyst']);
    expect(lock.resolved.models['claude-sonnet-4']).toEqual({
      provider: 'anthropic',
      context_window: 200000,
      supports_tools: true,
      supports_vision: true,
      known: true,
    });
    expect(lock.resolved.mcp_servers[0]!.tools.map((t) => t.name)).toEqual(['add', 'echo']);
    expect(lock.resolved.mcp_servers[0]!.env_keys).toEqual(['STRIPE_SECRET_KEY']);
    expect(Object.keys(lock.files)).toEqual([
      'agent:academic-researcher',
      'agent:market-analyst',
      'manifest',
      'prompt',
    ]);
    expect(lock.resolved.system_prompts).toEqual({
      markdown: `sha256:${'9'.repeat(63)}8`,
      xml: `sha256:${'9'.repeat(64)}`,
    });
    // Host-local facts of the plan never reach the lock.
    expect(text(serializeLock(lock))).not.toMatch(/\/usr\/bin|decisions|available|timestamp|resolved_at/);
  });

  it('property: the same lock gives the same bytes whatever its key order, and parse ∘ serialize is the identity', () => {
    const base = createLock(researchPlan(), { manifestPath: 'agent.yaml' });
    const expected = serializeLock(base);
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        let s = seed;
        const random = () => {
          s = (s * 1103515245 + 12345) & 0x7fffffff;
          return s / 0x7fffffff;
        };
        const shuffled = shuffleKeys(base, random) as Lockfile;
        const reversed = {
          ...shuffled,
          resolved: { ...shuffled.resolved, tools: [...shuffled.resolved.tools].reverse() },
        };
        expect(Buffer.from(serializeLock(reversed)).equals(Buffer.from(expected))).toBe(true);
        expect(parseLock(serializeLock(reversed))).toEqual(parseLock(expected));
      }),
      { numRuns: 100 },
    );
  });

  it('property: arbitrary tool sets serialise deterministically and round-trip', () => {
    const tool = fc.record({
      name: fc.string({ minLength: 1, maxLength: 12 }),
      constraint: fc.constantFrom('*', '^1.0.0', '~2.1.0', '>=1 <3'),
      version: fc.constantFrom('1.0.0', '2.1.3', '0.0.1-beta.1'),
      source: fc.constantFrom('builtin', 'catalog:/tmp/x'),
      integrity: fc
        .string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 })
        .map((h) => `sha256:${h}`),
    });
    fc.assert(
      fc.property(fc.uniqueArray(tool, { selector: (t) => t.name, maxLength: 20 }), (tools) => {
        const a = serializeLock(createLock(demoPlan({ tools }), { manifestPath: 'demo.agent' }));
        const b = serializeLock(createLock(demoPlan({ tools: [...tools].reverse() }), { manifestPath: 'demo.agent' }));
        expect(text(a)).toBe(text(b));
        expect(text(serializeLock(parseLock(a)))).toBe(text(a));
      }),
      { numRuns: 100 },
    );
  });
});

describe('parseLock', () => {
  const good = JSON.parse(text(serializeLock(createLock(researchPlan(), { manifestPath: 'agent.yaml' }))));
  const bytes = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

  it("rejects another schema with LOCK_SCHEMA_UNSUPPORTED (seed 003's YAML-era lock included)", () => {
    expect(codeOf(() => parseLock(bytes({ ...good, schema: 'agentspec.lock/v1' })))).toBe('LOCK_SCHEMA_UNSUPPORTED');
    expect(codeOf(() => parseLock(bytes({ version: '1', resolved_at: '2025-01-29T10:30:00Z' })))).toBe(
      'LOCK_SCHEMA_UNSUPPORTED',
    );
  });

  it('rejects malformed locks with LOCK_MALFORMED and says where', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ ...good, extra: 1 }, /unexpected key "extra"/],
      [{ ...good, manifest: { ...good.manifest, hash: 'ag1:abc' } }, /manifest\.hash/],
      [{ ...good, files: { 'a.yaml': 'md5:00' } }, /files\["a.yaml"\]/],
      [
        { ...good, resolved: { ...good.resolved, tools: [good.resolved.tools[0], good.resolved.tools[0]] } },
        /unique names/,
      ],
      [{ ...good, resolved: { ...good.resolved, agents: [{ ...good.resolved.agents[0], depth: -1 }] } }, /depth/],
      [
        { ...good, resolved: { ...good.resolved, agents: [{ ...good.resolved.agents[0], permission: 'never' }] } },
        /permission/,
      ],
      [JSON.parse('{"__proto__": {"polluted": true}}'), /schema/],
      [{ ...good, files: JSON.parse('{"__proto__": "sha256:' + 'a'.repeat(64) + '"}') }, /__proto__/],
      [{ ...good, resolved: { ...good.resolved, models: JSON.parse('{"__proto__": {"known": true}}') } }, /__proto__/],
    ];
    for (const [value, message] of cases) {
      try {
        parseLock(bytes(value));
        throw new Error('accepted');
      } catch (error) {
        expect((error as LockError).code).toMatch(/^LOCK_(MALFORMED|SCHEMA_UNSUPPORTED)$/);
        expect((error as Error).message).toMatch(message);
      }
    }
    expect(codeOf(() => parseLock('{'))).toBe('LOCK_MALFORMED');
    expect(codeOf(() => parseLock(new Uint8Array([0xff, 0xfe])))).toBe('LOCK_MALFORMED');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
