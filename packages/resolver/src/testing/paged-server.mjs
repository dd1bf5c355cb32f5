// A real MCP server (official SDK, low-level Server) for resolver tests: serves tools/list in
// pages of two (cursor-based), so the resolver must follow nextCursor. Usage:
//   node paged-server.mjs <tool count> [<sha256 hex the FIXTURE_TOKEN env var must hash to>]
// With a hash given, a wrong or absent FIXTURE_TOKEN makes the server print its value to stderr
// and exit 3 (so tests can check that the resolver redacts it).
import { createHash } from 'node:crypto';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';

const count = Number(process.argv[2] ?? '5');
const wanted = process.argv[3];
if (wanted) {
  const token = process.env.FIXTURE_TOKEN ?? '';
  if (createHash('sha256').update(token).digest('hex') !== wanted) {
    process.stderr.write(`token mismatch: got ${token}\n`);
    process.exit(3);
  }
}
const tools = Array.from({ length: count }, (_, i) => ({
  name: `tool_${i}`,
  description: `Tool number ${i}`,
  inputSchema: { type: 'object', properties: { n: { type: 'integer' } } },
}));
const server = new Server({ name: 'paged-fixture', version: '3.1.4' }, { capabilities: { tools: {} } });
server.setRequestHandler(ListToolsRequestSchema, async (request) => {
  const start = Number(request.params?.cursor ?? '0');
  const page = tools.slice(start, start + 2);
  const next = start + 2 < tools.length ? String(start + 2) : undefined;
  return next === undefined ? { tools: page } : { tools: page, nextCursor: next };
});
await server.connect(new StdioServerTransport());
