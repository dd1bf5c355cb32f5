// In-process validate throughput of @agentlang/manifest on a ~100 KiB agent.yaml (many tools, HTTP
// tools, MCP servers, UI components, permissions), loaded from memory so disk is not measured.
// Floor, measured in the same run and interleaved: `yaml.parseDocument` of the same text alone —
// the ratio is what schema validation, cross-reference checks, normalisation and the digest cost
// on top of parsing. Reported, not asserted.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadAgentFromFiles } from '@agentlang/manifest';
import { median, root, row } from '../harness.js';

// The bench package does not depend on yaml itself: use the copy @agentlang/manifest runs with.
const yamlPath = createRequire(join(root, 'packages/manifest/package.json')).resolve('yaml');
const yaml = await import(pathToFileURL(yamlPath).href);
const parseDocument = yaml.parseDocument ?? yaml.default.parseDocument;

/** Builds an agent.yaml of at least `bytes` bytes that validates. */
export function bigManifest(bytes = 100 * 1024) {
  const head = [
    'name: big-agent',
    'version: 1.0.0',
    'description: A synthetic agent used to measure validation throughput.',
    'models:',
    '  claude-sonnet-4:',
    '    provider: anthropic',
    '    options: { temperature: 0.2, max_tokens: 8192 }',
    'permissions:',
    '  required: [network, storage]',
    '  optional: [camera, background, notifications]',
    '  background:',
    '    mode: scheduled',
    '    wake_triggers:',
    '      - schedule: "*/15 * * * *"',
    '    max_runtime: 60',
    'context:',
    '  window: { max_tokens: 100000, strategy: sliding }',
    '  inject: [time, user_profile]',
  ];
  const tools = ['tools:'];
  const http = ['http_tools:'];
  const mcp = ['mcp_servers:'];
  const ui = ['ui_components:'];
  let size = head.join('\n').length;
  for (let i = 0; size < bytes; i++) {
    const chunk = [
      `  - name: tool_${i}`,
      `    version: ^${1 + (i % 5)}.${i % 10}.0`,
      '    input_schema:',
      '      type: object',
      '      properties:',
      `        query: { type: string, description: "Query for tool ${i}" }`,
      '      required: [query]',
    ];
    const h = [
      `  http_${i}:`,
      `    description: "HTTP tool number ${i}"`,
      `    endpoint: /api/v1/items/${i}`,
      '    method: POST',
      '    auth: bearer',
      '    params:',
      '      text: { type: string, required: true }',
      '    body_template: \'{"text": "{{text}}"}\'',
    ];
    const m = [
      `  server_${i}:`,
      '    command: npx',
      `    args: ["-y", "@example/mcp-${i}"]`,
      '    env:',
      '      TOKEN: "{{.env.TOKEN}}"',
      `    tools: [mcp_${i}_list, mcp_${i}_get]`,
    ];
    const u = [
      `  card_${i}:`,
      '    actions:',
      `      open: { tool: mcp_${i}_get, params: { id: "{{id}}" } }`,
      '      reply: {}',
    ];
    tools.push(...chunk);
    http.push(...h);
    mcp.push(...m);
    ui.push(...u);
    size += [...chunk, ...h, ...m, ...u].join('\n').length + 4;
  }
  return `${[...head, ...tools, ...http, ...mcp, ...ui].join('\n')}\n`;
}

export async function run() {
  const text = bigManifest();
  const bytes = new TextEncoder().encode(text);
  const files = { 'agent.yaml': bytes };
  const agent = await loadAgentFromFiles(files);
  if (agent.warnings.length) throw new Error(`synthetic manifest has warnings: ${agent.warnings[0].message}`);
  const rounds = Number(process.env.AGENTLANG_BENCH_ROUNDS ?? 30);
  const parse = [];
  const load = [];
  for (let i = 0; i < rounds + 5; i++) {
    let t = process.hrtime.bigint();
    parseDocument(text, { uniqueKeys: true, strict: true });
    const p = Number(process.hrtime.bigint() - t) / 1e6;
    t = process.hrtime.bigint();
    await loadAgentFromFiles(files);
    const l = Number(process.hrtime.bigint() - t) / 1e6;
    if (i >= 5) {
      parse.push(p);
      load.push(l);
    }
  }
  const p = median(parse);
  const l = median(load);
  const kib = bytes.length / 1024;
  return [
    row('manifest', `yaml.parseDocument ${kib.toFixed(0)} KiB (floor, median ms)`, { value: p.toFixed(2), unit: 'ms' }),
    row('manifest', `loadAgentFromFiles ${kib.toFixed(0)} KiB (median ms)`, {
      value: l.toFixed(2),
      unit: 'ms',
      ratio: l / p,
      note: `${(bytes.length / 1e6 / (l / 1000)).toFixed(1)} MB/s validated; ${agent.manifest.tools.length} tools, ${agent.manifest.httpTools.length} HTTP tools, ${agent.manifest.mcpServers.length} MCP servers`,
    }),
  ];
}
