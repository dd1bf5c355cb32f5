import { expect, test } from 'vitest';
import { loadAgentFromFiles } from './index.js';
import { SCAFFOLD_DIALECTS, scaffoldAgent } from './scaffold.js';

const bytes = (files: Record<string, string>) =>
  Object.fromEntries(Object.entries(files).map(([p, t]) => [p, new TextEncoder().encode(t)]));

test.each(SCAFFOLD_DIALECTS)('a %s scaffold validates with no warnings and carries the name', async (dialect) => {
  const files = scaffoldAgent('trip-planner', dialect);
  const entry = Object.keys(files)[0]!;
  expect(entry).toBe(dialect === 'agentlang' ? 'agent.yaml' : 'trip-planner.agent');
  const agent = await loadAgentFromFiles(bytes(files), { entry, label: 'trip-planner' });
  expect(agent.manifest).toMatchObject({ name: 'trip-planner', version: '0.1.0', dialect });
  expect(agent.warnings).toEqual([]);
});
