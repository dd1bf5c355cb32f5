// Resolve (and resolve + lock) of a generated agent with 200 tools and 20 sub-agents, tool
// definitions from a local catalog, in process. Floor: raw read + parse + sha256 of the same files
// (agent.yaml, the 20 sub-agent manifests, the 200 tool definitions resolve pins), same run.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAgent } from '@agentlang/manifest';
import { resolvePlan } from '@agentlang/resolver';
import { createRequire } from 'node:module';
import { root, row, timeAsync } from '../harness.js';

// The same YAML parser the manifest loader uses (the bench package does not depend on it directly).
const { parse: parseYaml } = createRequire(join(root, 'packages/manifest/package.json'))('yaml');

const TOOLS = 200;
const SUBAGENTS = 20;
const VERSIONS = ['1.0.0', '1.1.0', '1.2.3', '2.0.0'];

/** Writes the agent, its sub-agents and the catalog; returns the paths the floor reads. */
export function generate(dir) {
  const tools = Array.from({ length: TOOLS }, (_, i) => `tool_${String(i).padStart(3, '0')}`);
  const catalog = join(dir, 'catalog');
  for (const name of tools) {
    mkdirSync(join(catalog, name), { recursive: true });
    for (const version of VERSIONS) {
      const def = {
        name,
        version,
        description: `Generated tool ${name}`,
        inputSchema: {
          type: 'object',
          properties: { query: { type: 'string' }, limit: { type: 'integer', default: 10 } },
          required: ['query'],
        },
        outputSchema: { type: 'object', properties: { results: { type: 'array', items: { type: 'string' } } } },
      };
      writeFileSync(join(catalog, name, `${version}.json`), JSON.stringify(def, null, 2));
    }
  }
  const subs = Array.from({ length: SUBAGENTS }, (_, i) => `specialist-${String(i).padStart(2, '0')}`);
  mkdirSync(join(dir, 'specialists'));
  for (const s of subs) {
    writeFileSync(
      join(dir, 'specialists', `${s}.yaml`),
      `name: ${s}\nversion: 1.0.0\ndescription: |\n  Specialist ${s}.\ntools:\n  - name: ${tools[0]}\n    version: ^1.0.0\n`,
    );
  }
  const yaml = [
    'name: big-orchestrator',
    'version: 1.0.0',
    'description: Generated agent with 200 tools and 20 sub-agents',
    'models:',
    '  test-echo/bench:',
    '    provider: test-echo',
    'tools:',
    ...tools.flatMap((t, i) => [`  - name: ${t}`, `    version: "${i % 2 === 0 ? '^1.0.0' : '~1.1.0'}"`]),
    'delegate:',
    '  agents:',
    ...subs.map((s) => `    - ./specialists/${s}.yaml`),
    '  max_depth: 2',
    '',
  ].join('\n');
  writeFileSync(join(dir, 'agent.yaml'), yaml);
  const pinned = tools.map((t, i) => join(catalog, t, i % 2 === 0 ? '1.2.3.json' : '1.1.0.json'));
  return {
    catalog,
    yamlFiles: [join(dir, 'agent.yaml'), ...subs.map((s) => join(dir, 'specialists', `${s}.yaml`))],
    jsonFiles: pinned,
  };
}

function floor(files) {
  for (const f of files.yamlFiles) {
    const bytes = readFileSync(f);
    parseYaml(bytes.toString('utf8'));
    createHash('sha256').update(bytes).digest('hex');
  }
  for (const f of files.jsonFiles) {
    const bytes = readFileSync(f);
    JSON.parse(bytes.toString('utf8'));
    createHash('sha256').update(bytes).digest('hex');
  }
}

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), 'agentlang-bench-resolve-'));
  try {
    const files = generate(dir);
    const resolveOnce = async () => {
      const agent = await loadAgent(dir);
      return resolvePlan(agent, { toolCatalogs: [files.catalog], env: process.env });
    };
    const plan = await resolveOnce();
    if (plan.tools.length !== TOOLS || plan.subAgents.length !== SUBAGENTS) {
      throw new Error(`generated agent resolved to ${plan.tools.length} tools and ${plan.subAgents.length} sub-agents`);
    }
    let lock;
    try {
      lock = await import('@agentlang/lock');
    } catch {
      lock = undefined;
    }
    const hasLock = typeof lock?.createLock === 'function' && typeof lock?.serializeLock === 'function';
    const rounds = { rounds: 25, warmup: 5 };
    // Interleave measurements so machine noise hits each alike.
    const samples = { floor: [], resolve: [], lock: [] };
    for (let i = 0; i < 3; i++) {
      samples.floor.push(await timeAsync(async () => floor(files), rounds));
      samples.resolve.push(await timeAsync(resolveOnce, rounds));
      if (hasLock) {
        samples.lock.push(
          await timeAsync(
            async () => lock.serializeLock(lock.createLock(await resolveOnce(), { manifestPath: 'agent.yaml' })),
            rounds,
          ),
        );
      }
    }
    const best = (xs) => Math.min(...xs);
    const f = best(samples.floor);
    const r = best(samples.resolve);
    const rows = [
      row('resolve', `floor: read+parse+sha256 of ${files.yamlFiles.length + files.jsonFiles.length} files`, {
        value: f.toFixed(2),
        unit: 'ms',
      }),
      row('resolve', `resolve ${TOOLS} tools + ${SUBAGENTS} sub-agents (load + plan)`, {
        value: r.toFixed(2),
        unit: 'ms',
        ratio: r / f,
        target: '< 100 ms',
        pass: r < 100,
      }),
    ];
    if (hasLock) {
      const l = best(samples.lock);
      rows.push(
        row('resolve', `resolve + lock ${TOOLS} tools + ${SUBAGENTS} sub-agents`, {
          value: l.toFixed(2),
          unit: 'ms',
          ratio: l / f,
          target: '< 100 ms',
          pass: l < 100,
        }),
      );
    } else {
      rows.push(
        row('resolve', 'resolve + lock', {
          value: 'n/a',
          note: '@agentlang/lock createLock/serializeLock not available',
        }),
      );
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
