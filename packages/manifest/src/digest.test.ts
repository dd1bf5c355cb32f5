import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { canonicalJson } from './canonical-json.js';
import { computeDigest } from './digest.js';
import { sha256Hex } from './hash.js';
import { loadAgent, loadAgentFromFiles } from './load.js';

// These pin the ag1 digest format: locks and containers record digests, so any change here must be
// a deliberate new format version (ag2), never a silent drift.
describe('ag1 digest format is pinned', () => {
  test('the exact canonical payload of a tiny agent', async () => {
    const agent = await loadAgentFromFiles({ 'agent.yaml': new TextEncoder().encode('version: 1.0.0\nname: tiny\n') });
    const payload =
      '{"files":{},"format":"ag1","manifest":{"bashTools":[],"dependencies":[],"dialect":"agentlang","httpTools":[],"mcpServers":[],"models":[],"name":"tiny","skills":[],"tools":[],"uiComponents":[],"version":"1.0.0"}}';
    expect(canonicalJson({ format: 'ag1', manifest: agent.manifest, files: {} })).toBe(payload);
    expect(agent.digest).toBe(`ag1:${sha256Hex(payload)}`);
    expect(computeDigest(agent.manifest, [])).toBe(agent.digest);
  });

  test("seed 000's demo.agent", async () => {
    const agent = await loadAgent(fileURLToPath(new URL('../../../examples/demo.agent', import.meta.url)));
    expect(agent.digest).toBe('ag1:a7a5e580228efa7a33b8132c1b2f0573377098f8b56330397fc970d109193918');
  });
});
